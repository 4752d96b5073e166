import { workspacePath } from './engine.ts';
import type { Decision, Policy } from './types.ts';

/**
 * The policy, with files that hold a known secret value treated like `.env`: masked in the sandbox
 * (they join the denied paths the sandbox and the file tools hide) and read or written only once a
 * person says so. A file the policy denies stays denied; only an allow becomes an ask.
 */
export function askForSecretFiles(policy: Policy, files: ReadonlyMap<string, string>): Policy {
  if (files.size === 0) return policy;
  return {
    ...policy,
    // Like-patterns: a `*` in a file's name masks a little more, never less.
    deniedPaths: [...policy.deniedPaths, ...files.keys()],
    async decide(action): Promise<Decision> {
      const decision = await policy.decide(action);
      if ((action.kind !== 'file.read' && action.kind !== 'file.write') || decision.decision !== 'allow')
        return decision;
      const path = workspacePath(action.path);
      const kind = path === undefined ? undefined : files.get(path);
      if (kind === undefined) return decision;
      const verb = action.kind === 'file.read' ? 'read' : 'write';
      return {
        decision: 'ask',
        policies: ['guard.secret-file'],
        reason: `${verb} ${path}: the file holds the value of a known secret (${kind}), so it is masked in the sandbox and asked about like .env`,
      };
    },
  };
}
