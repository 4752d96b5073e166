import type { Report } from '../../agent/events.ts';
import type { EvalSummary } from '../../eval/summary.ts';
import type { EvalRunRecord } from '../../eval/types.ts';

export type { ContestantSummary, EvalSummary, PairSummary, Slot } from '../../eval/summary.ts';
export type { EvalRunRecord } from '../../eval/types.ts';

/** The shapes of the public API (src/server/openapi.yaml), as far as the console reads them. */
export type TaskStatus = 'queued' | 'running' | 'waiting_approval' | 'succeeded' | 'failed' | 'cancelled';

export const TASK_STATUSES: readonly TaskStatus[] = [
  'queued',
  'running',
  'waiting_approval',
  'succeeded',
  'failed',
  'cancelled',
];

export const TERMINAL: ReadonlySet<TaskStatus> = new Set(['succeeded', 'failed', 'cancelled']);

export interface Limits {
  turns?: number;
  tokens?: number;
  cost?: number;
  wallTimeSeconds?: number;
}

export interface Task {
  id: string;
  status: TaskStatus;
  team: string;
  createdBy: string;
  repository: string;
  instruction: string;
  model: string;
  policy: string;
  limits: Limits;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  tokens: number;
  cost: number | null;
  runs: number;
  error: { code: string; message: string } | null;
  report: Report | null;
}

export interface Approval {
  id: string;
  taskId: string;
  team: string;
  callId: string;
  tool: string;
  summary: string;
  reason: string;
  status: 'pending' | 'allowed' | 'denied' | 'expired';
  scope: 'once' | 'session' | null;
  decidedBy: string | null;
  createdAt: string;
  decidedAt: string | null;
}

export interface Me {
  user: string;
  role: string;
  team: string;
  /** Who the identity provider says this is, when signed in with SSO. */
  name?: string;
}

/** `GET /auth/session`: whether single sign-on is on, and whom the session cookie signs in. */
export type SsoSession =
  | { sso: boolean; signedIn: false; message?: string }
  | { sso: true; signedIn: true; user: string; name: string; role: string; team: string; csrf: string };

/** How the console proves who it is: a pasted API token, or the SSO cookie and its CSRF token. */
export type Credential = { token: string } | { csrf: string };

export interface ModelChoice {
  id: string;
  /** The id ends in `*`: every id with the part before it as a prefix is offered. */
  pattern: boolean;
}

export interface PolicySummary {
  name: string;
  summary: string;
  breadth: number;
  warnings: { rule: string; message: string; weight: number }[];
}

/** Trials of an evaluation by state: `done` is graded, the rest are still on the queue. */
export interface EvalProgress {
  total: number;
  done: number;
  running: number;
  queued: number;
}

/** An entry of `GET /v1/evals`. */
export interface EvalListing {
  run: EvalRunRecord;
  progress: EvalProgress;
}

/** `GET /v1/evals/{id}`: the run, its progress and the statistics of `warden eval report --json`. */
export interface EvalDetail extends EvalListing {
  summary: EvalSummary;
}

export type Verification =
  | { ok: true; records: number; digests: number; status: TaskStatus }
  | { ok: false; firstBad: number; message: string; status: TaskStatus };

export const CSRF_HEADER = 'x-warden-csrf';

/** A refused or failed request, with what the API said about it. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly hint: string | undefined;

  constructor(status: number, code: string, message: string, field?: string, hint?: string) {
    super(message);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = code;
    this.field = field;
    this.hint = hint;
  }

  /** What to tell the person, 401 and 403 in words rather than codes. */
  describe(): string {
    if (this.status === 401) {
      return 'The server did not accept this token: it is mistyped, revoked, or from another server. Ask an admin for a new one.';
    }
    if (this.status === 403) return `Not allowed for your role: ${this.message}`;
    if (this.status === 0) return `Cannot reach the server: ${this.message}`;
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

export interface Api {
  readonly credential: Credential;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  /** A download, for the audit log. */
  blob(path: string): Promise<Blob>;
  /** Headers for requests the console makes itself (the event stream). */
  headers(): Record<string, string>;
  /** Called by anyone who got a 401: the token is no longer good. */
  unauthorized(failure: ApiFailure): void;
}

/**
 * The API with one credential; a 401 anywhere signs the person out with a reason. With SSO the
 * browser sends the cookie itself, and every request carries the session's CSRF token, which the
 * server requires of any that changes something.
 */
export function createApi(credential: Credential, onUnauthorized: (failure: ApiFailure) => void): Api {
  const headers = (): Record<string, string> =>
    'token' in credential
      ? { authorization: `Bearer ${credential.token}` }
      : { [CSRF_HEADER]: credential.csrf };
  async function request(method: string, path: string, body?: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers: { ...headers(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        cache: 'no-store',
      });
    } catch (error) {
      throw new ApiFailure(0, 'network', (error as Error).message);
    }
    if (!response.ok) {
      const failure = await failureOf(response);
      if (failure.status === 401) onUnauthorized(failure);
      throw failure;
    }
    return response;
  }
  return {
    credential,
    headers,
    unauthorized: onUnauthorized,
    async get<T>(path: string) {
      return (await (await request('GET', path)).json()) as T;
    },
    async post<T>(path: string, body?: unknown) {
      const response = await request('POST', path, body ?? {});
      const text = await response.text();
      return (text ? JSON.parse(text) : undefined) as T;
    },
    async blob(path: string) {
      return (await request('GET', path)).blob();
    },
  };
}

/** Reads the API's `{error: {code, message, field, hint}}`, or makes one from the status. */
export async function failureOf(response: Response): Promise<ApiFailure> {
  let error: { code?: string; message?: string; field?: string; hint?: string } | undefined;
  try {
    error = ((await response.json()) as { error?: typeof error }).error;
  } catch {
    error = undefined;
  }
  return new ApiFailure(
    response.status,
    error?.code ?? `http.${response.status}`,
    error?.message ?? `${response.status} ${response.statusText}`,
    error?.field,
    error?.hint,
  );
}

/** Path segments are encoded by whoever builds a URL from an id. */
export function path(...parts: string[]): string {
  return `/v1/${parts.map(encodeURIComponent).join('/')}`;
}
