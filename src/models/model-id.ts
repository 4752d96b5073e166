import { WardenError } from '../errors.ts';

/** Providers reached with their own SDK package; the model part is passed through unchanged. */
export const DIRECT_PROVIDERS = ['openai', 'anthropic', 'bedrock', 'mistral', 'google', 'ollama'] as const;
export type DirectProvider = (typeof DIRECT_PROVIDERS)[number];

/** A model id after parsing: which code path creates it, and with what. */
export type ModelRef =
  | { kind: 'direct'; id: string; provider: DirectProvider; model: string }
  /** `compat:<entry>/<model>`: an OpenAI-compatible server named in the user's config. */
  | { kind: 'compat'; id: string; provider: 'compat'; entry: string; model: string }
  | { kind: 'script'; id: string; provider: 'script'; file: string }
  /** A name from `models.<name>` in config; resolve it to the id it stands for. */
  | { kind: 'named'; id: string; name: string };

const FORMS = [
  'openai:<model>',
  'anthropic:<model>',
  'bedrock:<bedrock model id>',
  'mistral:<model>',
  'google:<model>',
  'ollama:<model>',
  'compat:<provider entry>/<model>',
  'script:<file.json>',
  'a name from models.<name> in warden.config.yaml',
];

function unknown(id: string, why: string): WardenError {
  return new WardenError('model.unknown', `unknown model id "${id}": ${why}`, {
    hint: `use one of ${FORMS.join(', ')}`,
  });
}

function isDirect(value: string): value is DirectProvider {
  return (DIRECT_PROVIDERS as readonly string[]).includes(value);
}

/**
 * Parse `provider:model`. Only the first colon separates provider from model, because model
 * names carry colons of their own (`ollama:qwen2.5-coder:7b`, `bedrock:…-v2:0`).
 * `names` are the model names defined in config; they never contain a colon (config checks).
 */
export function parseModelId(id: string, names: Iterable<string> = []): ModelRef {
  const trimmed = id.trim();
  if (trimmed === '') throw unknown(id, 'the id is empty');
  for (const name of names) {
    if (name === trimmed) return { kind: 'named', id: trimmed, name };
  }
  const colon = trimmed.indexOf(':');
  if (colon < 0) throw unknown(trimmed, 'no provider prefix and no model of that name in config');
  const provider = trimmed.slice(0, colon);
  const rest = trimmed.slice(colon + 1);
  if (rest === '') throw unknown(trimmed, `no model after "${provider}:"`);

  if (isDirect(provider)) return { kind: 'direct', id: trimmed, provider, model: rest };
  if (provider === 'script') return { kind: 'script', id: trimmed, provider: 'script', file: rest };
  if (provider === 'compat') {
    const slash = rest.indexOf('/');
    if (slash <= 0 || slash === rest.length - 1) {
      throw unknown(trimmed, 'compat ids name a provider entry and a model: compat:<entry>/<model>');
    }
    return {
      kind: 'compat',
      id: trimmed,
      provider: 'compat',
      entry: rest.slice(0, slash),
      model: rest.slice(slash + 1),
    };
  }
  throw unknown(trimmed, `"${provider}" is not a provider`);
}

/** A model id that names a provider directly (never a config name). */
export type ProviderModelRef = Exclude<ModelRef, { kind: 'named' }>;

/** Parse an id that must be `provider:model`, e.g. the target of a `models.<name>` entry. */
export function parseProviderModelId(id: string): ProviderModelRef {
  const ref = parseModelId(id);
  if (ref.kind === 'named') throw unknown(id, 'expected provider:model');
  return ref;
}
