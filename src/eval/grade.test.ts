import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WardenError } from '../errors.ts';
import { loadPolicy } from '../policy/load.ts';
import type { Policy } from '../policy/types.ts';
import { grade, gradingSandbox, runSetup } from './grade.ts';
import { createRepositoryCache } from './repository-cache.ts';
import { runTestCommand } from './test-command.ts';
import type { EvalInstance } from './types.ts';
import { type PreparedWorkspace, prepareWorkspace } from './workspace.ts';

// A plain-directory project graded with make: the test command runs make targets, so the Makefile
// and package.json scripts decide what "passed" means, and the contestant can write both.

const missing = spawnSync('bwrap', ['--version']).error ? 'bubblewrap (bwrap) is not installed' : false;

const MAKEFILE = 'test-%:\n\t@bash tests/$*.sh\n\nbuild:\n\t@echo built > build.txt\n';
const PACKAGE = { name: 'calc', private: true, scripts: { test: 'make -s test-add test-mul' } };

const TEST_PATCH = [
  'diff --git a/tests/add.sh b/tests/add.sh',
  'new file mode 100644',
  '--- /dev/null',
  '+++ b/tests/add.sh',
  '@@ -0,0 +1,2 @@',
  '+source ./calc.sh',
  '+[ "$(add 2 3)" = 5 ] || { echo "add 2 3 gave $(add 2 3)"; exit 1; }',
  '',
].join('\n');

describe('grading a make-based project', { skip: missing }, () => {
  let dir: string;
  let policy: Policy;
  let instance: EvalInstance;
  const cache = createRepositoryCache();
  let count = 0;
  const workspace = () => prepareWorkspace(instance, join(dir, 'ws', String(++count)), { cache });
  const graded = (ws: PreparedWorkspace) => grade(instance, ws.root, { baseCommit: ws.baseCommit, policy });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-grade-'));
    const project = join(dir, 'calc');
    mkdirSync(join(project, 'tests'), { recursive: true });
    writeFileSync(
      join(project, 'calc.sh'),
      'add() { echo $(( $1 - $2 )); }\nmul() { echo $(( $1 * $2 )); }\n[ -f cache/calc.sh ] && source cache/calc.sh\n',
    );
    // A build cache the project ignores, read when present.
    writeFileSync(join(project, '.gitignore'), '/cache/\n');
    writeFileSync(join(project, 'tests/mul.sh'), 'source ./calc.sh\n[ "$(mul 2 3)" = 6 ]\n');
    writeFileSync(join(project, 'Makefile'), MAKEFILE);
    writeFileSync(join(project, 'package.json'), `${JSON.stringify(PACKAGE, null, 2)}\n`);
    instance = {
      id: 'calc-1',
      repository: project,
      baseCommit: undefined,
      problemStatement: 'add subtracts',
      testPatch: TEST_PATCH,
      failToPass: ['test-add'],
      passToPass: ['test-mul'],
      setup: 'make -s build',
      testCommand: 'make -s {tests}',
      timeoutSeconds: 60,
    };
    policy = await loadPolicy();
  });
  after(async () => {
    await cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the fix resolves it; no fix leaves it unresolved', async () => {
    const fixed = await workspace();
    writeFileSync(
      join(fixed.root, 'calc.sh'),
      readFileSync(join(fixed.root, 'calc.sh'), 'utf8').replace('$1 - $2', '$1 + $2'),
    );
    assert.equal((await graded(fixed)).outcome, 'resolved');
    assert.equal((await graded(await workspace())).outcome, 'unresolved');
  });

  it('a rewritten Makefile and npm test script are put back; the dependencies stay; .git stays as it was', async () => {
    const ws = await workspace();
    const gitConfig = readFileSync(join(ws.root, '.git/config'), 'utf8');
    writeFileSync(join(ws.root, 'Makefile'), 'test-%:\n\t@true\n');
    writeFileSync(
      join(ws.root, 'package.json'),
      JSON.stringify({ ...PACKAGE, scripts: { test: 'exit 0' }, dependencies: { 'left-pad': '1.3.0' } }),
    );
    // The code under test reaches for the grader's git when the tests load it.
    writeFileSync(
      join(ws.root, 'calc.sh'),
      `printf '[core]\\n\\tfsmonitor = touch /tmp/owned\\n' >> .git/config 2>/dev/null\nmkdir -p .git/hooks 2>/dev/null\n${readFileSync(join(ws.root, 'calc.sh'), 'utf8')}`,
    );
    const sandbox = gradingSandbox(ws.root, policy);
    assert.equal((await runTestCommand('make -s test-add', { sandbox, timeoutMs: 30_000 })).exitCode, 0);

    const result = await graded(ws);
    assert.equal(result.outcome, 'unresolved');
    assert.deepEqual(result.restored.map((r) => `${r.path}: ${r.why}`).sort(), [
      'Makefile: runner file',
      'package.json: runner settings',
    ]);
    assert.equal(readFileSync(join(ws.root, 'Makefile'), 'utf8'), MAKEFILE);
    const pkg = JSON.parse(readFileSync(join(ws.root, 'package.json'), 'utf8'));
    assert.deepEqual(pkg.scripts, PACKAGE.scripts);
    assert.deepEqual(pkg.dependencies, { 'left-pad': '1.3.0' });
    assert.equal(readFileSync(join(ws.root, '.git/config'), 'utf8'), gitConfig);
    assert.equal(existsSync(join(ws.root, '.git/hooks')), false);
  });

  it('files the base ignores are not graded, even when the contestant un-ignores them', async () => {
    const ws = await workspace();
    mkdirSync(join(ws.root, 'cache'));
    writeFileSync(join(ws.root, 'cache/calc.sh'), 'add() { echo $(( $1 + $2 )); }\n');
    writeFileSync(join(ws.root, '.gitignore'), '');
    const sandbox = gradingSandbox(ws.root, policy);
    assert.equal(
      (await runTestCommand('source ./calc.sh; [ "$(add 2 3)" = 5 ]', { sandbox, timeoutMs: 30_000 }))
        .exitCode,
      0,
    );
    const result = await graded(ws);
    assert.equal(result.outcome, 'unresolved');
    assert.match(result.dropped ?? '', /files the base commit ignores \(cache\/calc\.sh\)/);
    assert.equal(existsSync(join(ws.root, 'cache')), false);
    assert.equal(
      readFileSync(join(ws.root, '.gitignore'), 'utf8'),
      '',
      "the contestant's .gitignore is its change",
    );
  });

  it('runSetup runs the setup in the sandbox; a failing one says why', async () => {
    const ws = await workspace();
    const sandbox = gradingSandbox(ws.root, policy);
    assert.equal((await runSetup(instance, { sandbox })).ok, true);
    assert.equal(readFileSync(join(ws.root, 'build.txt'), 'utf8'), 'built\n');
    const failed = await runSetup({ ...instance, setup: 'echo no compiler >&2; exit 3' }, { sandbox });
    assert.equal(failed.ok, false);
    assert.equal(failed.ok === false && failed.error, 'setup failed: exited with 3: no compiler');
    // A server on the host's loopback: reachable from here, not from the sandbox's own network.
    const server = createServer((socket) => socket.end()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const offline = await runSetup(
        { ...instance, setup: `exec 3<>/dev/tcp/127.0.0.1/${port}` },
        { sandbox },
      );
      assert.equal(offline.ok, false, 'setup has no network');
    } finally {
      server.close();
    }
  });

  it("the tests' Python reads no bytecode the contestant left in __pycache__", async () => {
    const ws = await workspace();
    writeFileSync(join(ws.root, 'helper.py'), 'def ok():\n    return False\n');
    // A lying helper, compiled with the real one's size and time: Python would take it for the real one's cache.
    const lie = join(dir, 'lie.py');
    writeFileSync(lie, 'def ok():\n    return True \n');
    const { atime, mtime } = statSync(join(ws.root, 'helper.py'));
    utimesSync(lie, atime, mtime);
    const cached = join(ws.root, '__pycache__', 'helper.cpython-311.pyc');
    const compile = `import py_compile; py_compile.compile(${JSON.stringify(lie)}, cfile=${JSON.stringify(cached)})`;
    assert.equal(spawnSync('/usr/bin/python3', ['-c', compile]).status, 0);
    const probe = ['/usr/bin/python3', '-c', 'import helper; print(helper.ok())'];
    assert.equal(
      spawnSync(probe[0] ?? '', probe.slice(1), { cwd: ws.root, encoding: 'utf8' }).stdout.trim(),
      'True',
    );
    const graded = await runTestCommand(`${probe[0]} -c 'import helper; print(helper.ok())'`, {
      sandbox: gradingSandbox(ws.root, policy),
      timeoutMs: 30_000,
    });
    assert.equal(graded.output.trim(), 'False');
  });

  it('an ungradable workspace is an error outcome; a cancelled grade rejects', async () => {
    const ws = await workspace();
    const _sandbox = gradingSandbox(ws.root, policy);
    const lost = await grade(instance, ws.root, { baseCommit: 'f'.repeat(40), policy });
    assert.equal(lost.outcome, 'error');
    assert.match(lost.error ?? '', /^grading failed: git read-tree failed/);
    const controller = new AbortController();
    const slow = { ...instance, testCommand: 'sleep 60; make -s {tests}' };
    const pending = grade(slow, ws.root, { baseCommit: ws.baseCommit, policy, signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(
      pending,
      (error: unknown) => error instanceof WardenError && error.code === 'eval.cancelled',
    );
  });
});
