import type { Report } from '../agent/events.ts';

/**
 * The server's state behind async interfaces, so that the SQLite default and a PostgreSQL store
 * are interchangeable under the API: every method is one statement or one short transaction.
 */

export type TaskStatus = 'queued' | 'running' | 'waiting_approval' | 'succeeded' | 'failed' | 'cancelled';

export const TERMINAL_STATUSES: ReadonlySet<TaskStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/** What a client may bound; unset values fall back to the policy's limits, then Warden's. */
export interface TaskLimits {
  turns?: number;
  tokens?: number;
  /** USD; only enforced for models with a price. */
  cost?: number;
  wallTimeSeconds?: number;
}

export interface NewTask {
  team: string;
  createdBy: string;
  /** The git work tree's real path, already admitted by the server's allow-list. */
  repository: string;
  instruction: string;
  model: string;
  policy: string;
  limits: TaskLimits;
}

export interface TaskRecord extends NewTask {
  id: string;
  status: TaskStatus;
  createdAt: string;
  startedAt: string | undefined;
  finishedAt: string | undefined;
  /** Input plus output tokens across every run of the task, resumes included. */
  tokens: number;
  cost: number | undefined;
  /** How many runs the task has had: more than one after a restart resumed it. */
  runs: number;
  report: Report | undefined;
  error: { code: string; message: string } | undefined;
}

export interface TaskPage {
  tasks: TaskRecord[];
  /** Pass back as `cursor` for the next (older) page; undefined on the last one. */
  next: string | undefined;
}

export interface TaskFilter {
  status?: TaskStatus[];
  /** Only these teams' tasks; undefined for all. */
  teams?: string[];
  limit: number;
  cursor?: string;
}

export type TaskUpdate = Partial<
  Pick<TaskRecord, 'status' | 'startedAt' | 'finishedAt' | 'report' | 'error' | 'runs'>
>;

export type ApprovalStatus = 'pending' | 'allowed' | 'denied' | 'expired';

export interface ApprovalRecord {
  id: string;
  taskId: string;
  team: string;
  callId: string;
  tool: string;
  summary: string;
  reason: string;
  status: ApprovalStatus;
  scope: 'once' | 'session' | undefined;
  decidedBy: string | undefined;
  createdAt: string;
  decidedAt: string | undefined;
}

export interface SteeringRecord {
  id: string;
  taskId: string;
  text: string;
  from: string;
  createdAt: string;
}

export interface Spend {
  tokens: number;
  cost: number;
}

export interface TaskStore {
  createTask(task: NewTask): Promise<TaskRecord>;
  getTask(id: string): Promise<TaskRecord | undefined>;
  listTasks(filter: TaskFilter): Promise<TaskPage>;
  updateTask(id: string, update: TaskUpdate): Promise<void>;
  /**
   * Moves a task from one of `from` to `to` only if it is still in one of them (a compare-and-set):
   * a cancel and a start racing for the same task cannot both win. True when it moved.
   */
  transition(id: string, from: TaskStatus[], to: TaskStatus, update?: TaskUpdate): Promise<boolean>;
  /** Adds what one model turn spent to the task and to its team's running total. */
  addSpend(id: string, spend: Spend): Promise<void>;
  /** What a team's tasks have spent, in total. */
  teamSpend(team: string): Promise<Spend>;
  /** How many of a team's tasks are running or waiting for an approval. */
  activeCount(team: string): Promise<number>;

  createApproval(
    approval: Omit<ApprovalRecord, 'id' | 'status' | 'scope' | 'decidedBy' | 'createdAt' | 'decidedAt'>,
  ): Promise<ApprovalRecord>;
  getApproval(id: string): Promise<ApprovalRecord | undefined>;
  listApprovals(filter: {
    status?: ApprovalStatus;
    teams?: string[];
    taskId?: string;
    limit: number;
  }): Promise<ApprovalRecord[]>;
  /** Answers a pending approval; undefined when it was not pending (answered, expired, unknown). */
  decideApproval(
    id: string,
    answer: { decision: 'allow' | 'deny'; scope: 'once' | 'session'; by: string },
  ): Promise<ApprovalRecord | undefined>;
  /** Pending approvals of a task whose session is gone (crash, drain, cancel) can never be answered. */
  expireApprovals(taskId: string): Promise<void>;

  addSteering(message: Omit<SteeringRecord, 'id' | 'createdAt'>): Promise<SteeringRecord>;
  /** The task's undelivered steering messages, oldest first, marked delivered. */
  takeSteering(taskId: string): Promise<SteeringRecord[]>;

  close(): Promise<void>;
}
