import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { TrialOutcome } from '../src/eval/types.ts';
import type { CompiledPolicy } from '../src/policy/engine.ts';
import { loadPolicy } from '../src/policy/load.ts';
import {
  type Change,
  type Grade,
  goldPatch,
  gradeTrial,
  readSuite,
  SUITE_DIR,
  type SuiteLine,
} from './offline-suite-trial.ts';

/*
 * The offline suite Warden ships (evals/offline): every instance is a real bug whose hidden tests
 * fail before the gold patch and pass after it, and every scripted contestant's edits grade as
 * evals/offline/expected.json says. Graded here without the harness's grader, the same way.
 */

const missing = spawnSync('bwrap', ['--version']).error ? 'bubblewrap (bwrap) is not installed' : false;

const suite = readSuite();
const expected = JSON.parse(readFileSync(join(SUITE_DIR, 'expected.json'), 'utf8')) as Record<
  string,
  Record<string, TrialOutcome>
>;
const contestants = Object.keys(expected);

/** Two cores are shared by the whole test run: a few sandboxes at a time. */
function limiter(slots: number) {
  const waiting: (() => void)[] = [];
  let busy = 0;
  return async <T>(job: () => Promise<T>): Promise<T> => {
    if (busy >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
    busy++;
    try {
      return await job();
    } finally {
      busy--;
      waiting.shift()?.();
    }
  };
}
const slot = limiter(4);

describe('the offline evaluation suite', () => {
  it('has at least twelve instances over several languages, each well formed', () => {
    assert.ok(suite.length >= 12, `${suite.length} instances`);
    assert.equal(
      new Set(suite.map((line) => line.instance_id)).size,
      suite.length,
      'instance ids are unique',
    );
    const repositories = new Set<string>();
    for (const line of suite) {
      const where = line.instance_id;
      assert.match(line.repository, /^repos\/[a-z0-9-]+$/, where);
      assert.ok(!repositories.has(line.repository), `${where}: one project per instance`);
      repositories.add(line.repository);
      assert.ok(existsSync(join(SUITE_DIR, line.repository)), `${where}: ${line.repository} exists`);
      assert.ok(!existsSync(join(SUITE_DIR, line.repository, '.git')), `${where}: a plain directory`);
      assert.ok(line.problem_statement.length > 80, `${where}: a problem statement`);
      assert.ok(
        line.FAIL_TO_PASS.length > 0 && line.PASS_TO_PASS.length > 0,
        `${where}: tests of both kinds`,
      );
      assert.match(line.test_command, /\{tests?\}/, `${where}: the test command names its tests`);
      assert.ok(line.timeout > 0, where);
      // The project holds the bug but not its hidden tests: the test patch adds them.
      assert.match(line.patch, /^diff --git /, where);
      assert.match(line.test_patch, /^diff --git /, where);
    }
    const kinds = new Set(suite.map((line) => line.instance_id.replace(/^.*-(\w+)-\d+$/, '$1')));
    assert.ok(kinds.size >= 4, `languages: ${[...kinds].join(', ')}`);
  });

  it('expected.json names an outcome for every contestant on every instance, and each has a script directory', () => {
    assert.deepEqual(contestants.sort(), ['breaker', 'half', 'solver']);
    const ids = suite.map((line) => line.instance_id).sort();
    for (const name of contestants) {
      assert.deepEqual(Object.keys(expected[name] ?? {}).sort(), ids, name);
      const scripts = readdirSync(join(SUITE_DIR, 'contestants', name)).map((file) =>
        file.replace(/\.json$/, ''),
      );
      for (const id of scripts) assert.ok(ids.includes(id), `${name}/${id}.json is for no instance`);
    }
    const count = (name: string, outcome: TrialOutcome) =>
      Object.values(expected[name] ?? {}).filter((value) => value === outcome).length;
    assert.equal(count('solver', 'resolved'), suite.length);
    assert.equal(count('half', 'resolved'), suite.length / 2);
    assert.equal(count('half', 'broken'), 0);
    assert.ok(count('breaker', 'broken') > 0 && count('breaker', 'resolved') > 0);
  });
});

describe('each offline instance, graded in the sandbox', { skip: missing, concurrency: true }, () => {
  let policy: CompiledPolicy;
  before(async () => {
    policy = await loadPolicy();
  });

  const failing = (line: SuiteLine, grade: Grade) =>
    `${line.instance_id}: ${[...grade.passed].map(([name, ok]) => `${ok ? 'pass' : 'FAIL'} ${name}`).join(', ')}\n${grade.log}`;

  for (const line of suite) {
    // The contestants' grades are the harness's to check, end to end (test/eval.test.ts).
    it(`${line.instance_id}: the hidden tests fail before the gold patch and pass after`, async () => {
      const trial = (change: Change) => slot(() => gradeTrial(line, policy, change));
      const unchanged: Change = async () => {};
      const [base, gold] = await Promise.all([trial(unchanged), trial(goldPatch(line))]);
      assert.ok(base && gold);
      for (const name of line.FAIL_TO_PASS)
        assert.equal(base.passed.get(name), false, `before: ${failing(line, base)}`);
      for (const name of line.PASS_TO_PASS)
        assert.equal(base.passed.get(name), true, `before: ${failing(line, base)}`);
      assert.equal(gold.outcome, 'resolved', `gold: ${failing(line, gold)}`);
    });
  }
});
