import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { WardenError } from '../errors.ts';
import { yamlLocator } from '../yaml-location.ts';
import { type ConfigFile, configFileSchema, type ModelConfig, toModelConfig } from './config-schema.ts';

export type { ModelConfig } from './config-schema.ts';

export const CONFIG_FILE_NAMES = ['warden.config.yaml', 'warden.config.yml', 'warden.config.json'];

/**
 * One source of configuration. `repo` is untrusted: the repository may have been written by
 * whoever wants the agent's API key or conversation, so it may not choose where requests (and
 * keys) are sent, nor what they cost. It may name models and pick the default.
 */
export interface ConfigLayer {
  trust: 'repo' | 'user';
  /** A file path, or a label for a config built in code. */
  source: string;
  data: unknown;
  /** `file:line:col` of a key path, when the source has positions. */
  locate?: (path: readonly PropertyKey[]) => string;
}

/** Keys that decide where a request goes and which key travels with it: user config only. */
const ENDPOINT_KEYS = ['base_url', 'api_key_env', 'headers'];

/** The user's config dir: `$XDG_CONFIG_HOME/warden` or `~/.config/warden`. */
export function userConfigDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  return xdg !== undefined && xdg !== ''
    ? join(xdg, 'warden')
    : join(env.HOME ?? homedir(), '.config', 'warden');
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`,
    )
    .join('');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Find the first endpoint key in a repo layer; returns its key path. */
function findEndpointKey(data: unknown): string[] | undefined {
  if (!isRecord(data) || !isRecord(data.providers)) return undefined;
  for (const [provider, settings] of Object.entries(data.providers)) {
    if (!isRecord(settings)) continue;
    const entries = provider === 'compat' ? Object.entries(settings) : [[undefined, settings] as const];
    for (const [entry, value] of entries) {
      if (!isRecord(value)) continue;
      const key = ENDPOINT_KEYS.find((name) => name in value);
      if (key !== undefined) return ['providers', provider, ...(entry === undefined ? [] : [entry]), key];
    }
  }
  return undefined;
}

/**
 * Find a repo setting that only the user may make, with why; beside the endpoint keys these are:
 * prices (a price of 0 switches the --max-cost limit off), fallbacks (a fallback on another
 * provider sends the conversation where the user did not choose) and the Bedrock region.
 */
function findUserOnlySetting(data: unknown): { path: PropertyKey[]; why: string } | undefined {
  if (!isRecord(data)) return undefined;
  const cost = 'a repository must not choose what a model costs (a price of 0 would switch off --max-cost)';
  if ('prices' in data) return { path: ['prices'], why: cost };
  if (isRecord(data.models)) {
    for (const [name, entry] of Object.entries(data.models)) {
      if (isRecord(entry) && 'price' in entry) return { path: ['models', name, 'price'], why: cost };
    }
  }
  if ('registries' in data) {
    return {
      path: ['registries'],
      why: 'a repository must not choose the registry that vouches for the packages it asks for',
    };
  }
  if ('credentials' in data) {
    return {
      path: ['credentials'],
      why: 'a repository must not choose which credentials Warden holds or the hosts they are sent to',
    };
  }
  if ('fallback_models' in data) {
    return {
      path: ['fallback_models'],
      why: 'a repository must not choose which provider your conversation is sent to',
    };
  }
  if (isRecord(data.providers) && isRecord(data.providers.bedrock) && 'region' in data.providers.bedrock) {
    return {
      path: ['providers', 'bedrock', 'region'],
      why: 'a repository must not choose which AWS region your conversation and credentials are sent to',
    };
  }
  return undefined;
}

/** Find a repo setting that swaps the model for a `script:` file; returns its key path. */
function findScriptChoice(data: unknown): PropertyKey[] | undefined {
  if (!isRecord(data)) return undefined;
  const isScript = (value: unknown) => typeof value === 'string' && value.trim().startsWith('script:');
  if (isScript(data.default_model)) return ['default_model'];
  if (Array.isArray(data.fallback_models)) {
    const index = data.fallback_models.findIndex(isScript);
    if (index >= 0) return ['fallback_models', index];
  }
  if (isRecord(data.models)) {
    for (const [name, entry] of Object.entries(data.models)) {
      if (isRecord(entry) && isScript(entry.id)) return ['models', name, 'id'];
    }
  }
  return undefined;
}

const MOVE_TO_USER_CONFIG =
  'move it to your user config: warden.config.yaml in $XDG_CONFIG_HOME/warden or ~/.config/warden';

/** What the repository's own config may not decide, checked before anything else about it. */
function checkRepoLayer(data: unknown, where: (path: readonly PropertyKey[]) => string): void {
  const endpoint = findEndpointKey(data);
  if (endpoint !== undefined) {
    throw new WardenError(
      'config.untrusted',
      `"${formatPath(endpoint)}" may not be set in the repository's config: a repository must not choose where your API key is sent`,
      { where: where(endpoint), hint: MOVE_TO_USER_CONFIG },
    );
  }
  // A script would let the repository's author play the model while the user believes a real
  // one is answering; only the user picks a script (--model script:FILE, or user config).
  const script = findScriptChoice(data);
  if (script !== undefined) {
    throw new WardenError(
      'config.untrusted',
      `"${formatPath(script)}" may not choose a script: model in the repository's config`,
      { where: where(script), hint: 'pass --model script:FILE yourself, or set it in your user config' },
    );
  }
  const userOnly = findUserOnlySetting(data);
  if (userOnly !== undefined) {
    throw new WardenError(
      'config.untrusted',
      `"${formatPath(userOnly.path)}" may not be set in the repository's config: ${userOnly.why}`,
      { where: where(userOnly.path), hint: MOVE_TO_USER_CONFIG },
    );
  }
}

function validateLayer(layer: ConfigLayer): ConfigFile {
  const where = (path: readonly PropertyKey[]) => layer.locate?.(path) ?? layer.source;
  if (layer.trust === 'repo') checkRepoLayer(layer.data, where);
  const parsed = configFileSchema.safeParse(layer.data ?? {});
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  // Point at the misspelt key itself, not at the mapping that holds it.
  const path = [
    ...(issue?.path ?? []),
    ...(issue?.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : []),
  ];
  const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : '';
  const key = path.length > 0 ? `"${formatPath(path)}": ` : '';
  throw new WardenError('config.invalid', `${key}${issue?.message ?? 'invalid'}${more}`, {
    where: where(path),
  });
}

/**
 * Later layers win. Named models, prices and compat entries are replaced whole, never mixed
 * field by field: a user's `models.fast` must not pick up a context window the repository chose.
 */
function merge(base: ConfigFile, over: ConfigFile): ConfigFile {
  const providers = { ...base.providers, ...over.providers };
  for (const name of ['openai', 'anthropic', 'mistral', 'google', 'ollama', 'bedrock'] as const) {
    if (base.providers?.[name] !== undefined || over.providers?.[name] !== undefined) {
      providers[name] = { ...base.providers?.[name], ...over.providers?.[name] };
    }
  }
  providers.compat = { ...base.providers?.compat, ...over.providers?.compat };
  return {
    ...base,
    ...over,
    models: { ...base.models, ...over.models },
    prices: { ...base.prices, ...over.prices },
    providers,
    retry: { ...base.retry, ...over.retry },
  };
}

/** Validate each layer (errors point into its own file), then merge, lowest priority first. */
export function buildModelConfig(layers: ConfigLayer[]): ModelConfig {
  let merged: ConfigFile = {};
  for (const layer of layers) merged = merge(merged, validateLayer(layer));
  return toModelConfig(
    merged,
    layers.map((layer) => layer.source),
  );
}

/** Read one config file into a layer. JSON is parsed as YAML (a superset) to keep positions. */
export function readConfigLayer(file: string, trust: ConfigLayer['trust']): ConfigLayer {
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
  });
  const [error] = doc.errors;
  if (error !== undefined) {
    const { line, col } = lines.linePos(error.pos[0]);
    throw new WardenError('config.parse', error.message.split('\n')[0] ?? 'invalid YAML', {
      where: `${file}:${line}:${col}`,
    });
  }
  const data: unknown = doc.toJS();
  if (data !== null && !isRecord(data)) {
    throw new WardenError('config.invalid', 'the config must be a mapping of keys', { where: `${file}:1:1` });
  }
  return { trust, source: file, data: data ?? {}, locate: yamlLocator(file, doc, lines) };
}

function findConfigFile(dir: string): string | undefined {
  const present = CONFIG_FILE_NAMES.map((name) => resolve(dir, name)).filter((file) => existsSync(file));
  if (present.length > 1) {
    throw new WardenError('config.ambiguous', `more than one config file: ${present.join(', ')}`, {
      where: dir,
      hint: 'keep one of them',
    });
  }
  return present[0];
}

/** The user's own config file as a layer, or undefined when there is none. */
export function loadUserConfigLayer(env: NodeJS.ProcessEnv): ConfigLayer | undefined {
  const file = findConfigFile(userConfigDir(env));
  return file === undefined ? undefined : readConfigLayer(file, 'user');
}

/**
 * The model config for a run: the repository's file, then the user's on top of it. The user's
 * dir defaults to `userConfigDir(env)`; `null` reads no user config (tests pass their own dir).
 */
export function loadModelConfig(
  repoDir: string,
  options: { env: NodeJS.ProcessEnv; userDir?: string | null },
): ModelConfig {
  const layers: ConfigLayer[] = [];
  const repoFile = findConfigFile(repoDir);
  if (repoFile !== undefined) layers.push(readConfigLayer(repoFile, 'repo'));
  const userDir = options.userDir === undefined ? userConfigDir(options.env) : options.userDir;
  const userFile = userDir === null ? undefined : findConfigFile(userDir);
  if (userFile !== undefined) {
    // The same file seen from both sides (work done inside the config dir) is the user's own.
    if (userFile === repoFile) layers.pop();
    layers.push(readConfigLayer(userFile, 'user'));
  }
  return buildModelConfig(layers);
}
