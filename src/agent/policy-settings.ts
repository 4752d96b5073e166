import type { Policy } from '../policy/types.ts';
import type { ShellOptions } from '../tools/shell.ts';
import type { Limits } from './limits.ts';

/** The session limits the policy sets; a caller's own limits (flags, an API request) override them. */
export function policyLimits(policy: Policy): Partial<Limits> {
  const { wallTimeMs, tokens, cost } = policy.limits;
  return {
    ...(wallTimeMs === undefined ? {} : { maxWallTimeMs: wallTimeMs }),
    ...(tokens === undefined ? {} : { maxTokens: tokens }),
    ...(cost === undefined ? {} : { maxCost: cost }),
  };
}

/** The shell tool's time and output limits, as the policy sets them. */
export function shellOptions(policy: Policy): ShellOptions {
  const { commandTimeMs, outputBytes } = policy.limits;
  return {
    ...(commandTimeMs === undefined
      ? {}
      : { maxTimeoutMs: commandTimeMs, defaultTimeoutMs: Math.min(120_000, commandTimeMs) }),
    ...(outputBytes === undefined ? {} : { sandboxOutputBytes: outputBytes }),
  };
}
