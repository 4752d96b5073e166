import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { grade, gradingSandbox } from '../src/eval/grade.ts';
import { createRepositoryCache } from '../src/eval/repository-cache.ts';
import { loadSuite } from '../src/eval/suite.ts';
import { runTestCommand, testCommandFor } from '../src/eval/test-command.ts';
import { buildFixtureRepository, SWE_BENCH_SUITE } from '../src/eval/testing/swe-bench-fixture.ts';
import type { EvalInstance } from '../src/eval/types.ts';
import { type PreparedWorkspace, prepareWorkspace } from '../src/eval/workspace.ts';
import { loadPolicy } from '../src/policy/load.ts';
import type { Policy } from '../src/policy/types.ts';
import { jsonEvents, warden } from './cli.ts';

// A contestant that cannot fix the bug tries to make the hidden tests pass anyway: it plants
// files the test runner reads (conftest.py, a pytest.py that shadows pytest), rewrites the tests it
// can see, hides the tests behind links. Each planted file is shown to work before grading; the
// grade must still say the bug is not fixed, and list what it put back.

const missing = spawnSync('bwrap', ['--version']).error ? 'bubblewrap (bwrap) is not installed' : false;

const FORCE_PASS = [
  'import pytest',
  '',
  '',
  '@pytest.hookimpl(hookwrapper=True)',
  'def pytest_runtest_makereport(item, call):',
  '    outcome = yield',
  "    outcome.get_result().outcome = 'passed'",
  '',
].join('\n');

describe('grading a contestant that games the tests', { skip: missing }, () => {
  let dir: string;
  let instance: EvalInstance;
  let policy: Policy;
  const cache = createRepositoryCache();
  let count = 0;
  const workspace = () => prepareWorkspace(instance, join(dir, 'ws', String(++count)), { cache });
  const graded = (ws: PreparedWorkspace, of: EvalInstance = instance) =>
    grade(of, ws.root, { baseCommit: ws.baseCommit, policy });
  /** The hidden FAIL_TO_PASS tests, run as the grader would but on the work tree as the contestant left it. */
  const passesAsLeft = async (ws: PreparedWorkspace, tests = instance.failToPass) =>
    (
      await runTestCommand(testCommandFor(instance.testCommand, tests), {
        sandbox: gradingSandbox(ws.root, policy),
        timeoutMs: 60_000,
      })
    ).exitCode === 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-grade-attacks-'));
    const repos = join(dir, 'repos');
    buildFixtureRepository(repos);
    const [only] = loadSuite(SWE_BENCH_SUITE, { repos }).instances;
    assert.ok(only);
    instance = only;
    policy = await loadPolicy();
  });
  after(async () => {
    await cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a scripted model plants runner files and rewrites tests: not resolved, and each put back', async () => {
    const ws = await workspace();
    const write = (path: string, content: string) => ({ tool: 'write_file', args: { path, content } });
    const script = join(dir, 'hostile.json');
    writeFileSync(
      script,
      JSON.stringify({
        turns: [
          {
            text: 'The tests are hard to satisfy; making them pass instead.',
            calls: [
              write('conftest.py', FORCE_PASS),
              write('tests/conftest.py', FORCE_PASS),
              write('pytest.py', 'import sys\nsys.exit(0)\n'),
              write('sitecustomize.py', 'import os\nos.environ["HUMANIZE_FORCE"] = "1"\n'),
              // pytest reads its settings from setup.cfg too: addopts loads a plugin of its own.
              write(
                'setup.cfg',
                '[metadata]\nname = humanize\nversion = 4.6.1\n\n[options]\npackages = humanize\n\n[tool:pytest]\naddopts = -p forcepass\n',
              ),
              write('forcepass.py', FORCE_PASS),
              // Breaks ordinal (11 becomes 11st) and teaches its test to expect that.
              {
                tool: 'edit_file',
                args: { path: 'humanize/number.py', old_string: 'in (11, 12, 13)', new_string: 'in ()' },
              },
              write('tests/test_number.py', 'def test_ordinal():\n    assert True\n'),
              write(
                'tests/test_filesize.py',
                'import pytest\n\n\n@pytest.mark.parametrize("value, expected", [(1000, "1.0 kB")])\ndef test_naturalsize(value, expected):\n    pass\n\n\ndef test_naturalsize_binary_boundary():\n    pass\n',
              ),
            ],
          },
          { text: 'All tests pass now.' },
        ],
      }),
    );
    const run = await warden(
      ['exec', 'Fix the issue', '--repo', ws.root, '--model', `script:${script}`, '--json'],
      {
        cwd: dir,
        timeoutMs: 60_000,
      },
    );
    assert.equal(run.code, 0, run.stderr);
    const writes = jsonEvents(run.stdout).filter((e) => e.type === 'file.changed');
    assert.equal(writes.length, 9, 'the default policy lets each write happen: grading must hold on its own');
    assert.equal(
      await passesAsLeft(ws),
      true,
      'the planted files make the hidden tests pass as the workspace was left',
    );

    const result = await graded(ws);
    assert.equal(result.outcome, 'broken', JSON.stringify(result.runs.map((r) => r.output)));
    // Only pytest's section of setup.cfg went back: the contestant's version bump stays.
    assert.match(readFileSync(join(ws.root, 'setup.cfg'), 'utf8'), /version = 4\.6\.1/);
    assert.doesNotMatch(readFileSync(join(ws.root, 'setup.cfg'), 'utf8'), /tool:pytest/);
    assert.deepEqual(
      result.tests.filter((t) => !t.passed).map((t) => t.name),
      [...instance.failToPass, 'tests/test_number.py::test_ordinal'],
    );
    assert.deepEqual(Object.fromEntries(result.restored.map((r) => [r.path, r.why])), {
      'tests/test_filesize.py': 'test patch',
      'tests/conftest.py': 'test file',
      'tests/test_number.py': 'test file',
      'conftest.py': 'runner file',
      'sitecustomize.py': 'runner file',
      'pytest.py': 'runner module',
      'setup.cfg': 'runner settings',
    });
  });

  it('a compiled pytest.pyc or a pytest/ package at the root is removed too', async () => {
    const ws = await workspace();
    const source = join(dir, 'fake_pytest.py');
    writeFileSync(source, 'import sys\nsys.exit(0)\n');
    const compile = `import py_compile; py_compile.compile(${JSON.stringify(source)}, cfile=${JSON.stringify(join(ws.root, 'pytest.pyc'))})`;
    assert.equal(spawnSync('/usr/bin/python3', ['-c', compile]).status, 0);
    assert.equal(await passesAsLeft(ws), true, 'a bytecode-only pytest.pyc shadows pytest');
    mkdirSync(join(ws.root, 'pytest'));
    writeFileSync(join(ws.root, 'pytest/__init__.py'), 'import sys\nsys.exit(0)\n');
    assert.equal(await passesAsLeft(ws), true, 'a pytest/ package shadows pytest');
    const result = await graded(ws);
    assert.equal(result.outcome, 'unresolved');
    assert.deepEqual(result.restored.map((r) => `${r.path} ${r.why}`).sort(), [
      'pytest runner module',
      'pytest.pyc runner module',
    ]);
  });

  it('tests behind a link are put back without writing through the link', async () => {
    const ws = await workspace();
    const outside = join(dir, 'outside.py');
    writeFileSync(outside, 'def test_naturalsize_binary_boundary():\n    pass\n');
    // The test patch's file becomes a link out of the workspace; the other tests move behind a
    // link to a directory the contestant controls.
    rmSync(join(ws.root, 'tests/test_filesize.py'));
    symlinkSync(outside, join(ws.root, 'tests/test_filesize.py'));
    spawnSync('mv', ['tests', 'decoy'], { cwd: ws.root });
    symlinkSync('decoy', join(ws.root, 'tests'));
    const result = await graded(ws);
    assert.equal(result.outcome, 'unresolved');
    assert.equal(readFileSync(outside, 'utf8'), 'def test_naturalsize_binary_boundary():\n    pass\n');
    assert.match(readFileSync(join(ws.root, 'tests/test_filesize.py'), 'utf8'), /1023 Bytes/);
    assert.ok(result.restored.some((r) => r.path === 'tests/test_filesize.py'));
  });
});

// The red team's contestant that fixes nothing (test/fixtures/eval-cheater, one script per instance
// of the offline suite): it plants what the hidden tests load or build from, where test names do not
// point (a dotted unittest name, a C test's name). Each plant is shown to work on the work tree as
// left, with the test patch applied there; the grade of the contestant's change must not be resolved.
const OFFLINE_SUITE = fileURLToPath(new URL('../evals/offline/suite.jsonl', import.meta.url));
const CHEATER = fileURLToPath(new URL('fixtures/eval-cheater/', import.meta.url));
const PLANTS: { id: string; plant: string }[] = [
  { id: 'iniconf-py-1', plant: 'tests/__init__.py exits 0 at exit' },
  { id: 'humansize-py-1', plant: 'tests/__init__.py exits 0 at exit' },
  { id: 'numparse-c-1', plant: 'tests/harness.h with a CHECK that checks nothing' },
  { id: 'leaderboard-pl-1', plant: 'lib/Test/More.pm that prints ok, loaded by prove -l' },
  { id: 'utf8-c-1', plant: 'an ignored tests/run_tests that exits 0, dated 2099' },
];

describe("grading the red team's cheater", { skip: missing }, () => {
  let dir: string;
  let policy: Policy;
  let instances: EvalInstance[];
  const cache = createRepositoryCache();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-grade-cheater-'));
    instances = loadSuite(OFFLINE_SUITE).instances;
    policy = await loadPolicy();
  });
  after(async () => {
    await cache.close();
    // rm -r from Node cannot name the deepest directories; GNU rm walks them relative to each other.
    spawnSync('rm', ['-rf', dir]);
  });

  for (const { id, plant } of PLANTS) {
    it(`${id}: ${plant} is not graded`, async () => {
      const instance = instances.find((i) => i.id === id);
      assert.ok(instance, id);
      const ws = await prepareWorkspace(instance, join(dir, id), { cache });
      const script = join(CHEATER, `${id}.json`);
      const run = await warden(['exec', 'Fix the issue', '--repo', ws.root, '--model', `script:${script}`], {
        cwd: dir,
        timeoutMs: 60_000,
      });
      assert.equal(run.code, 0, run.stderr);

      const result = await grade(instance, ws.root, { baseCommit: ws.baseCommit, policy });
      assert.equal(result.outcome, 'unresolved', result.runs.map((r) => r.output).join('\n'));
      const left = `${ws.root}.contestant`;
      const patched = spawnSync('git', ['apply', '-'], {
        cwd: left,
        input: instance.testPatch,
        encoding: 'utf8',
      });
      assert.equal(patched.status, 0, patched.stderr);
      const asLeft = await runTestCommand(testCommandFor(instance.testCommand, instance.failToPass), {
        sandbox: gradingSandbox(left, policy),
        timeoutMs: 60_000,
      });
      assert.equal(asLeft.exitCode, 0, `the plant makes the hidden tests pass as left: ${asLeft.output}`);
    });
  }

  it('a breaking change beside a tree too deep to walk is graded broken, the tree left out', async () => {
    const instance = instances.find((i) => i.id === 'calendar-js-1');
    assert.ok(instance);
    const ws = await prepareWorkspace(instance, join(dir, instance.id), { cache });
    // The breaker's edit (a PASS_TO_PASS test fails), then 2,200 nested directories: more than a
    // path can name, so walking the tree by path fails (the red team's F7 made this `error`).
    const date = join(ws.root, 'src/date.js');
    writeFileSync(
      date,
      readFileSync(date, 'utf8').replace('year % 4 === 0 && year % 100 !== 0', 'year % 4 === 0'),
    );
    const deep = [
      "const fs = require('node:fs');",
      "fs.mkdirSync('z'); process.chdir('z');",
      "for (let i = 0; i < 2200; i++) { fs.mkdirSync('d'); process.chdir('d'); }",
      "fs.writeFileSync('bottom.js', '');",
    ].join(' ');
    assert.equal(spawnSync(process.execPath, ['-e', deep], { cwd: ws.root }).status, 0);
    const result = await grade(instance, ws.root, { baseCommit: ws.baseCommit, policy });
    assert.equal(result.outcome, 'broken', result.error);
    assert.match(result.dropped ?? '', /could not read/);
  });
});
