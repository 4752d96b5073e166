import type { LanguageModelV4 } from '@ai-sdk/provider';
import { checkBaseUrl, type HostedModelOptions, requireApiKey } from './credentials.ts';
import { lazyModel } from './lazy-model.ts';

export const GOOGLE_KEY_ENV = 'GOOGLE_GENERATIVE_AI_API_KEY';
const DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';

/** Gemini through the Generative Language API (an API key, not Vertex credentials). */
export function createGoogleModel(modelId: string, options: HostedModelOptions): LanguageModelV4 {
  const apiKey = requireApiKey(options.env, options.apiKeyEnv ?? GOOGLE_KEY_ENV);
  const baseURL = checkBaseUrl(options.baseURL ?? DEFAULT_BASE_URL, 'providers.google.base_url');
  return lazyModel('google.generative-ai', modelId, async () => {
    const { createGoogleGenerativeAI } = await import('@ai-sdk/google');
    return createGoogleGenerativeAI({ apiKey, baseURL, fetch: options.fetch }).languageModel(modelId);
  });
}
