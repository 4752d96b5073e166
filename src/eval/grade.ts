import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxLimits } from '../agent/session-parts.ts';
import { messageOf, WardenError } from '../errors.ts';
import type { Policy } from '../policy/types.ts';
import { createBwrapSandbox } from '../sandbox/bwrap.ts';
import type { Sandbox } from '../sandbox/types.ts';
import { checkoutForGrading } from './graded-checkout.ts';
import { openGradingIndex } from './grading-index.ts';
import { type RestoredPath, restoreForGrading } from './grading-restore.ts';
import { runTestCommand, runTestGroup, type TestRun } from './test-command.ts';
import type { EvalInstance, TestResult, TrialOutcome } from './types.ts';

/** Each setup or test command's wall time unless the caller says otherwise: the default policy's. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 10 * 60_000;

/**
 * The sandbox setup and tests run in: the workspace writable, git's metadata and Warden's records
 * read-only (a test cannot plant a hook for the grader's own git), the policy's limits on every
 * process tree, and no network at all.
 */
export function gradingSandbox(root: string, policy: Policy): Sandbox {
  return createBwrapSandbox({
    workspace: root,
    extraReadOnly: ['.git', '.warden'].map((name) => join(root, name)).filter((path) => existsSync(path)),
    limits: sandboxLimits(policy),
  });
}

export interface CommandOptions {
  sandbox: Sandbox;
  /** Per command; default 10 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type SetupResult = { ok: true; run: TestRun | undefined } | { ok: false; error: string; run: TestRun };

/** The instance's `setup`, in the fresh workspace before the contestant starts; a failure makes the trial `error`. */
export async function runSetup(instance: EvalInstance, options: CommandOptions): Promise<SetupResult> {
  if (instance.setup === undefined) return { ok: true, run: undefined };
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const run = await runTestCommand(instance.setup, { ...options, timeoutMs });
  if (run.exitCode === 0 && !run.timedOut) return { ok: true, run };
  const why = run.timedOut
    ? `took longer than ${Math.round(timeoutMs / 1000)} s`
    : `exited with ${run.exitCode ?? 'a signal'}: ${lastLine(run.output)}`;
  return { ok: false, error: `setup failed: ${why}`, run };
}

export interface GradeOptions {
  /** The commit the workspace was made at (prepareWorkspace's `baseCommit`). */
  baseCommit: string;
  /** Setup and tests run in gradingSandbox under this policy. */
  policy: Policy;
  /** Per command; default 10 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** What the grader found; TrialResult's `outcome`, `error` and `tests`, with what it did on the way. */
export interface Grade {
  outcome: TrialOutcome;
  error?: string;
  tests: TestResult[];
  /** Files the contestant had changed that were put back before the tests ran. */
  restored: RestoredPath[];
  /** What of the contestant's change could not be taken or applied, and so was not graded. */
  dropped?: string;
  runs: TestRun[];
}

/**
 * Grades the contestant's change, not the work tree it was made in: the work tree moves aside and
 * a fresh checkout of the base commit takes its place, with the instance's setup run and only the
 * contestant's diff applied (graded-checkout.ts). Then the test patch's files, the test
 * directories and the test runner's own files are put back to the base commit with the test patch
 * applied (so the contestant's edits to them cannot decide the grade), and FAIL_TO_PASS and
 * PASS_TO_PASS run in the sandbox.
 */
export async function grade(instance: EvalInstance, root: string, options: GradeOptions): Promise<Grade> {
  const scratch = await mkdtemp(join(tmpdir(), 'warden-grade-'));
  const none = { tests: [], restored: [], runs: [] };
  try {
    const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const signal = options.signal ? { signal: options.signal } : {};
    let setupFailed: string | undefined;
    const checkout = await checkoutForGrading(root, {
      baseCommit: options.baseCommit,
      scratch,
      ...signal,
      setup: async () => {
        const setup = await runSetup(instance, {
          sandbox: gradingSandbox(root, options.policy),
          timeoutMs,
          ...signal,
        });
        if (!setup.ok) setupFailed = setup.error;
      },
    });
    if (setupFailed !== undefined) {
      return {
        outcome: 'error',
        error: `the instance's ${setupFailed} (in the grader's fresh checkout)`,
        ...none,
      };
    }
    const dropped = checkout.dropped === undefined ? {} : { dropped: checkout.dropped };
    const opened = await openGradingIndex(root, {
      baseCommit: options.baseCommit,
      testPatch: instance.testPatch,
      scratch,
      ...signal,
    });
    if (!opened.ok) return { outcome: 'error', error: opened.error, ...none };
    const restored = await restoreForGrading(root, opened.index, [
      ...instance.failToPass,
      ...instance.passToPass,
    ]);
    const run = { sandbox: gradingSandbox(root, options.policy), timeoutMs, ...signal };
    const failing = await runTestGroup(instance.testCommand, instance.failToPass, 'fail_to_pass', run);
    const passing = await runTestGroup(instance.testCommand, instance.passToPass, 'pass_to_pass', run);
    const tests = [...failing.tests, ...passing.tests];
    return {
      outcome: outcomeOf(tests),
      tests,
      restored,
      runs: [...failing.runs, ...passing.runs],
      ...dropped,
    };
  } catch (error) {
    // Cancelled is the caller's to handle; anything else (git failing on the base commit, the
    // sandbox refusing to start) leaves the trial ungraded, which is an outcome, not a crash of the run.
    if (error instanceof WardenError && error.code === 'eval.cancelled') throw error;
    return { outcome: 'error', error: `grading failed: ${messageOf(error)}`, ...none };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Broken beats unresolved: a PASS_TO_PASS failure is what a reviewer must see first. */
export function outcomeOf(tests: readonly TestResult[]): Exclude<TrialOutcome, 'error'> {
  if (tests.some((test) => test.kind === 'pass_to_pass' && !test.passed)) return 'broken';
  if (tests.some((test) => test.kind === 'fail_to_pass' && !test.passed)) return 'unresolved';
  return 'resolved';
}

function lastLine(output: string): string {
  const lines = output.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 300) || 'no output';
}
