import type { DirectProvider } from './model-id.ts';
import type { Price, Usage } from './types.ts';

interface KnownModel {
  price: Price;
  contextWindow: number;
}

/**
 * Best-effort list prices (USD per million tokens) and context windows of well-known models,
 * as published by their vendors when this table was written. Prices change: `prices` and
 * `models.<name>.price` in warden.config.yaml override any entry, and a model missing here
 * simply has no cost. Keys are the vendor's model name without date or version suffix.
 */
const KNOWN: Record<string, KnownModel> = {
  // OpenAI
  'gpt-5': { price: { input: 1.25, output: 10, cacheRead: 0.125 }, contextWindow: 400_000 },
  'gpt-5.1': { price: { input: 1.25, output: 10, cacheRead: 0.125 }, contextWindow: 400_000 },
  'gpt-5-mini': { price: { input: 0.25, output: 2, cacheRead: 0.025 }, contextWindow: 400_000 },
  'gpt-5-nano': { price: { input: 0.05, output: 0.4, cacheRead: 0.005 }, contextWindow: 400_000 },
  'gpt-4.1': { price: { input: 2, output: 8, cacheRead: 0.5 }, contextWindow: 1_047_576 },
  'gpt-4.1-mini': { price: { input: 0.4, output: 1.6, cacheRead: 0.1 }, contextWindow: 1_047_576 },
  'gpt-4.1-nano': { price: { input: 0.1, output: 0.4, cacheRead: 0.025 }, contextWindow: 1_047_576 },
  'gpt-4o': { price: { input: 2.5, output: 10, cacheRead: 1.25 }, contextWindow: 128_000 },
  'gpt-4o-mini': { price: { input: 0.15, output: 0.6, cacheRead: 0.075 }, contextWindow: 128_000 },
  o3: { price: { input: 2, output: 8, cacheRead: 0.5 }, contextWindow: 200_000 },
  'o4-mini': { price: { input: 1.1, output: 4.4, cacheRead: 0.275 }, contextWindow: 200_000 },
  // Anthropic (also on Bedrock at the same list price)
  'claude-opus-4-5': {
    price: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
    contextWindow: 200_000,
  },
  'claude-opus-4-1': {
    price: { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
    contextWindow: 200_000,
  },
  'claude-opus-4': {
    price: { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
    contextWindow: 200_000,
  },
  'claude-sonnet-4-5': {
    price: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
    contextWindow: 200_000,
  },
  'claude-sonnet-4': {
    price: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
    contextWindow: 200_000,
  },
  'claude-3-7-sonnet': {
    price: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
    contextWindow: 200_000,
  },
  'claude-haiku-4-5': {
    price: { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
    contextWindow: 200_000,
  },
  'claude-3-5-haiku': {
    price: { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 },
    contextWindow: 200_000,
  },
  // Mistral
  'mistral-large': { price: { input: 2, output: 6 }, contextWindow: 128_000 },
  'mistral-medium': { price: { input: 0.4, output: 2 }, contextWindow: 128_000 },
  'mistral-small': { price: { input: 0.1, output: 0.3 }, contextWindow: 128_000 },
  codestral: { price: { input: 0.3, output: 0.9 }, contextWindow: 256_000 },
  'devstral-medium': { price: { input: 0.4, output: 2 }, contextWindow: 128_000 },
  'devstral-small': { price: { input: 0.1, output: 0.3 }, contextWindow: 128_000 },
  // Google (prompts up to 200k tokens; longer prompts cost more and are not modelled here)
  'gemini-2.5-pro': { price: { input: 1.25, output: 10 }, contextWindow: 1_048_576 },
  'gemini-2.5-flash': { price: { input: 0.3, output: 2.5 }, contextWindow: 1_048_576 },
  'gemini-2.5-flash-lite': { price: { input: 0.1, output: 0.4 }, contextWindow: 1_048_576 },
};

/** Unknown cloud models: assume a common size. Local models often run with far less, so less. */
export const DEFAULT_CONTEXT_WINDOW = 128_000;
export const DEFAULT_LOCAL_CONTEXT_WINDOW = 32_768;

/**
 * The vendor's base name of a model id: Bedrock's region and vendor prefixes
 * (`us.anthropic.`), version suffixes (`-v1:0`), dates (`-20250929`, `-2024-08-06`) and
 * `-latest` are dropped, so dated snapshots find their family.
 */
export function baseModelName(model: string): string {
  return model
    .toLowerCase()
    .replace(/^(?:(?:us|eu|apac|global|jp|au)\.)?(?:anthropic|mistral|amazon|meta|openai)\./, '')
    .replace(/-v\d+(?::\d+)?$/, '')
    .replace(/-latest$/, '')
    .replace(/-\d{4}-\d{2}-\d{2}$/, '')
    .replace(/-\d{8}$/, '')
    .replace(/-\d{4}$/, '');
}

/** What we know of a model, if anything. Local servers (ollama) cost nothing per token. */
export function knownModel(
  provider: DirectProvider | 'compat' | 'script',
  model: string,
): KnownModel | undefined {
  if (provider === 'ollama')
    return { price: { input: 0, output: 0 }, contextWindow: DEFAULT_LOCAL_CONTEXT_WINDOW };
  if (provider === 'compat' || provider === 'script') return undefined;
  return KNOWN[baseModelName(model)];
}

/**
 * USD for one turn. Usage counts every input token in `inputTokens`, cached ones included, so
 * the uncached rest is what remains; cache reads and writes without a price of their own are
 * charged at the input price (an upper bound, which is the safe side for budgets).
 */
export function costOf(usage: Usage, price: Price | undefined): number | undefined {
  if (price === undefined) return undefined;
  const uncached = Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens);
  const total =
    uncached * price.input +
    usage.cacheReadTokens * (price.cacheRead ?? price.input) +
    usage.cacheWriteTokens * (price.cacheWrite ?? price.input) +
    usage.outputTokens * price.output;
  return total / 1_000_000;
}
