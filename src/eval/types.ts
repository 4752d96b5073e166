/**
 * The evaluation harness's vocabulary: a suite of task instances (SWE-bench's fields plus Warden's
 * own), the contestants that attempt them, and what one attempt (a trial) came to.
 */

/** One task instance, normalised from SWE-bench's fields (or Warden's spelling of them). */
export interface EvalInstance {
  /** SWE-bench `instance_id`: unique within the suite. */
  id: string;
  /** An absolute path (a git repository, or a plain directory taken as it is) or a git URL. */
  repository: string;
  /** The commit the workspace starts at; absent only for a plain directory. */
  baseCommit: string | undefined;
  /** What the contestant is told: the issue text. */
  problemStatement: string;
  /** A unified diff applied after the session, before grading; the contestant never sees it. */
  testPatch: string;
  /** Tests that must pass after the session (they fail before it). */
  failToPass: string[];
  /** Tests that passed before and must still pass. */
  passToPass: string[];
  /** A shell command run in the sandbox in the fresh workspace before the contestant starts. */
  setup: string | undefined;
  /**
   * Runs tests in the sandbox; exit 0 means passed. `{tests}` is replaced by every test name of a
   * group (shell-quoted), `{test}` by one: a failing group is re-run one test at a time.
   */
  testCommand: string;
  /** The contestant's wall time, in seconds. */
  timeoutSeconds: number;
}

export interface Suite {
  /** The file's name without its extension, unless the file names itself. */
  name: string;
  /** The file as given (resolved to an absolute path). */
  file: string;
  /** SHA-256 of the file's bytes: a run records which suite it ran. */
  digest: string;
  instances: EvalInstance[];
}

/** Who attempts the instances: an agent (Warden's own, or a wrap profile) on a model. */
export interface Contestant {
  /** `warden`, or a `warden wrap` profile: `codex`, `claude`. */
  agent: string;
  /** A Warden model id; a `script:DIR` picks `DIR/<instance_id>.json` for each instance. */
  model: string;
}

/** `agent/model`, e.g. `warden/openai:gpt-5.5`: how reports and the CLI name a contestant. */
export function contestantLabel(contestant: Contestant): string {
  return `${contestant.agent}/${contestant.model}`;
}

/**
 * - resolved: every FAIL_TO_PASS test passes and every PASS_TO_PASS test still passes;
 * - broken: a PASS_TO_PASS test fails (whatever became of the others);
 * - unresolved: nothing broke, but a FAIL_TO_PASS test still fails;
 * - error: the trial could not be graded (setup failed, the test patch did not apply); not resolved.
 */
export type TrialOutcome = 'resolved' | 'unresolved' | 'broken' | 'error';

export interface TestResult {
  name: string;
  kind: 'fail_to_pass' | 'pass_to_pass';
  passed: boolean;
}

/** What one trial came to: its grade and what the contestant spent getting there. */
export interface TrialResult {
  outcome: TrialOutcome;
  /** Why the trial is `error`, in one line. */
  error?: string;
  tests: TestResult[];
  /** The contestant's session (its events and audit log), when one ran. */
  sessionId: string | undefined;
  /** The session's own ending: finished, failed, limit, cancelled. */
  agentStatus: string;
  inputTokens: number;
  outputTokens: number;
  /** USD; undefined when the model has no price. */
  cost: number | undefined;
  wallMs: number;
  turns: number;
  toolCalls: number;
  /** Policy decisions that asked a person (denied in an evaluation: nobody is there). */
  asks: number;
  denials: number;
  guardFlags: number;
  diffStat: { files: number; added: number; removed: number };
}

/** One instance × contestant × repeat. */
export interface TrialKey {
  instanceId: string;
  /** Index into the run's contestants. */
  contestant: number;
  /** 0-based. */
  repeat: number;
}

export type TrialStatus = 'queued' | 'running' | 'done';

export interface TrialRecord extends TrialKey {
  runId: string;
  status: TrialStatus;
  /** How many times the trial was started: more than one after a crash restarted it. */
  attempts: number;
  result: TrialResult | undefined;
  startedAt: string | undefined;
  finishedAt: string | undefined;
}

export interface EvalRunRecord {
  id: string;
  suite: { name: string; file: string; digest: string; instances: number };
  contestants: Contestant[];
  repeats: number;
  /** The policy every contestant ran under: its name (or file) and digest. */
  policy: { name: string; digest: string };
  createdAt: string;
  createdBy: string;
  /** Serve only: the team the run belongs to. */
  team: string | undefined;
}
