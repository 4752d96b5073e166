import type { LanguageModelV4 } from '@ai-sdk/provider';
import { WardenError } from '../../errors.ts';
import { checkBaseUrl, requireApiKey } from './credentials.ts';
import { lazyModel } from './lazy-model.ts';

export interface CompatModelOptions {
  env: NodeJS.ProcessEnv;
  /** Provider name for the SDK and for messages: `ollama`, or the compat entry's name. */
  name: string;
  baseURL: string;
  /** Unset: the server needs no key (local servers). */
  apiKeyEnv?: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** Where the base URL came from, for errors. */
  where: string;
}

/** Any server speaking OpenAI's chat completions: LM Studio, vLLM, llama.cpp, a gateway. */
export function createCompatModel(modelId: string, options: CompatModelOptions): LanguageModelV4 {
  const baseURL = checkBaseUrl(options.baseURL, options.where);
  const apiKey = options.apiKeyEnv === undefined ? undefined : requireApiKey(options.env, options.apiKeyEnv);
  return lazyModel(`${options.name}.chat`, modelId, async () => {
    const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
    return createOpenAICompatible({
      name: options.name,
      baseURL,
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      // Without it, streamed answers carry no token counts and budgets would see zero.
      includeUsage: true,
    }).chatModel(modelId);
  });
}

export const OLLAMA_DEFAULT_URL = 'http://127.0.0.1:11434';

/**
 * Ollama through its OpenAI-compatible endpoint: no key and no cloud, so Warden runs fully
 * on-prem. The base URL is the server root; `/v1` is added unless it is already there.
 */
export function createOllamaModel(
  modelId: string,
  options: { env: NodeJS.ProcessEnv; baseURL?: string; apiKeyEnv?: string; fetch?: typeof fetch },
): LanguageModelV4 {
  const root = checkBaseUrl(options.baseURL ?? OLLAMA_DEFAULT_URL, 'providers.ollama.base_url');
  return createCompatModel(modelId, {
    env: options.env,
    name: 'ollama',
    baseURL: root.endsWith('/v1') ? root : `${root}/v1`,
    ...(options.apiKeyEnv === undefined ? {} : { apiKeyEnv: options.apiKeyEnv }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    where: 'providers.ollama.base_url',
  });
}

export function unknownCompatEntry(entry: string, known: string[]): WardenError {
  return new WardenError('model.unknown', `no OpenAI-compatible provider "${entry}" in your config`, {
    hint:
      known.length > 0
        ? `configured: ${known.join(', ')}`
        : `add providers.compat.${entry}.base_url to your user warden.config.yaml`,
  });
}
