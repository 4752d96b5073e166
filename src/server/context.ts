import type { FastifyRequest } from 'fastify';
import type { AuditKeys } from '../audit/audit-keys.ts';
import type { EvalStore } from '../eval/store.ts';
import type { CompiledPolicy } from '../policy/engine.ts';
import type { SessionState } from '../store/session-state.ts';
import type { AccountStore } from './account-store.ts';
import { forbidden } from './api-errors.ts';
import type { AuditLogs } from './audit-logs.ts';
import type { Principal } from './auth.ts';
import type { ApiAction, ApiResource, Authorizer } from './authorize.ts';
import type { ServerConfig } from './config.ts';
import type { ServerGateway } from './server-gateway.ts';
import type { SsoSessions } from './sso/sso-sessions.ts';
import type { TaskBus } from './task-bus.ts';
import type { TaskQueue } from './task-queue.ts';
import type { TaskStore } from './task-store.ts';

/** What every route handler works with: the server's parts, passed in, never global. */
export interface ServerContext {
  config: ServerConfig;
  tasks: TaskStore;
  accounts: AccountStore;
  sessions: SessionState;
  /** Evaluation runs; absent where a server is built without them (unit tests). */
  evals?: EvalStore;
  bus: TaskBus;
  queue: TaskQueue;
  authorizer: Authorizer;
  policies: ReadonlyMap<string, CompiledPolicy>;
  auditDir: string;
  /** Where task audit logs are read; default the files under `auditDir`. */
  auditLogs?: AuditLogs;
  keyDir: string;
  /** Where the audit keys are when not only files in `keyDir` (`audit_keys:` in server.yaml). */
  auditKeys?: AuditKeys;
  env: NodeJS.ProcessEnv;
  /** Where relative script paths resolve. */
  cwd: string;
  /** The model gateway and its keys; absent where a server is built without one (unit tests). */
  gateway?: ServerGateway;
  /** Single sign-on (`sso:`): its sessions and routes; absent when it is off. */
  sso?: SsoSessions;
  /** SSE keep-alive comment interval. */
  heartbeatMs: number;
  /** The authenticated caller of a request (set by the security handler). */
  principal(request: FastifyRequest): Principal;
  log(line: string): void;
}

/** Throws a 403 naming who may not do what, unless Cedar allows it. */
export function authorize(
  ctx: ServerContext,
  request: FastifyRequest,
  action: ApiAction,
  resource: ApiResource,
): Principal {
  const principal = ctx.principal(request);
  const result = ctx.authorizer.check(principal, action, resource);
  if (!result.allowed) {
    ctx.log(`denied: ${result.reason}`);
    throw forbidden(result.reason);
  }
  return principal;
}

/** Teams whose records a caller may list: all for an admin, else their own. */
export function visibleTeams(principal: Principal): string[] | undefined {
  return principal.role === 'admin' ? undefined : [principal.team.id];
}
