import type { RecordedAction } from '../policy/recorded-action.ts';
import type { PolicyAction } from '../policy/types.ts';
import type { ObservedAction } from './audit-activity.ts';

/**
 * One line for an action, as `warden policy test` spells actions: also its identity in a corpus.
 * A recorded MCP call has only its arguments' digest; a judged one has the arguments.
 */
export function describeAction(action: RecordedAction | PolicyAction): string {
  switch (action.kind) {
    case 'file.read':
      return `read: ${action.path}`;
    case 'file.write':
      return `write: ${action.path}`;
    case 'shell':
      return `shell: ${action.command}`;
    case 'net.connect':
      return `net: ${action.host}:${action.port}`;
    case 'dependency.add':
      return `dep: ${action.ecosystem}:${action.name}`;
    case 'git.push':
      return `push${action.force ? ' --force' : ''}: ${action.branch}`;
    case 'pr.create':
      return `pull request: ${action.head} into ${action.base}`;
    case 'secret.use':
      return `secret: ${action.name}:${action.act}`;
    case 'mcp.call':
      return 'argsDigest' in action
        ? `mcp: ${action.server}.${action.tool} (arguments ${action.argsDigest})`
        : `mcp: ${action.server}.${action.tool} ${JSON.stringify(action.args)}`;
  }
}

export function describeObserved(observed: ObservedAction): string {
  return `${observed.session} ${describeAction(observed.action)}`;
}
