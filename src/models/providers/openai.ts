import type { LanguageModelV4 } from '@ai-sdk/provider';
import { checkBaseUrl, type HostedModelOptions, requireApiKey } from './credentials.ts';
import { lazyModel } from './lazy-model.ts';

export const OPENAI_KEY_ENV = 'OPENAI_API_KEY';
// Explicit, so the SDK never falls back to reading OPENAI_BASE_URL from the process behind us.
const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** OpenAI through the Responses API, the one OpenAI recommends for tool-using agents. */
export function createOpenAIModel(modelId: string, options: HostedModelOptions): LanguageModelV4 {
  const apiKey = requireApiKey(options.env, options.apiKeyEnv ?? OPENAI_KEY_ENV);
  const baseURL = checkBaseUrl(options.baseURL ?? DEFAULT_BASE_URL, 'providers.openai.base_url');
  return lazyModel('openai.responses', modelId, async () => {
    const { createOpenAI } = await import('@ai-sdk/openai');
    return createOpenAI({ apiKey, baseURL, fetch: options.fetch }).responses(modelId);
  });
}
