import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSessionParts, type SessionParts } from '../src/agent/session-parts.ts';
import type { TrialOutcome } from '../src/eval/types.ts';
import type { CompiledPolicy } from '../src/policy/engine.ts';

/*
 * For the offline suite's test: one instance of evals/offline in a fresh git repository, changed by
 * the gold patch or a contestant's script, graded in Warden's sandbox the way the harness grades
 * (hidden test patch, then FAIL_TO_PASS and PASS_TO_PASS), each test run alone.
 */

export const SUITE_DIR = fileURLToPath(new URL('../evals/offline/', import.meta.url));

/** A line of suite.jsonl: SWE-bench's fields and Warden's own. */
export interface SuiteLine {
  instance_id: string;
  repository: string;
  problem_statement: string;
  patch: string;
  test_patch: string;
  FAIL_TO_PASS: string[];
  PASS_TO_PASS: string[];
  test_command: string;
  timeout: number;
}

export function readSuite(): SuiteLine[] {
  return readFileSync(join(SUITE_DIR, 'suite.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as SuiteLine);
}

export interface Grade {
  outcome: TrialOutcome;
  /** Test name → passed. */
  passed: Map<string, boolean>;
  /** The test runs' output, for assertion messages. */
  log: string;
}

/** A change made to the fresh workspace before the hidden tests go in. */
export type Change = (parts: SessionParts, root: string) => Promise<void>;

const GIT_ID = ['-c', 'user.name=suite', '-c', 'user.email=suite@example.com', '-c', 'commit.gpgsign=false'];

function git(root: string, args: string[], input?: string): void {
  const result = spawnSync('git', [...GIT_ID, ...args], { cwd: root, input, encoding: 'utf8' });
  assert.equal(result.status, 0, `git ${args.join(' ')} in ${root}: ${result.stderr}`);
}

/** `git apply --check`, then `git apply`: a patch that does not apply cleanly fails the test. */
export function applyPatch(root: string, patch: string, what: string): void {
  const check = spawnSync('git', ['apply', '--check', '-'], { cwd: root, input: patch, encoding: 'utf8' });
  assert.equal(check.status, 0, `${what} does not apply: ${check.stderr}`);
  git(root, ['apply', '-'], patch);
}

export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The test command for some tests, as the grader fills `{tests}` (all of them) or `{test}` (one). */
export function commandFor(testCommand: string, names: string[]): string {
  const quoted = names.map(shellQuote).join(' ');
  return testCommand.replaceAll('{tests}', quoted).replaceAll('{test}', quoted);
}

export function outcomeOf(line: SuiteLine, passed: Map<string, boolean>): TrialOutcome {
  if (line.PASS_TO_PASS.some((name) => !passed.get(name))) return 'broken';
  return line.FAIL_TO_PASS.every((name) => passed.get(name)) ? 'resolved' : 'unresolved';
}

/**
 * Copies the instance's project to a temp git repository (the base), makes the change, applies the
 * hidden test patch and runs every FAIL_TO_PASS and PASS_TO_PASS test in the sandbox, alone and by group.
 */
export async function gradeTrial(line: SuiteLine, policy: CompiledPolicy, change: Change): Promise<Grade> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-suite-'));
  const root = join(dir, 'repo');
  await cp(join(SUITE_DIR, line.repository), root, { recursive: true });
  git(root, ['init', '-q']);
  git(root, ['add', '-A']);
  git(root, ['commit', '-qm', 'base']);
  const parts = await openSessionParts(root, policy);
  try {
    await change(parts, root);
    applyPatch(root, line.test_patch, `${line.instance_id}: the test patch`);
    // Each test alone, then each group at once (the grader's first try): the two must agree.
    const names = [...line.FAIL_TO_PASS, ...line.PASS_TO_PASS];
    const runs = [...names.map((name) => [name]), line.FAIL_TO_PASS, line.PASS_TO_PASS];
    const script = runs
      .map((group, i) =>
        [
          `out=$(bash -c ${shellQuote(commandFor(line.test_command, group))} 2>&1)`,
          `echo "@@ ${i} $?"`,
          `printf '%s\\n' "$out" | tail -n 15`,
        ].join('\n'),
      )
      .join('\n');
    const run = await parts.sandbox.run({ argv: ['bash', '-c', script], timeoutMs: 120_000 });
    assert.equal(run.timedOut, false, `${line.instance_id}: the tests timed out`);
    const exits = new Map<number, number>();
    for (const match of run.stdout.matchAll(/^@@ (\d+) (\d+)$/gm))
      exits.set(Number(match[1]), Number(match[2]));
    const where = `${line.instance_id}:\n${run.stdout}${run.stderr}`;
    assert.equal(exits.size, runs.length, `not every test ran: ${where}`);
    const passed = new Map(names.map((name, i) => [name, exits.get(i) === 0]));
    const groupPassed = (group: string[]) => group.every((name) => passed.get(name));
    assert.equal(
      exits.get(names.length) === 0,
      groupPassed(line.FAIL_TO_PASS),
      `FAIL_TO_PASS at once: ${where}`,
    );
    assert.equal(
      exits.get(names.length + 1) === 0,
      groupPassed(line.PASS_TO_PASS),
      `PASS_TO_PASS at once: ${where}`,
    );
    return { outcome: outcomeOf(line, passed), passed, log: run.stdout };
  } finally {
    parts.store.close();
    await parts.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The gold patch, as SWE-bench's `patch` field gives it. */
export function goldPatch(line: SuiteLine): Change {
  return async (_parts, root) => applyPatch(root, line.patch, `${line.instance_id}: the gold patch`);
}
