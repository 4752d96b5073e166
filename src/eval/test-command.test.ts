import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { RunRequest, RunResult, Sandbox } from '../sandbox/types.ts';
import { outcomeOf } from './grade.ts';
import { runTestGroup, testCommandFor } from './test-command.ts';
import type { TestResult } from './types.ts';

const testName = fc.string({ unit: 'binary', minLength: 1 }).filter((name) => !name.includes('\0'));

describe('test commands', () => {
  it('bash receives every test name exactly as written, whatever it holds', () => {
    fc.assert(
      fc.property(fc.array(testName, { minLength: 1, maxLength: 5 }), (names) => {
        const command = testCommandFor('printf "%s\\0" {tests}', names);
        const printed = spawnSync('bash', ['-c', command], { encoding: 'utf8' });
        assert.equal(printed.status, 0, printed.stderr);
        // bash works in bytes: compare what it printed with each name as UTF-8 would carry it.
        const expected = names.map((name) => Buffer.from(name, 'utf8').toString('utf8'));
        assert.deepEqual(printed.stdout.split('\0').slice(0, -1), expected);
      }),
      { numRuns: 80 },
    );
  });

  it('{test} and {tests} are replaced in one pass: a name holding either, or $&, stays as it is', () => {
    assert.equal(testCommandFor('run {test}', ['{tests}']), "run '{tests}'");
    assert.equal(
      testCommandFor('run {tests} -- {tests}', ['$&', "it's"]),
      `run '$&' 'it'\\''s' -- '$&' 'it'\\''s'`,
    );
  });
});

/** A sandbox that passes a command when `passes` says so, and remembers what it ran. */
function fakeSandbox(
  passes: (command: string) => boolean,
  hangs: (command: string) => boolean = () => false,
): Sandbox & { ran: string[] } {
  const ran: string[] = [];
  return {
    kind: 'fake',
    ran,
    async run(request: RunRequest): Promise<RunResult> {
      const command = request.argv[2] ?? '';
      ran.push(command);
      return {
        exitCode: hangs(command) ? null : passes(command) ? 0 : 1,
        signal: hangs(command) ? 'SIGKILL' : null,
        stdout: '',
        stderr: '',
        timedOut: hangs(command),
        truncated: false,
        durationMs: 1,
      };
    },
  };
}

describe('running a group of tests', () => {
  const names = ['a', 'b', 'c'];

  it('a passing group runs once', async () => {
    const sandbox = fakeSandbox(() => true);
    const { tests } = await runTestGroup('t {tests}', names, 'pass_to_pass', { sandbox, timeoutMs: 1000 });
    assert.deepEqual(sandbox.ran, ["t 'a' 'b' 'c'"]);
    assert.ok(tests.every((test) => test.passed));
  });

  it('a failing group runs each test alone to find which failed', async () => {
    const sandbox = fakeSandbox((command) => !command.includes("'b'"));
    const { tests } = await runTestGroup('t {tests}', names, 'fail_to_pass', { sandbox, timeoutMs: 1000 });
    assert.deepEqual(sandbox.ran, ["t 'a' 'b' 'c'", "t 'a'", "t 'b'", "t 'c'"]);
    assert.deepEqual(
      tests.map((test) => [test.name, test.passed]),
      [
        ['a', true],
        ['b', false],
        ['c', true],
      ],
    );
  });

  it('a group that hangs is not run again test by test: every test in it failed, once', async () => {
    const sandbox = fakeSandbox(
      () => true,
      () => true,
    );
    const { tests } = await runTestGroup('t {tests}', names, 'pass_to_pass', { sandbox, timeoutMs: 1000 });
    assert.deepEqual(sandbox.ran, ["t 'a' 'b' 'c'"]);
    assert.ok(tests.every((test) => !test.passed));
  });

  it('one at a time, the first test that hangs fails the rest without running them', async () => {
    const sandbox = fakeSandbox(
      (command) => command.includes("'a'"),
      (command) => command === "t 'b'",
    );
    const { tests } = await runTestGroup('t {test}', names, 'fail_to_pass', { sandbox, timeoutMs: 1000 });
    assert.deepEqual(sandbox.ran, ["t 'a'", "t 'b'"]);
    assert.deepEqual(
      tests.map((test) => test.passed),
      [true, false, false],
    );
  });

  it('a command with only {test} runs each alone; an empty group runs nothing', async () => {
    const sandbox = fakeSandbox(() => true);
    await runTestGroup('t {test}', names, 'pass_to_pass', { sandbox, timeoutMs: 1000 });
    assert.deepEqual(sandbox.ran, ["t 'a'", "t 'b'", "t 'c'"]);
    const none = fakeSandbox(() => true);
    assert.deepEqual(
      (await runTestGroup('t {tests}', [], 'pass_to_pass', { sandbox: none, timeoutMs: 1000 })).tests,
      [],
    );
    assert.deepEqual(none.ran, []);
  });
});

describe('the outcome of a trial', () => {
  const test = (kind: TestResult['kind'], passed: boolean): TestResult => ({
    name: `${kind}-${passed}`,
    kind,
    passed,
  });
  it('resolved, unresolved, broken', () => {
    const cases: Array<[TestResult[], string]> = [
      [[test('fail_to_pass', true), test('pass_to_pass', true)], 'resolved'],
      [[test('fail_to_pass', true)], 'resolved'],
      [[test('fail_to_pass', false), test('pass_to_pass', true)], 'unresolved'],
      [[test('fail_to_pass', true), test('pass_to_pass', false)], 'broken'],
      [[test('fail_to_pass', false), test('pass_to_pass', false)], 'broken'],
    ];
    for (const [tests, outcome] of cases) assert.equal(outcomeOf(tests), outcome, JSON.stringify(tests));
  });
});
