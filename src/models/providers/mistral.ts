import type { LanguageModelV4 } from '@ai-sdk/provider';
import { checkBaseUrl, type HostedModelOptions, requireApiKey } from './credentials.ts';
import { lazyModel } from './lazy-model.ts';

export const MISTRAL_KEY_ENV = 'MISTRAL_API_KEY';
const DEFAULT_BASE_URL = 'https://api.mistral.ai/v1';

export function createMistralModel(modelId: string, options: HostedModelOptions): LanguageModelV4 {
  const apiKey = requireApiKey(options.env, options.apiKeyEnv ?? MISTRAL_KEY_ENV);
  const baseURL = checkBaseUrl(options.baseURL ?? DEFAULT_BASE_URL, 'providers.mistral.base_url');
  return lazyModel('mistral.chat', modelId, async () => {
    const { createMistral } = await import('@ai-sdk/mistral');
    return createMistral({ apiKey, baseURL, fetch: options.fetch }).languageModel(modelId);
  });
}
