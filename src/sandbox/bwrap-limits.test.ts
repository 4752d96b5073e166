import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBwrapSandbox } from './bwrap.ts';

// The kernel kills the tree at once; the grace is for a loaded CI machine scanning /proc.
const PROCESS_EXIT_GRACE_MS = 10_000;

import type { Sandbox } from './types.ts';

const missing = spawnSync('bwrap', ['--version']).error ? 'bubblewrap (bwrap) is not installed' : false;

/** Host pids of live (not zombie) processes whose command line carries `marker`. */
function hostProcessesWith(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const state = readFileSync(`/proc/${name}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
      if (cmdline.includes(marker) && state !== 'Z' && state !== 'X') found.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(25);
  }
  return check();
}

describe('bubblewrap sandbox: time, output and process control', { skip: missing }, () => {
  let root: string;
  let workspace: string;
  let sandbox: Sandbox;

  before(() => {
    root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'warden-bwrap-limits-')));
    workspace = path.join(root, 'ws');
    mkdirSync(path.join(workspace, 'sub'), { recursive: true });
    sandbox = createBwrapSandbox({ workspace });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('on timeout kills the whole process tree, background children included', async () => {
    const marker = `warden-marker-${randomUUID()}`;
    // The child renames itself to the marker so the host can find it; its pid inside is namespaced.
    const script = `(exec -a ${marker} sleep 1000) & echo $! > inner.pid; wait`;
    const running = sandbox.run({ argv: ['bash', '-c', script], timeoutMs: 1500 });
    let hostPids: number[] = [];
    const seen = await waitFor(() => {
      hostPids = hostProcessesWith(marker);
      return hostPids.length > 0;
    }, 1400);
    const result = await running;
    assert.ok(seen, 'the background child was running on the host before the timeout');
    assert.equal(result.timedOut, true);
    assert.equal(result.exitCode, null);
    assert.equal(result.signal, 'SIGKILL');
    assert.ok(result.durationMs >= 1500 && result.durationMs < 5000, `took ${result.durationMs} ms`);
    const innerPid = Number(readFileSync(path.join(workspace, 'inner.pid'), 'utf8'));
    assert.ok(!hostPids.includes(innerPid), 'the pid the command saw is not a host pid');
    assert.ok(
      await waitFor(() => hostProcessesWith(marker).length === 0, PROCESS_EXIT_GRACE_MS),
      `still alive: ${hostPids}`,
    );
  });

  it('takes background children down when the command exits by itself', async () => {
    const marker = `warden-marker-${randomUUID()}`;
    const result = await sandbox.run({
      argv: ['bash', '-c', `(exec -a ${marker} sleep 1000) & echo started`],
      timeoutMs: 10_000,
    });
    assert.equal(result.stdout, 'started\n');
    assert.equal(result.timedOut, false);
    assert.ok(result.durationMs < 5000, `took ${result.durationMs} ms`);
    assert.ok(await waitFor(() => hostProcessesWith(marker).length === 0, PROCESS_EXIT_GRACE_MS));
  });

  it('an abort signal kills the run the same way', async () => {
    const marker = `warden-marker-${randomUUID()}`;
    const controller = new AbortController();
    const running = sandbox.run({
      argv: ['bash', '-c', `exec -a ${marker} sleep 1000`],
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    assert.ok(await waitFor(() => hostProcessesWith(marker).length > 0, 3000));
    controller.abort();
    const result = await running;
    assert.equal(result.signal, 'SIGKILL');
    assert.equal(result.exitCode, null);
    assert.equal(result.timedOut, false);
    assert.ok(await waitFor(() => hostProcessesWith(marker).length === 0, PROCESS_EXIT_GRACE_MS));
  });

  it('an already aborted signal runs nothing', async () => {
    const result = await sandbox.run({
      argv: ['touch', 'should-not-exist'],
      timeoutMs: 10_000,
      signal: AbortSignal.abort(),
    });
    assert.equal(result.exitCode, null);
    assert.throws(() => readFileSync(path.join(workspace, 'should-not-exist')));
  });

  it('passes exit codes through', async () => {
    for (const code of [0, 1, 7, 42]) {
      const result = await sandbox.run({ argv: ['sh', '-c', `exit ${code}`], timeoutMs: 10_000 });
      assert.equal(result.exitCode, code);
      assert.equal(result.signal, null);
    }
  });

  it('feeds stdin when given, and /dev/null otherwise', async () => {
    const fed = await sandbox.run({ argv: ['cat'], stdin: 'line one\nline two\n', timeoutMs: 10_000 });
    assert.equal(fed.stdout, 'line one\nline two\n');
    const none = await sandbox.run({ argv: ['cat'], timeoutMs: 10_000 });
    assert.equal(none.stdout, '');
    assert.equal(none.exitCode, 0);
  });

  it('keeps the head and tail of stdout and stderr up to the cap and says it truncated', async () => {
    const result = await sandbox.run({
      argv: ['bash', '-c', 'head -c 200000 /dev/zero | tr "\\0" o; head -c 5000 /dev/zero | tr "\\0" e >&2'],
      maxOutputBytes: 1000,
      timeoutMs: 10_000,
    });
    assert.equal(result.exitCode, 0);
    assert.equal(result.stdout, `${'o'.repeat(500)}\n[… 199000 bytes omitted …]\n${'o'.repeat(500)}`);
    assert.equal(result.stderr, `${'e'.repeat(500)}\n[… 4000 bytes omitted …]\n${'e'.repeat(500)}`);
    assert.equal(result.truncated, true);
    const small = await sandbox.run({ argv: ['echo', 'short'], maxOutputBytes: 1000, timeoutMs: 10_000 });
    assert.equal(small.truncated, false);
  });

  it('runs in the requested directory of the workspace and refuses one outside it', async () => {
    const result = await sandbox.run({ argv: ['pwd'], cwd: 'sub', timeoutMs: 10_000 });
    assert.equal(result.stdout, `${path.join(workspace, 'sub')}\n`);
    await assert.rejects(sandbox.run({ argv: ['pwd'], cwd: '../..', timeoutMs: 10_000 }), {
      code: 'sandbox.bad-request',
    });
  });

  it('refuses an empty argv and a non-positive timeout', async () => {
    await assert.rejects(sandbox.run({ argv: [], timeoutMs: 1000 }), { code: 'sandbox.bad-request' });
    await assert.rejects(sandbox.run({ argv: ['true'], timeoutMs: 0 }), { code: 'sandbox.bad-request' });
  });

  it('refuses a workspace that would cover what the sandbox provides', async () => {
    const wholeHost = createBwrapSandbox({ workspace: '/' });
    await assert.rejects(wholeHost.run({ argv: ['true'], timeoutMs: 1000 }), { code: 'sandbox.bad-config' });
  });
});
