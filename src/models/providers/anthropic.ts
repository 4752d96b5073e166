import type { LanguageModelV4 } from '@ai-sdk/provider';
import { checkBaseUrl, type HostedModelOptions, requireApiKey } from './credentials.ts';
import { lazyModel } from './lazy-model.ts';

export const ANTHROPIC_KEY_ENV = 'ANTHROPIC_API_KEY';
// Explicit, so the SDK never falls back to reading ANTHROPIC_BASE_URL from the process behind us.
const DEFAULT_BASE_URL = 'https://api.anthropic.com/v1';

/** Anthropic's Messages API; the key travels as `x-api-key`. */
export function createAnthropicModel(modelId: string, options: HostedModelOptions): LanguageModelV4 {
  const apiKey = requireApiKey(options.env, options.apiKeyEnv ?? ANTHROPIC_KEY_ENV);
  const baseURL = checkBaseUrl(options.baseURL ?? DEFAULT_BASE_URL, 'providers.anthropic.base_url');
  return lazyModel('anthropic.messages', modelId, async () => {
    const { createAnthropic } = await import('@ai-sdk/anthropic');
    return createAnthropic({ apiKey, baseURL, fetch: options.fetch }).languageModel(modelId);
  });
}
