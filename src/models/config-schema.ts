import { z } from 'zod';
import type { RetryPolicy } from './retry.ts';
import type { Price } from './types.ts';

/**
 * The model sections of `warden.config.yaml`, as written (snake_case). Other parts of Warden
 * keep their own top-level keys in the same file, so only the top level is loose; inside our
 * sections an unknown key is a typo and is reported.
 */
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
/** Model names never contain a colon, so a name cannot be mistaken for `provider:model`. */
const modelName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, ".", "_" or "-"');
const entryName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, ".", "_" or "-"');

const priceSchema = z.strictObject({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cache_read: z.number().nonnegative().optional(),
  cache_write: z.number().nonnegative().optional(),
});

const hostedSchema = z.strictObject({
  base_url: z.string().min(1).optional(),
  api_key_env: envName.optional(),
});

const compatSchema = z.strictObject({
  base_url: z.string().min(1),
  api_key_env: envName.optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

export const configFileSchema = z.looseObject({
  default_model: z.string().min(1).optional(),
  fallback_models: z.array(z.string().min(1)).optional(),
  models: z
    .record(
      modelName,
      z.strictObject({
        id: z.string().min(1),
        context_window: z.number().int().positive().optional(),
        price: priceSchema.optional(),
      }),
    )
    .optional(),
  prices: z.record(z.string().min(1), priceSchema).optional(),
  providers: z
    .strictObject({
      openai: hostedSchema.optional(),
      anthropic: hostedSchema.optional(),
      mistral: hostedSchema.optional(),
      google: hostedSchema.optional(),
      ollama: hostedSchema.optional(),
      compat: z.record(entryName, compatSchema).optional(),
      bedrock: z.strictObject({ region: z.string().min(1).optional() }).optional(),
    })
    .optional(),
  retry: z
    .strictObject({
      max_attempts: z.number().int().min(1).max(20).optional(),
      // Bounded so a config cannot park a session for hours between attempts.
      base_delay_ms: z.number().int().nonnegative().max(60_000).optional(),
      max_delay_ms: z.number().int().nonnegative().max(600_000).optional(),
    })
    .optional(),
});

export type ConfigFile = z.infer<typeof configFileSchema>;

export interface HostedProviderConfig {
  /** The API prefix as the provider's SDK takes it (for ollama: the server root). */
  baseUrl?: string;
  /** Read the API key from this variable instead of the provider's usual one. */
  apiKeyEnv?: string;
}

export interface CompatProviderConfig {
  baseUrl: string;
  apiKeyEnv?: string;
  headers?: Record<string, string>;
}

export interface NamedModelConfig {
  id: string;
  contextWindow?: number;
  price?: Price;
}

export interface ModelConfig {
  defaultModel: string | undefined;
  fallbackModels: string[];
  models: Record<string, NamedModelConfig>;
  /** Price overrides keyed by model id (`provider:model`). */
  prices: Record<string, Price>;
  providers: {
    openai?: HostedProviderConfig;
    anthropic?: HostedProviderConfig;
    mistral?: HostedProviderConfig;
    google?: HostedProviderConfig;
    ollama?: HostedProviderConfig;
    compat: Record<string, CompatProviderConfig>;
    bedrock?: { region?: string };
  };
  retry: RetryPolicy;
  /** The files this config was read from, lowest priority first. */
  sources: string[];
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 };

function price(raw: z.infer<typeof priceSchema>): Price {
  return {
    input: raw.input,
    output: raw.output,
    ...(raw.cache_read === undefined ? {} : { cacheRead: raw.cache_read }),
    ...(raw.cache_write === undefined ? {} : { cacheWrite: raw.cache_write }),
  };
}

function hosted(raw: z.infer<typeof hostedSchema> | undefined): HostedProviderConfig | undefined {
  if (raw === undefined) return undefined;
  return {
    ...(raw.base_url === undefined ? {} : { baseUrl: raw.base_url }),
    ...(raw.api_key_env === undefined ? {} : { apiKeyEnv: raw.api_key_env }),
  };
}

function mapValues<A, B>(record: Record<string, A> | undefined, fn: (value: A) => B): Record<string, B> {
  return Object.fromEntries(Object.entries(record ?? {}).map(([key, value]) => [key, fn(value)]));
}

/** The validated, merged file contents as the rest of Warden reads them (camelCase, defaults filled). */
export function toModelConfig(raw: ConfigFile, sources: string[]): ModelConfig {
  const providers = raw.providers ?? {};
  return {
    defaultModel: raw.default_model,
    fallbackModels: raw.fallback_models ?? [],
    models: mapValues(raw.models, (entry) => ({
      id: entry.id,
      ...(entry.context_window === undefined ? {} : { contextWindow: entry.context_window }),
      ...(entry.price === undefined ? {} : { price: price(entry.price) }),
    })),
    prices: mapValues(raw.prices, price),
    providers: {
      openai: hosted(providers.openai),
      anthropic: hosted(providers.anthropic),
      mistral: hosted(providers.mistral),
      google: hosted(providers.google),
      ollama: hosted(providers.ollama),
      compat: mapValues(providers.compat, (entry) => ({
        baseUrl: entry.base_url,
        ...(entry.api_key_env === undefined ? {} : { apiKeyEnv: entry.api_key_env }),
        ...(entry.headers === undefined ? {} : { headers: entry.headers }),
      })),
      bedrock: providers.bedrock === undefined ? undefined : { region: providers.bedrock.region },
    },
    retry: {
      maxAttempts: raw.retry?.max_attempts ?? DEFAULT_RETRY.maxAttempts,
      baseDelayMs: raw.retry?.base_delay_ms ?? DEFAULT_RETRY.baseDelayMs,
      maxDelayMs: raw.retry?.max_delay_ms ?? DEFAULT_RETRY.maxDelayMs,
    },
    sources,
  };
}
