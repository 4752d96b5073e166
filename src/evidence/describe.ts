import type { RecordedAction } from '../policy/recorded-action.ts';
import type { ObservedAction } from './audit-activity.ts';

/** One line for a recorded action, as `warden policy test` spells actions. */
export function describeAction(action: RecordedAction): string {
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
      return `mcp: ${action.server}.${action.tool} (arguments ${'argsDigest' in action ? action.argsDigest : 'given'})`;
  }
}

export function describeObserved(observed: ObservedAction): string {
  return `${observed.session} ${describeAction(observed.action)}`;
}
