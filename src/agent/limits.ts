import type { LimitName } from './events.ts';

/** Bounds that end a session cleanly, with a report, when reached. */
export interface Limits {
  maxTurns: number;
  maxWallTimeMs: number;
  maxTokens: number;
  /** USD; only enforced for models with a price. */
  maxCost: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxTurns: 100,
  maxWallTimeMs: 60 * 60 * 1000,
  maxTokens: 5_000_000,
  maxCost: 20,
};

export interface Spent {
  turns: number;
  elapsedMs: number;
  tokens: number;
  cost: number | undefined;
}

export interface LimitHit {
  limit: LimitName;
  value: number;
  max: number;
}

/** The first limit the session has reached, if any; checked before each model request. */
export function limitReached(limits: Limits, spent: Spent): LimitHit | undefined {
  if (spent.turns >= limits.maxTurns) return { limit: 'turns', value: spent.turns, max: limits.maxTurns };
  if (spent.elapsedMs >= limits.maxWallTimeMs)
    return { limit: 'wall_time', value: spent.elapsedMs, max: limits.maxWallTimeMs };
  if (spent.tokens >= limits.maxTokens)
    return { limit: 'tokens', value: spent.tokens, max: limits.maxTokens };
  if (spent.cost !== undefined && spent.cost >= limits.maxCost)
    return { limit: 'cost', value: spent.cost, max: limits.maxCost };
  return undefined;
}

export function describeLimit(hit: LimitHit): string {
  switch (hit.limit) {
    case 'turns':
      return `reached the turn limit (${hit.max} turns); raise it with --max-turns`;
    case 'wall_time':
      return `reached the wall-time limit (${Math.round(hit.max / 1000)} s); raise it with --max-time`;
    case 'tokens':
      return `reached the token limit (${hit.value} of ${hit.max}); raise it with --max-tokens`;
    case 'cost':
      return `reached the cost limit ($${hit.value.toFixed(4)} of $${hit.max}); raise it with --max-cost`;
  }
}
