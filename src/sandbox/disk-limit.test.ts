import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBwrapSandbox } from './bwrap.ts';
import { treeUsage } from './disk-usage.ts';
import type { RunResult, Sandbox } from './types.ts';

const missing = spawnSync('bwrap', ['--version']).error ? 'bubblewrap (bwrap) is not installed' : false;

const MiB = 2 ** 20;
const CAP = 8 * MiB;
/** What each writer below tries to write in all: far past the cap, so a missed stop is plain. */
const ATTEMPT = 512 * MiB;

describe('the workspace disk limit', { skip: missing }, () => {
  let root: string;
  let workspace: string;
  let sandbox: Sandbox;
  const run = (command: string): Promise<RunResult> =>
    sandbox.run({ argv: ['bash', '-c', command], timeoutMs: 60_000 });
  const used = async () => (await treeUsage(workspace)).bytes;

  before(() => {
    root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'warden-disk-limit-')));
    workspace = path.join(root, 'ws');
    mkdirSync(workspace);
    sandbox = createBwrapSandbox({ workspace, limits: { diskBytes: CAP, fileSizeBytes: 2 ** 30 } });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('stops one file at the cap exactly: the kernel refuses the write past the room left', async () => {
    const result = await run(`head -c ${ATTEMPT} /dev/zero > big; echo "exit $?"`);
    assert.match(result.stdout, /exit 153/, 'SIGXFSZ');
    assert.deepEqual(result.disk && { stopped: result.disk.stopped, max: result.disk.maxBytes }, {
      stopped: true,
      max: CAP,
    });
    assert.ok((await used()) <= CAP + 64 * 1024, `${await used()} bytes used`);
  });

  it('when over, commands run with no room to write, can still delete, and nothing new is blamed on them', async () => {
    const write = await run('echo more > more.txt');
    assert.notEqual(write.exitCode, 0);
    const list = await run('ls big');
    assert.equal(list.exitCode, 0);
    assert.equal(list.disk?.stopped, false, 'over before it ran, and it added nothing');
    const clean = await run('rm -f big more.txt');
    assert.equal(clean.exitCode, 0);
    assert.equal(clean.disk, undefined, 'under the cap again');
  });

  it('kills a command writing many files once the tree passes the cap', async () => {
    const files = ATTEMPT / MiB;
    const result = await run(
      `for i in $(seq 1 ${files}); do head -c ${MiB} /dev/zero > f$i; done; echo done`,
    );
    assert.equal(result.signal, 'SIGKILL');
    assert.doesNotMatch(result.stdout, /done/);
    assert.equal(result.disk?.stopped, true);
    const after = await used();
    assert.ok(after > CAP && after < ATTEMPT / 4, `stopped at ${after} bytes of ${ATTEMPT} attempted`);
    await run('rm -f f*');
  });

  it('counts files deleted while held open, which no walk of the tree can see', async () => {
    const files = ATTEMPT / MiB;
    const result = await run(
      `for i in $(seq 1 ${files}); do exec {fd}>h$i; rm h$i; head -c ${MiB} /dev/zero >&$fd; done; echo done`,
    );
    assert.equal(result.signal, 'SIGKILL');
    assert.equal(result.disk?.stopped, true);
  });

  it('many empty files count as the inodes they use', async () => {
    const result = await run('mkdir d && cd d && for i in $(seq 1 100000); do : > e$i; done; echo done');
    assert.equal(result.signal, 'SIGKILL');
    assert.equal(result.disk?.stopped, true);
    await run('rm -rf d');
  });

  it('a command under the cap is untouched', async () => {
    const result = await run(`head -c ${MiB} /dev/zero > small && echo ok`);
    assert.equal(result.exitCode, 0);
    assert.equal(result.disk, undefined);
  });
});
