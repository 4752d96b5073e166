import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { grade } from '../src/eval/grade.ts';
import { createRepositoryCache } from '../src/eval/repository-cache.ts';
import { loadSuite } from '../src/eval/suite.ts';
import { buildFixtureRepository, SWE_BENCH_SUITE } from '../src/eval/testing/swe-bench-fixture.ts';
import type { EvalInstance } from '../src/eval/types.ts';
import { prepareWorkspace } from '../src/eval/workspace.ts';
import { loadPolicy } from '../src/policy/load.ts';
import type { Policy } from '../src/policy/types.ts';

// Skipped only when bubblewrap is not installed; pytest is Debian's python3-pytest (scripts/setup.sh).
const missing = spawnSync('bwrap', ['--version']).error ? 'bubblewrap (bwrap) is not installed' : false;

describe('a SWE-bench Lite instance, as published, loads and grades', { skip: missing }, () => {
  let dir: string;
  let repos: string;
  let instance: EvalInstance;
  let fix: string;
  let policy: Policy;
  const cache = createRepositoryCache();
  let count = 0;
  /** The upstream fix, as SWE-bench ships it in the instance's `patch` field. */
  const goldPatch = (JSON.parse(readFileSync(SWE_BENCH_SUITE, 'utf8')) as { patch: string }).patch;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-swe-bench-'));
    repos = join(dir, 'repos');
    fix = buildFixtureRepository(repos).fix;
    const [only] = loadSuite(SWE_BENCH_SUITE, { repos }).instances;
    assert.ok(only);
    instance = only;
    policy = await loadPolicy();
  });
  after(async () => {
    await cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh workspace, the contestant's work done to it, then the grade. */
  async function trial(contestant: (root: string) => void, graded: EvalInstance = instance) {
    const ws = await prepareWorkspace(graded, join(dir, 'ws', String(++count)), { cache });
    assert.equal(spawnSync('git', ['cat-file', '-e', fix], { cwd: ws.root }).status === 0, false);
    contestant(ws.root);
    return grade(graded, ws.root, { baseCommit: ws.baseCommit, policy });
  }

  const apply = (root: string, patch: string) => {
    writeFileSync(join(dir, 'contestant.diff'), patch);
    execFileSync('git', ['apply', join(dir, 'contestant.diff')], { cwd: root });
  };

  it('the gold patch resolves it', async () => {
    const result = await trial((root) => apply(root, goldPatch));
    assert.equal(result.outcome, 'resolved', JSON.stringify(result.runs, null, 1));
    assert.equal(result.tests.length, 10);
    assert.ok(result.tests.every((test) => test.passed));
    assert.deepEqual(result.restored, []);
  });

  it('no change leaves it unresolved: exactly the FAIL_TO_PASS tests fail', async () => {
    const result = await trial(() => {});
    assert.equal(result.outcome, 'unresolved');
    assert.deepEqual(
      result.tests.filter((test) => !test.passed).map((test) => test.name),
      instance.failToPass,
    );
    // One run of the group, then each of its tests alone; PASS_TO_PASS passes as a group.
    assert.equal(result.runs.length, 4);
  });

  it('a fix that breaks a PASS_TO_PASS test is broken', async () => {
    const result = await trial((root) => {
      apply(root, goldPatch);
      const file = join(root, 'humanize/filesize.py');
      writeFileSync(file, readFileSync(file, 'utf8').replace('"%d Byte" % size', '"%d Bytes" % size'));
    });
    assert.equal(result.outcome, 'broken');
    assert.deepEqual(
      result.tests.filter((test) => !test.passed).map((test) => test.name),
      ['tests/test_filesize.py::test_naturalsize[1-1 Byte]'],
    );
  });

  it('a test patch that does not apply is an error, with why', async () => {
    const stale = {
      ...instance,
      testPatch: instance.testPatch.replace('(300, "300 Bytes"), (3000', '(300, "300 B"), (3000'),
    };
    const result = await trial((root) => apply(root, goldPatch), stale);
    assert.equal(result.outcome, 'error');
    assert.match(
      result.error ?? '',
      /the test patch does not apply to the base commit: .*tests\/test_filesize.py/,
    );
    assert.deepEqual(result.tests, []);
  });
});
