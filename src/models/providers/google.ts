import { APICallError, type LanguageModelV4 } from '@ai-sdk/provider';
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
    const model = createGoogleGenerativeAI({ apiKey, baseURL, fetch: options.fetch }).languageModel(modelId);
    return {
      specificationVersion: 'v4',
      provider: model.provider,
      modelId: model.modelId,
      supportedUrls: model.supportedUrls,
      doGenerate: (call) => model.doGenerate(call).then(undefined, rejectedKeyAsUnauthorized),
      doStream: (call) => model.doStream(call).then(undefined, rejectedKeyAsUnauthorized),
    };
  });
}

function isKeyInvalid(error: APICallError): boolean {
  const details = (error.data as { error?: { details?: unknown } } | undefined)?.error?.details;
  return (
    Array.isArray(details) &&
    details.some((detail) => (detail as { reason?: unknown } | null)?.reason === 'API_KEY_INVALID')
  );
}

/**
 * The Gemini API answers a wrong or expired key with 400 INVALID_ARGUMENT (reason
 * API_KEY_INVALID), not 401. Left as a 400 the user would read "refused the request" and never
 * learn which variable to fix, so it is passed on as the 401 it means.
 */
function rejectedKeyAsUnauthorized(error: unknown): never {
  if (!APICallError.isInstance(error) || error.statusCode !== 400 || !isKeyInvalid(error)) throw error;
  throw new APICallError({
    message: error.message,
    url: error.url,
    requestBodyValues: error.requestBodyValues,
    statusCode: 401,
    ...(error.responseHeaders === undefined ? {} : { responseHeaders: error.responseHeaders }),
    ...(error.responseBody === undefined ? {} : { responseBody: error.responseBody }),
    cause: error,
    isRetryable: false,
    data: error.data,
  });
}
