import type { LanguageModelV4, SharedV4ProviderOptions } from '@ai-sdk/provider';
import type { ModelConfig } from '../config-schema.ts';
import type { ProviderModelRef } from '../model-id.ts';
import { createScriptedModel } from '../scripted.ts';
import { ANTHROPIC_KEY_ENV, createAnthropicModel } from './anthropic.ts';
import { createBedrockModel } from './bedrock.ts';
import { type HostedModelOptions, keyFix } from './credentials.ts';
import { createGoogleModel, GOOGLE_KEY_ENV } from './google.ts';
import { createMistralModel, MISTRAL_KEY_ENV } from './mistral.ts';
import { createOpenAIModel, OPENAI_KEY_ENV } from './openai.ts';
import { createCompatModel, createOllamaModel, unknownCompatEntry } from './openai-compatible.ts';

export interface ProviderContext {
  config: ModelConfig;
  env: NodeJS.ProcessEnv;
  /** Script files are resolved from here. */
  cwd: string;
  fetch?: typeof fetch;
}

/** A model ready to call, and what to tell the user when the provider rejects the credentials. */
export interface CreatedModel {
  model: LanguageModelV4;
  /** One line: how to fix a 401/403 from this provider. */
  authFix: string;
  /** Sent with every call to this model. */
  providerOptions?: SharedV4ProviderOptions;
}

const HOSTED = {
  openai: { create: createOpenAIModel, keyEnv: OPENAI_KEY_ENV },
  anthropic: { create: createAnthropicModel, keyEnv: ANTHROPIC_KEY_ENV },
  mistral: { create: createMistralModel, keyEnv: MISTRAL_KEY_ENV },
  google: { create: createGoogleModel, keyEnv: GOOGLE_KEY_ENV },
} as const;

const BEDROCK_FIX =
  'check your AWS credentials and region: aws configure (or aws sso login), AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY';

/**
 * Create the LanguageModelV4 for a parsed id. Credentials and base URLs are checked here, so a
 * misconfigured model fails before the session does any work.
 */
export function createLanguageModel(ref: ProviderModelRef, ctx: ProviderContext): CreatedModel {
  const fetchOption = ctx.fetch === undefined ? {} : { fetch: ctx.fetch };
  switch (ref.kind) {
    case 'script':
      return {
        model: createScriptedModel(ref.file, { baseDir: ctx.cwd }),
        authFix: 'the script asked for an auth failure',
      };
    case 'compat': {
      const entry = ctx.config.providers.compat[ref.entry];
      if (entry === undefined) throw unknownCompatEntry(ref.entry, Object.keys(ctx.config.providers.compat));
      return {
        model: createCompatModel(ref.model, {
          env: ctx.env,
          name: ref.entry,
          baseURL: entry.baseUrl,
          ...(entry.apiKeyEnv === undefined ? {} : { apiKeyEnv: entry.apiKeyEnv }),
          ...(entry.headers === undefined ? {} : { headers: entry.headers }),
          ...fetchOption,
          where: `providers.compat.${ref.entry}.base_url`,
        }),
        authFix:
          entry.apiKeyEnv === undefined
            ? `set providers.compat.${ref.entry}.api_key_env in your user config if the server needs a key`
            : `check ${entry.apiKeyEnv}: ${keyFix(entry.apiKeyEnv)}`,
      };
    }
    case 'direct':
      break;
  }

  const { provider, model } = ref;
  if (provider === 'bedrock') {
    const region = ctx.config.providers.bedrock?.region;
    return {
      model: createBedrockModel(model, {
        env: ctx.env,
        ...(region === undefined ? {} : { region }),
        ...fetchOption,
      }),
      authFix: BEDROCK_FIX,
    };
  }
  if (provider === 'ollama') {
    const settings = ctx.config.providers.ollama;
    return {
      model: createOllamaModel(model, {
        env: ctx.env,
        ...(settings?.baseUrl === undefined ? {} : { baseURL: settings.baseUrl }),
        ...(settings?.apiKeyEnv === undefined ? {} : { apiKeyEnv: settings.apiKeyEnv }),
        ...fetchOption,
      }),
      authFix:
        'the Ollama server rejected the request: set providers.ollama.api_key_env if it sits behind a proxy that needs a key',
    };
  }
  const hosted = HOSTED[provider];
  const settings = ctx.config.providers[provider];
  const keyEnv = settings?.apiKeyEnv ?? hosted.keyEnv;
  const options: HostedModelOptions = {
    env: ctx.env,
    apiKeyEnv: keyEnv,
    ...(settings?.baseUrl === undefined ? {} : { baseURL: settings.baseUrl }),
    ...fetchOption,
  };
  return {
    model: hosted.create(model, options),
    authFix: `check ${keyEnv}: ${keyFix(keyEnv)}`,
    // Warden resends the whole conversation each turn and never refers to a stored response,
    // so asking OpenAI to keep one would only add retention of the user's code.
    ...(provider === 'openai' ? { providerOptions: { openai: { store: false } } } : {}),
  };
}
