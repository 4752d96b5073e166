import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isWardenError } from '../errors.ts';
import { createBwrapSandbox } from './bwrap.ts';
import { STDERR_TAIL_BYTES } from './spawn-sandboxed.ts';
import type { ProgramOutput, Sandbox, SandboxedProcess } from './types.ts';

// As in bwrap.test.ts: skipped only when bubblewrap is not installed at all.
const missing = spawnSync('bwrap', ['--version']).error ? 'bubblewrap (bwrap) is not installed' : false;

function readAll(stream: ProgramOutput): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** Live host processes running `sleep <marker>`, wherever in the tree they are. */
function sleepsOf(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (
        readFileSync(`/proc/${name}/cmdline`, 'utf8') === `sleep\0${marker}\0` &&
        !/^[ZX]/.test(readFileSync(`/proc/${name}/stat`, 'utf8').replace(/^.*\) /s, ''))
      )
        found.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('bubblewrap sandbox: a long-lived program with piped stdio', { skip: missing }, () => {
  let root: string;
  let workspace: string;
  let sandbox: Sandbox;
  // Killed after the tests whatever they assert, so a failure cannot leave the runner waiting.
  const started: SandboxedProcess[] = [];
  const spawn = async (argv: string[], extra: { readOnly?: string[]; signal?: AbortSignal } = {}) => {
    assert.ok(sandbox.spawn, 'the bubblewrap sandbox can spawn');
    const program = await sandbox.spawn({ argv, ...extra });
    started.push(program);
    return program;
  };

  before(() => {
    root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'warden-spawn-')));
    workspace = path.join(root, 'ws');
    mkdirSync(workspace);
    sandbox = createBwrapSandbox({ workspace });
  });
  after(async () => {
    for (const program of started) program.kill();
    await Promise.all(started.map((program) => program.exited));
    rmSync(root, { recursive: true, force: true });
  });

  it('talks over stdin and stdout, keeps the end of stderr, and reports the exit status', async () => {
    const program = await spawn([
      'bash',
      '-c',
      'echo starting >&2; while read -r line; do echo "got $line"; done; exit 3',
    ]);
    const out = readAll(program.stdout);
    program.stdin.write('one\n');
    program.stdin.write('two\n');
    program.stdin.end();
    assert.equal(await out, 'got one\ngot two\n');
    assert.deepEqual(await program.exited, { exitCode: 3, signal: null });
    assert.equal(program.stderrTail(), 'starting\n');
  });

  it('sees the paths it is given read-only and nothing else of the host', async () => {
    const install = path.join(root, 'install');
    mkdirSync(install);
    writeFileSync(path.join(install, 'tool.txt'), 'installed\n');
    writeFileSync(path.join(root, 'beside.txt'), 'host file\n');
    const program = await spawn(
      [
        'bash',
        '-c',
        `cat ${install}/tool.txt; echo x > ${install}/new 2>/dev/null || echo read-only; ` +
          `cat ${root}/beside.txt 2>/dev/null || echo hidden; echo "HOME=$HOME"; pwd`,
      ],
      { readOnly: [install] },
    );
    const out = await readAll(program.stdout);
    await program.exited;
    assert.equal(out, `installed\nread-only\nhidden\nHOME=/home/warden\n${workspace}\n`);
    assert.ok(!existsSync(path.join(install, 'new')));
  });

  it('kill() takes the whole process tree, a detached grandchild included', async () => {
    // A sleep length no other process on this host has: its command line is the marker.
    const marker = `${Math.floor(Math.random() * 1e6) + 1e6}.${process.pid}`;
    const program = await spawn(['bash', '-c', `setsid sleep ${marker} & sleep ${marker}`]);
    await until(() => sleepsOf(marker).length === 2);
    assert.equal(sleepsOf(marker).length, 2, 'both sleeps started');
    program.kill();
    assert.deepEqual(await program.exited, { exitCode: null, signal: 'SIGKILL' });
    await until(() => sleepsOf(marker).length === 0);
    assert.deepEqual(sleepsOf(marker), []);
  });

  it('an abort kills it; stderr is bounded to its last bytes', async () => {
    const controller = new AbortController();
    const program: SandboxedProcess = await spawn(
      ['bash', '-c', 'for i in $(seq 1 5000); do echo "line $i" >&2; done; echo done; sleep 1000'],
      { signal: controller.signal },
    );
    const out = readAll(program.stdout);
    await until(() => program.stderrTail().endsWith('line 5000\n'));
    controller.abort();
    assert.equal(await out, 'done\n');
    assert.deepEqual(await program.exited, { exitCode: null, signal: 'SIGKILL' });
    const tail = program.stderrTail();
    assert.match(tail, /^\[… \d+ bytes omitted …\]\n/);
    assert.ok(tail.endsWith('line 4999\nline 5000\n'));
    assert.ok(Buffer.byteLength(tail) < STDERR_TAIL_BYTES + 100);
  });

  it("runs under the sandbox's limits and file masks, like a command", async () => {
    writeFileSync(path.join(workspace, 'secret.env'), 'TOKEN=hunter2\n');
    const limited = createBwrapSandbox({
      workspace,
      limits: { fileSizeBytes: 1000 },
      hidden: (p) => p === 'secret.env',
    });
    assert.ok(limited.spawn);
    const program = await limited.spawn({
      argv: [
        'bash',
        '-c',
        'echo "secret=[$(cat secret.env)]"; head -c 2000 /dev/zero > big 2>/dev/null; wc -c < big',
      ],
    });
    started.push(program);
    assert.equal(await readAll(program.stdout), 'secret=[]\n1000\n');
    assert.equal((await program.exited).exitCode, 0);
  });

  it('refuses a working directory outside the workspace and a relative read-only path', async () => {
    const refused = async (request: Parameters<NonNullable<Sandbox['spawn']>>[0], pattern: RegExp) => {
      await assert.rejects(sandbox.spawn?.(request) ?? Promise.resolve(), (error: unknown) => {
        assert.ok(isWardenError(error));
        assert.equal(error.code, 'sandbox.bad-request');
        assert.match(error.message, pattern);
        return true;
      });
    };
    await refused({ argv: ['true'], cwd: '../..' }, /outside the workspace/);
    await refused({ argv: ['true'], readOnly: ['relative/dir'] }, /absolute/);
    await refused({ argv: ['true'], readOnly: [path.join(root, 'absent')] }, /does not exist/);
    await refused({ argv: [] }, /argv must name a program/);
  });
});
