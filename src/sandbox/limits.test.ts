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
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBwrapSandbox } from './bwrap.ts';
import { cgroupCandidates, parseCgroupMounts, parseProcCgroup } from './cgroups.ts';
import { cgroupLauncher, createLimiter, type LimitsSupport, limitsSupport, rlimitCommand } from './limits.ts';
import type { Sandbox } from './types.ts';

const HYBRID_MOUNTINFO = [
  '30 25 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755',
  '31 30 0:27 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  '34 30 0:30 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  '35 30 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '36 30 0:33 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
  '40 25 8:1 / /home/my\\040dir rw - ext4 /dev/sda1 rw',
].join('\n');

describe('cgroup discovery (pure)', () => {
  it('reads the cgroup mounts of mountinfo, and only those', () => {
    const mounts = parseCgroupMounts(HYBRID_MOUNTINFO);
    assert.deepEqual(
      mounts.map((m) => [m.mountPoint, m.fsType]),
      [
        ['/sys/fs/cgroup/unified', 'cgroup2'],
        ['/sys/fs/cgroup/pids', 'cgroup'],
        ['/sys/fs/cgroup/memory', 'cgroup'],
        ['/sys/fs/cgroup/cpu,cpuacct', 'cgroup'],
      ],
    );
    assert.ok(mounts[2]?.superOptions.includes('memory'));
  });

  it('reads our own cgroup per hierarchy', () => {
    const own = parseProcCgroup('9:name=systemd:/\n8:pids:/\n4:memory:/jobs/42\n2:cpu,cpuacct:/\n0::/\n');
    assert.equal(own.v2, '/');
    assert.equal(own.v1.get('memory'), '/jobs/42');
    assert.equal(own.v1.get('cpuacct'), '/');
  });

  it('on a hybrid host uses the v1 hierarchies, under our own cgroup', () => {
    const own = parseProcCgroup('8:pids:/\n4:memory:/jobs/42\n0::/\n');
    assert.deepEqual(cgroupCandidates(parseCgroupMounts(HYBRID_MOUNTINFO), own), {
      pids: { version: 1, dir: '/sys/fs/cgroup/pids' },
      memory: { version: 1, dir: '/sys/fs/cgroup/memory/jobs/42' },
    });
  });

  it('on a pure v2 host uses the one tree; a mount rooted below / is resolved against its root', () => {
    const mounts = parseCgroupMounts('31 25 0:27 /ctr /sys/fs/cgroup rw - cgroup2 cgroup2 rw');
    const base = { version: 2, dir: '/sys/fs/cgroup/app' };
    assert.deepEqual(cgroupCandidates(mounts, parseProcCgroup('0::/ctr/app\n')), {
      pids: base,
      memory: base,
    });
  });

  it('finds nothing without cgroup mounts', () => {
    assert.deepEqual(cgroupCandidates([], parseProcCgroup('0::/\n')), {});
  });
});

describe('limit wrappers (pure)', () => {
  it('uses prlimit with bytes and a soft/hard CPU pair, the command after --', () => {
    assert.deepEqual(
      rlimitCommand({ fileSizeBytes: 10_485_760, cpuSeconds: 5 }, ['-x', 'a b'], '/usr/bin/prlimit'),
      ['/usr/bin/prlimit', '--fsize=10485760', '--cpu=5:6', '--', '-x', 'a b'],
    );
    assert.deepEqual(rlimitCommand({}, ['true'], '/usr/bin/prlimit'), ['true']);
  });

  it('falls back to sh ulimit in 512-byte blocks, values as arguments', () => {
    const argv = rlimitCommand({ fileSizeBytes: 10_000 }, ['echo', '$(id)'], undefined);
    assert.deepEqual(argv.slice(3), ['sh', '19', 'unlimited', 'echo', '$(id)']);
    const run = spawnSync(
      argv[0] as string,
      [...argv.slice(1, 3), 'sh', '19', 'unlimited', 'sh', '-c', 'ulimit -f'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(run.stdout.trim(), '19');
  });

  it('the launcher writes its pid into every file named, whatever the path, then execs the rest', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-launcher-'));
    try {
      const files = [path.join(dir, 'a b'), path.join(dir, '$(touch pwned)'), path.join(dir, '--')];
      for (const f of files) writeFileSync(f, '');
      const argv = [...cgroupLauncher(files), '/bin/sh', '-c', 'echo $$'];
      const run = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8', cwd: dir });
      assert.equal(run.status, 0, run.stderr);
      const pid = run.stdout.trim();
      for (const f of files) assert.equal(readFileSync(f, 'utf8').trim(), pid, f);
      assert.equal(existsSync(path.join(dir, 'pwned')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('limits that cannot be enforced', () => {
  const without: LimitsSupport = {
    enforceable: {
      fileSizeBytes: true,
      cpuSeconds: true,
      diskBytes: true,
      processes: false,
      memoryBytes: false,
    },
    reasons: { processes: 'cgroup not writable', memoryBytes: 'cgroup not writable' },
    cgroups: {},
  };

  it('refuse at creation, naming the limit and why', () => {
    assert.throws(
      () => createLimiter({ processes: 64 }, without),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'sandbox.limits_unavailable');
        assert.match(error.message, /processes: cgroup not writable/);
        return true;
      },
    );
    assert.throws(() => createLimiter({ memoryBytes: 1 << 20, fileSizeBytes: 1 }, without), {
      code: 'sandbox.limits_unavailable',
    });
  });

  it('rlimits alone still work without cgroups', () => {
    assert.doesNotThrow(() => createLimiter({ fileSizeBytes: 1024, cpuSeconds: 1 }, without));
  });

  it('malformed values are a configuration error', () => {
    for (const limits of [{ processes: 0 }, { memoryBytes: -1 }, { cpuSeconds: 1.5 }]) {
      assert.throws(() => createBwrapSandbox({ workspace: os.tmpdir(), limits }), {
        code: 'sandbox.bad-config',
      });
    }
  });
});

const missing = spawnSync('bwrap', ['--version']).error ? 'bubblewrap (bwrap) is not installed' : false;
const support = limitsSupport();
const noCgroups =
  !support.enforceable.processes || !support.enforceable.memoryBytes
    ? `cgroups are not writable here: ${Object.values(support.reasons).join('; ')}`
    : false;

/** The per-command cgroups that exist now under a controller's `warden/`. */
function commandCgroups(controller: 'pids' | 'memory'): string[] {
  const base = support.cgroups[controller];
  if (base === undefined) return [];
  const dir = path.join(base.dir, 'warden');
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(dir, e.name));
}

describe('limits in the sandbox', { skip: missing }, () => {
  let root: string;
  let workspace: string;
  before(() => {
    root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'warden-limits-')));
    workspace = path.join(root, 'ws');
    mkdirSync(workspace);
  });
  after(() => rmSync(root, { recursive: true, force: true }));
  const sandboxWith = (limits: Parameters<typeof createBwrapSandbox>[0]['limits']): Sandbox =>
    createBwrapSandbox({ workspace, limits });

  it('a 5 GB file stops at the file-size limit', async () => {
    const sandbox = sandboxWith({ fileSizeBytes: 10 * 1024 * 1024 });
    const result = await sandbox.run({
      argv: ['bash', '-c', 'head -c 5G /dev/zero > big'],
      timeoutMs: 20_000,
    });
    assert.equal(result.exitCode, 128 + 25, 'head died of SIGXFSZ');
    assert.match(result.stderr, /File size limit exceeded/);
    assert.equal(result.timedOut, false);
    assert.ok(statSync(path.join(workspace, 'big')).size <= 10 * 1024 * 1024);
    rmSync(path.join(workspace, 'big'));
  });

  it('a busy loop is stopped at the CPU limit', async () => {
    const sandbox = sandboxWith({ cpuSeconds: 1 });
    const result = await sandbox.run({ argv: ['node', '-e', 'for (;;) {}'], timeoutMs: 15_000 });
    assert.equal(result.timedOut, false);
    assert.equal(result.exitCode, 128 + 24, 'node died of SIGXCPU');
    assert.ok(result.durationMs < 6000, `took ${result.durationMs} ms`);
  });

  it('a fork bomb is contained by the process limit and cleaned up', { skip: noCgroups }, async () => {
    const sandbox = sandboxWith({ processes: 64 });
    const before = new Set(commandCgroups('pids'));
    let peak = 0;
    let hitLimit = false;
    let seen: string | undefined;
    const watch = setInterval(() => {
      for (const dir of commandCgroups('pids').filter((d) => !before.has(d))) {
        seen = dir;
        try {
          const current = Number(readFileSync(path.join(dir, 'pids.current'), 'utf8'));
          const recorded = existsSync(path.join(dir, 'pids.peak'))
            ? Number(readFileSync(path.join(dir, 'pids.peak'), 'utf8'))
            : current;
          peak = Math.max(peak, current, recorded);
          hitLimit ||= /^max [1-9]/m.test(readFileSync(path.join(dir, 'pids.events'), 'utf8'));
        } catch {
          // Removed while we read.
        }
      }
    }, 20);
    const result = await sandbox.run({ argv: ['bash', '-c', ':(){ :|:& };:; sleep 60'], timeoutMs: 3000 });
    clearInterval(watch);
    assert.equal(result.timedOut, true);
    assert.ok(seen !== undefined, 'the command ran in its own pids cgroup');
    assert.ok(hitLimit, 'the bomb reached the limit');
    assert.ok(peak > 0 && peak <= 64 + 2, `peak ${peak} processes (64 + bwrap's two)`);
    assert.equal(existsSync(seen), false, 'the cgroup is removed afterwards');
    const quick = await sandbox.run({ argv: ['echo', 'fine'], timeoutMs: 10_000 });
    assert.equal(quick.stdout, 'fine\n');
  });

  it('a memory hog is killed at the memory limit and its cgroup removed', { skip: noCgroups }, async () => {
    const sandbox = sandboxWith({ memoryBytes: 200 * 1024 * 1024 });
    const before = new Set(commandCgroups('memory'));
    const hog = 'const keep = []; for (;;) keep.push(Buffer.alloc(1 << 30, 1)); console.log("survived")';
    const result = await sandbox.run({ argv: ['node', '-e', hog], timeoutMs: 20_000 });
    assert.equal(result.timedOut, false);
    assert.equal(result.exitCode, 128 + 9, 'the OOM killer SIGKILLed node');
    assert.doesNotMatch(result.stdout, /survived/);
    assert.deepEqual(
      commandCgroups('memory').filter((d) => !before.has(d)),
      [],
    );
    const fits = await sandbox.run({
      argv: ['node', '-e', 'Buffer.alloc(50 << 20, 1); console.log("ok")'],
      timeoutMs: 20_000,
    });
    assert.equal(fits.stdout, 'ok\n', fits.stderr);
  });
});
