import { WardenError } from '../errors.ts';
import { createModelClient, type ModelEndpoint } from './client.ts';
import type { ModelConfig, NamedModelConfig } from './config-schema.ts';
import { type ProviderModelRef, parseModelId, parseProviderModelId } from './model-id.ts';
import { DEFAULT_CONTEXT_WINDOW, DEFAULT_LOCAL_CONTEXT_WINDOW, knownModel } from './prices.ts';
import { createLanguageModel } from './providers/index.ts';
import type { RetryClock } from './retry.ts';
import type { ModelClient, ModelInfo } from './types.ts';

export interface ResolveOptions {
  config: ModelConfig;
  env: NodeJS.ProcessEnv;
  /** Script files (`script:<file>`) are resolved from here. */
  cwd: string;
  /** For tests: every provider's HTTP goes through it. */
  fetch?: typeof fetch;
  /** For tests: backoff without waiting. */
  clock?: RetryClock;
}

function describeRef(ref: ProviderModelRef): { provider: string; model: string } {
  switch (ref.kind) {
    case 'direct':
      return { provider: ref.provider, model: ref.model };
    case 'compat':
      return { provider: `compat:${ref.entry}`, model: ref.model };
    case 'script':
      return { provider: 'script', model: ref.file };
  }
}

function modelInfo(
  id: string,
  ref: ProviderModelRef,
  named: NamedModelConfig | undefined,
  config: ModelConfig,
): ModelInfo {
  const known = ref.kind === 'direct' ? knownModel(ref.provider, ref.model) : undefined;
  const fallbackWindow = ref.kind === 'compat' ? DEFAULT_LOCAL_CONTEXT_WINDOW : DEFAULT_CONTEXT_WINDOW;
  return {
    id,
    ...describeRef(ref),
    contextWindow: named?.contextWindow ?? known?.contextWindow ?? fallbackWindow,
    price: named?.price ?? config.prices[ref.id] ?? known?.price,
  };
}

/** Errors while building a fallback say so, or the user would hunt for the wrong model. */
function asFallback(error: unknown, id: string): unknown {
  if (!(error instanceof WardenError)) return error;
  return new WardenError(error.code, `fallback model ${id}: ${error.message}`, {
    where: error.where ?? 'fallback_models',
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    cause: error,
  });
}

function endpointFor(id: string, options: ResolveOptions): ModelEndpoint {
  const { config } = options;
  const ref = parseModelId(id, Object.keys(config.models));
  let target: ProviderModelRef;
  let named: NamedModelConfig | undefined;
  if (ref.kind === 'named') {
    named = config.models[ref.name];
    if (named === undefined) throw new WardenError('model.unknown', `no model named "${ref.name}"`);
    try {
      // A name stands for a real model, never for another name.
      target = parseProviderModelId(named.id);
    } catch (error) {
      if (!(error instanceof WardenError)) throw error;
      throw new WardenError(error.code, error.message, {
        where: `models.${ref.name}.id`,
        ...(error.hint === undefined ? {} : { hint: error.hint }),
      });
    }
  } else {
    target = ref;
  }
  const created = createLanguageModel(target, options);
  return {
    info: modelInfo(ref.id, target, named, config),
    model: created.model,
    authFix: created.authFix,
    ...(created.providerOptions === undefined ? {} : { providerOptions: created.providerOptions }),
  };
}

/**
 * The one entry the CLI uses: a model id (or the config's default) to a ready client, with the
 * config's fallbacks and retry policy. Everything that can be checked without calling the
 * provider — the id, credentials, base URLs, the script file, every fallback — is checked
 * here, so a misconfigured run fails before it does any work.
 */
export function resolveModel(id: string | undefined, options: ResolveOptions): ModelClient {
  const chosen = id?.trim() || options.config.defaultModel;
  if (chosen === undefined || chosen === '') {
    throw new WardenError('model.missing', 'no model chosen', {
      hint: 'pass --model provider:model (e.g. --model anthropic:claude-sonnet-4-5) or set default_model in warden.config.yaml',
    });
  }
  const primary = endpointFor(chosen, options);
  const fallbacks = options.config.fallbackModels
    .filter((fallback) => fallback !== chosen)
    .map((fallback) => {
      try {
        return endpointFor(fallback, options);
      } catch (error) {
        throw asFallback(error, fallback);
      }
    });
  return createModelClient({
    primary,
    fallbacks,
    retry: options.config.retry,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
}
