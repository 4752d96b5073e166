import { WardenError } from '../errors.ts';
import type { Sandbox } from '../sandbox/types.ts';
import type { TestResult } from './types.ts';

/** One command the grader ran, for a person asking why a trial came out as it did. */
export interface TestRun {
  command: string;
  exitCode: number | null;
  timedOut: boolean;
  /** The end of stdout and stderr together. */
  output: string;
}

export interface TestRunOptions {
  sandbox: Sandbox;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Python reads and writes its bytecode cache in the sandbox's fresh /tmp, never in the workspace's
 * `__pycache__`: a contestant could leave there a .pyc whose header matches an untouched test
 * module's source but whose code passes everything.
 */
const TEST_ENV = { PYTHONPYCACHEPREFIX: '/tmp/warden-pycache' };

const OUTPUT_TAIL = 4000;

/** A word for bash, whatever it holds: single quotes, each inner `'` closed, escaped, reopened. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The command for some tests: `{tests}` and `{test}` become the names, each quoted, space
 * separated. One pass, so a name that itself holds `{test}` or `$&` stays as it is.
 */
export function testCommandFor(template: string, names: readonly string[]): string {
  const words = names.map(shellQuote).join(' ');
  return template.replace(/\{tests?\}/g, () => words);
}

/**
 * Runs one group's tests (FAIL_TO_PASS or PASS_TO_PASS) in the sandbox: all at once with `{tests}`,
 * and when that fails, each alone to find which failed. A command with only `{test}` runs each alone.
 */
export async function runTestGroup(
  template: string,
  names: readonly string[],
  kind: TestResult['kind'],
  options: TestRunOptions,
): Promise<{ tests: TestResult[]; runs: TestRun[] }> {
  const runs: TestRun[] = [];
  let timedOut = false;
  const run = async (group: readonly string[]): Promise<boolean> => {
    const result = await runTestCommand(testCommandFor(template, group), options);
    runs.push(result);
    timedOut ||= result.timedOut;
    return result.exitCode === 0 && !result.timedOut;
  };
  const failed = (name: string): TestResult => ({ name, kind, passed: false });
  // One at a time until a test hangs: the code under test is the contestant's, and a change that
  // hangs every test must not make grading take the timeout once per test.
  const each = async (): Promise<TestResult[]> => {
    const tests: TestResult[] = [];
    for (const name of names) tests.push(timedOut ? failed(name) : { name, kind, passed: await run([name]) });
    return tests;
  };
  if (names.length === 0) return { tests: [], runs };
  if (!template.includes('{tests}')) return { tests: await each(), runs };
  if (await run(names)) return { tests: names.map((name) => ({ name, kind, passed: true })), runs };
  if (names.length === 1 || timedOut) return { tests: names.map(failed), runs };
  return { tests: await each(), runs };
}

/** `bash -c COMMAND` in the sandbox at the workspace root. */
export async function runTestCommand(command: string, options: TestRunOptions): Promise<TestRun> {
  const result = await options.sandbox.run({
    argv: ['bash', '-c', command],
    timeoutMs: options.timeoutMs,
    env: TEST_ENV,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (options.signal?.aborted) throw new WardenError('eval.cancelled', 'grading was cancelled');
  const output = `${result.stdout}${result.stderr}`;
  return {
    command,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    output: output.length > OUTPUT_TAIL ? `…${output.slice(-OUTPUT_TAIL)}` : output,
  };
}
