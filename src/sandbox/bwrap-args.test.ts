import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BwrapPlan,
  buildBwrapArgs,
  encodeArgs,
  envArgs,
  type HostLayout,
  isolationArgs,
  readOnlyConflict,
  SANDBOX_HOME,
  synthesizedEtc,
  workspaceConflict,
} from './bwrap-args.ts';

const debianLayout: HostLayout = {
  system: [
    { path: '/usr', kind: 'dir' },
    { path: '/bin', kind: 'symlink', target: 'usr/bin' },
    { path: '/lib', kind: 'symlink', target: 'usr/lib' },
    { path: '/lib64', kind: 'symlink', target: 'usr/lib64' },
  ],
  etc: ['/etc/ld.so.cache', '/etc/ssl/certs'],
};

function plan(overrides: Partial<BwrapPlan> = {}): BwrapPlan {
  return {
    layout: debianLayout,
    features: { disableUserns: true, tmpfsSize: true },
    workspace: '/srv/ws',
    cwd: '/srv/ws/pkg',
    readOnly: ['/opt/node/bin/node'],
    ...overrides,
  };
}

/** Every [option, ...operands] occurrence of `option`. */
function occurrences(args: string[], option: string, operands: number): string[][] {
  const found: string[][] = [];
  args.forEach((arg, i) => {
    if (arg === option) found.push(args.slice(i + 1, i + 1 + operands));
  });
  return found;
}

describe('buildBwrapArgs', () => {
  it('unshares every namespace, the network included, as a fixed unprivileged user with no capabilities', () => {
    const args = buildBwrapArgs(plan());
    for (const flag of ['--unshare-all', '--unshare-user', '--die-with-parent', '--new-session']) {
      assert.ok(args.includes(flag), flag);
    }
    assert.ok(!args.includes('--share-net'));
    assert.deepEqual(occurrences(args, '--uid', 1), [['1000']]);
    assert.deepEqual(occurrences(args, '--cap-drop', 1), [['ALL']]);
    assert.deepEqual(occurrences(args, '--hostname', 1), [['warden']]);
    assert.ok(!args.includes('--cap-add'));
  });

  it('disables nested user namespaces only when this bwrap can', () => {
    assert.ok(isolationArgs({ disableUserns: true, tmpfsSize: true }).includes('--disable-userns'));
    assert.ok(!isolationArgs({ disableUserns: false, tmpfsSize: true }).includes('--disable-userns'));
  });

  it('makes the workspace the only writable bind', () => {
    const args = buildBwrapArgs(plan());
    assert.deepEqual(occurrences(args, '--bind', 2), [['/srv/ws', '/srv/ws']]);
    for (const writable of [
      '--bind-try',
      '--dev-bind',
      '--dev-bind-try',
      '--bind-data',
      '--bind-fd',
      '--file',
    ]) {
      assert.ok(!args.includes(writable), writable);
    }
  });

  it('binds system directories read-only and recreates merged-/usr symlinks', () => {
    const args = buildBwrapArgs(plan());
    assert.deepEqual(occurrences(args, '--ro-bind', 2)[0], ['/usr', '/usr']);
    assert.deepEqual(occurrences(args, '--symlink', 2), [
      ['usr/bin', '/bin'],
      ['usr/lib', '/lib'],
      ['usr/lib64', '/lib64'],
    ]);
    assert.deepEqual(occurrences(args, '--ro-bind-try', 2), [
      ['/etc/ld.so.cache', '/etc/ld.so.cache'],
      ['/etc/ssl/certs', '/etc/ssl/certs'],
    ]);
  });

  it('mounts nothing of the host beyond the system, the workspace and the read-only extras', () => {
    const args = buildBwrapArgs(plan());
    const sources = [
      ...occurrences(args, '--ro-bind', 2).map(([src]) => src),
      ...occurrences(args, '--ro-bind-try', 2).map(([src]) => src),
      ...occurrences(args, '--bind', 2).map(([src]) => src),
    ];
    assert.deepEqual(sources.sort(), [
      '/etc/ld.so.cache',
      '/etc/ssl/certs',
      '/opt/node/bin/node',
      '/srv/ws',
      '/usr',
    ]);
  });

  it('synthesizes passwd, group and hosts, and gives fresh tmpfs /tmp and HOME, size-capped', () => {
    const args = buildBwrapArgs(plan());
    assert.deepEqual(
      occurrences(args, '--ro-bind-data', 2).map(([, dest]) => dest),
      ['/etc/passwd', '/etc/group', '/etc/hosts'],
    );
    assert.deepEqual(
      occurrences(args, '--tmpfs', 1).map(([dest]) => dest),
      ['/tmp', SANDBOX_HOME, '/dev/shm'],
    );
    assert.equal(occurrences(args, '--size', 1).length, 3);
    assert.equal(
      occurrences(buildBwrapArgs(plan({ features: { disableUserns: true, tmpfsSize: false } })), '--size', 1)
        .length,
      0,
    );
  });

  it('layers read-only paths around the workspace so neither hides the other', () => {
    const args = buildBwrapArgs(plan({ readOnly: ['/srv/ws/vendor', '/srv'] }));
    const at = (src: string, option: string) => args.findIndex((a, i) => a === src && args[i - 1] === option);
    assert.ok(at('/srv', '--ro-bind') < at('/srv/ws', '--bind'), 'a parent goes under the workspace');
    assert.ok(at('/srv/ws/vendor', '--ro-bind') > at('/srv/ws', '--bind'), 'a child goes over it');
  });

  it('mounts extra binds after everything else, read-only unless said otherwise', () => {
    const args = buildBwrapArgs(
      plan({
        binds: [
          { source: '/tmp/agent-home', dest: SANDBOX_HOME, writable: true },
          { source: '/tmp/shim', dest: '/usr/bin/bash' },
        ],
      }),
    );
    assert.deepEqual(occurrences(args, '--bind', 2), [
      ['/srv/ws', '/srv/ws'],
      ['/tmp/agent-home', SANDBOX_HOME],
    ]);
    assert.deepEqual(occurrences(args, '--ro-bind', 2).at(-1), ['/tmp/shim', '/usr/bin/bash']);
    const home = args.indexOf('/tmp/agent-home');
    assert.ok(home > args.lastIndexOf(SANDBOX_HOME, home - 2), 'over the fresh HOME, not under it');
    assert.ok(args.indexOf('/tmp/shim') < args.indexOf('--remount-ro'));
  });

  it('makes the root and /dev read-only after every mount, and starts in the requested directory', () => {
    const args = buildBwrapArgs(plan());
    assert.deepEqual(occurrences(args, '--remount-ro', 1), [['/dev'], ['/']]);
    const remount = args.indexOf('--remount-ro');
    const lastMount = Math.max(
      ...args.flatMap((a, i) => (/^--(ro-)?bind|^--tmpfs|^--symlink/.test(a) ? [i] : [])),
    );
    assert.ok(remount > lastMount);
    assert.deepEqual(occurrences(args, '--chdir', 1), [['/srv/ws/pkg']]);
  });
});

describe('conflicts', () => {
  it('refuses a workspace at or above what the sandbox provides', () => {
    for (const ws of ['/', '/usr', '/home', SANDBOX_HOME, '/tmp', '/etc', '/proc']) {
      assert.ok(workspaceConflict(ws, debianLayout), ws);
    }
    for (const ws of ['/tmp/project', '/home/alice/project', '/usr/src/project', '/srv/ws']) {
      assert.equal(workspaceConflict(ws, debianLayout), undefined, ws);
    }
  });

  it('refuses a read-only path that would hide /proc, /tmp or HOME', () => {
    assert.ok(readOnlyConflict('/', debianLayout));
    assert.ok(readOnlyConflict('/home', debianLayout));
    assert.equal(readOnlyConflict('/opt/toolchain', debianLayout), undefined);
  });
});

describe('argument encoding', () => {
  it('clears the environment before setting it', () => {
    assert.deepEqual(envArgs({ A: '1', B: 'two words' }), [
      '--clearenv',
      '--setenv',
      'A',
      '1',
      '--setenv',
      'B',
      'two words',
    ]);
  });

  it('NUL-terminates each argument and refuses embedded NULs', () => {
    assert.equal(encodeArgs(['--chdir', '/a b']), '--chdir\0/a b\0');
    assert.throws(() => encodeArgs(['--setenv', 'X', 'a\0--bind']));
  });

  it('names no host account in the synthesized passwd', () => {
    const { passwd, group, hosts } = synthesizedEtc();
    assert.deepEqual(
      passwd
        .trim()
        .split('\n')
        .map((line) => line.split(':')[0]),
      ['root', 'warden', 'nobody'],
    );
    assert.match(passwd, /^warden:x:1000:1000:[^:]*:\/home\/warden:/m);
    assert.match(group, /^warden:x:1000:$/m);
    assert.match(hosts, /^127\.0\.0\.1\s+localhost/m);
  });
});
