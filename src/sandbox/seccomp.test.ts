import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBwrapSandbox } from './bwrap.ts';
import {
  AUDIT_ARCH,
  type BpfInstruction,
  buildSeccompFilter,
  DENIED_SYSCALLS,
  ENOSYS,
  EPERM,
  encodeFilter,
  hostSeccompProgram,
  SECCOMP_RET_ALLOW,
  SECCOMP_RET_ERRNO,
  SECCOMP_RET_KILL_PROCESS,
  type SeccompArch,
  SYSCALLS,
  seccompArch,
  seccompProgram,
} from './seccomp.ts';
import type { Sandbox } from './types.ts';

/** A classic-BPF interpreter for the opcodes the filter uses: runs it as the kernel would. */
function evaluate(
  program: readonly BpfInstruction[],
  data: { arch: number; nr: number; args?: bigint[] },
): number {
  const word = (offset: number): number => {
    if (offset === 0) return data.nr >>> 0;
    if (offset === 4) return data.arch >>> 0;
    const arg = data.args?.[(offset - 16) >> 3] ?? 0n;
    return Number((offset - 16) % 8 === 0 ? arg & 0xffffffffn : arg >> 32n);
  };
  let a = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const ins = program[pc] as BpfInstruction;
    if (ins.code === 0x20) a = word(ins.k);
    else if (ins.code === 0x06) return ins.k >>> 0;
    else {
      const taken =
        ins.code === 0x15 ? a === ins.k >>> 0 : ins.code === 0x35 ? a >= ins.k >>> 0 : (a & ins.k) !== 0;
      pc += taken ? ins.jt : ins.jf;
    }
  }
  throw new Error('fell off the end of the program');
}

const errno = (e: number): number => (SECCOMP_RET_ERRNO | e) >>> 0;

describe('seccomp filter: encoding', () => {
  it('encodes sock_filter as u16 code, u8 jt, u8 jf, u32 k, little-endian', () => {
    const bytes = encodeFilter([
      { code: 0x20, jt: 0, jf: 0, k: 4 },
      { code: 0x15, jt: 1, jf: 2, k: 0xc000003e },
      { code: 0x06, jt: 0, jf: 0, k: SECCOMP_RET_ALLOW },
    ]);
    assert.equal(
      bytes.toString('hex'),
      ['2000 00 00 04000000', '1500 01 02 3e0000c0', '0600 00 00 0000ff7f'].join('').replaceAll(' ', ''),
    );
  });

  it('produces whole instructions for both architectures, with the arch check first', () => {
    for (const arch of ['x64', 'arm64'] as const) {
      const bytes = seccompProgram(arch);
      assert.equal(bytes.length % 8, 0);
      assert.equal(bytes.readUInt16LE(0), 0x20);
      assert.equal(bytes.readUInt32LE(4), 4, 'loads seccomp_data.arch');
      assert.equal(bytes.readUInt32LE(12), AUDIT_ARCH[arch]);
    }
  });

  it('knows x64 and arm64 only, and refuses to build for another host', () => {
    assert.equal(seccompArch('x64'), 'x64');
    assert.equal(seccompArch('arm64'), 'arm64');
    assert.equal(seccompArch('riscv64'), undefined);
    assert.throws(() => hostSeccompProgram('riscv64'), { code: 'sandbox.bad-config' });
  });
});

describe('seccomp filter: decisions', () => {
  const cases: { arch: SeccompArch; call: string; args?: bigint[]; want: number; why: string }[] = [];
  for (const arch of ['x64', 'arm64'] as const) {
    const nr = SYSCALLS[arch];
    const add = (call: string, want: number, why: string, args?: bigint[]) =>
      cases.push({ arch, call, want, why, ...(args === undefined ? {} : { args }) });
    for (const name of DENIED_SYSCALLS)
      if (nr[name] !== undefined) add(name, errno(EPERM), 'denied outright');
    add('clone3', errno(ENOSYS), 'libc falls back to clone');
    add('clone', SECCOMP_RET_ALLOW, 'fork-style clone', [0x01200011n]);
    add('clone', SECCOMP_RET_ALLOW, 'thread-style clone', [0x003d0f00n]);
    add('clone', errno(EPERM), 'CLONE_NEWUSER', [0x10000000n | 17n]);
    add('clone', errno(EPERM), 'CLONE_NEWNS', [0x00020000n]);
    add('clone', errno(EPERM), 'CLONE_NEWNET', [0x40000000n]);
    add('clone', errno(EPERM), 'CLONE_NEWCGROUP', [0x02000000n]);
    add('ioctl', errno(EPERM), 'TIOCSTI', [0n, 0x5412n]);
    add('ioctl', errno(EPERM), 'TIOCSTI with high bits the kernel ignores', [0n, 0xffffffff00005412n]);
    add('ioctl', errno(EPERM), 'TIOCLINUX', [0n, 0x541cn]);
    add('ioctl', SECCOMP_RET_ALLOW, 'TCGETS', [0n, 0x5401n]);
    add('ioctl', SECCOMP_RET_ALLOW, 'FIONREAD', [0n, 0x541bn]);
    add('personality', SECCOMP_RET_ALLOW, 'PER_LINUX', [0n]);
    add('personality', SECCOMP_RET_ALLOW, 'the query', [0xffffffffn]);
    add('personality', errno(EPERM), 'ADDR_NO_RANDOMIZE', [0x0040000n]);
    add('personality', errno(EPERM), 'READ_IMPLIES_EXEC', [0x0400000n]);
  }

  for (const c of cases) {
    it(`${c.arch}: ${c.call} (${c.why})`, () => {
      const nr = SYSCALLS[c.arch][c.call] as number;
      const got = evaluate(buildSeccompFilter(c.arch), {
        arch: AUDIT_ARCH[c.arch],
        nr,
        ...(c.args === undefined ? {} : { args: c.args }),
      });
      assert.equal(got.toString(16), c.want.toString(16));
    });
  }

  it('allows everything else', () => {
    const ordinary: Record<SeccompArch, number[]> = {
      x64: [0, 1, 2, 3, 9, 39, 57, 59, 61, 202, 231, 257, 318, 334, 434, 439],
      arm64: [56, 57, 63, 64, 93, 94, 98, 129, 172, 221, 222, 260, 278, 434, 439],
    };
    for (const arch of ['x64', 'arm64'] as const) {
      const program = buildSeccompFilter(arch);
      for (const nr of ordinary[arch]) {
        assert.equal(
          evaluate(program, { arch: AUDIT_ARCH[arch], nr }),
          SECCOMP_RET_ALLOW,
          `${arch} syscall ${nr}`,
        );
      }
    }
  });

  it('kills a call through another ABI: i386 int 0x80, x32, or the other architecture', () => {
    const x64 = buildSeccompFilter('x64');
    assert.equal(evaluate(x64, { arch: 0x40000003, nr: 26 }), SECCOMP_RET_KILL_PROCESS, 'i386 ptrace');
    assert.equal(
      evaluate(x64, { arch: AUDIT_ARCH.x64, nr: 0x40000000 + 101 }),
      SECCOMP_RET_KILL_PROCESS,
      'x32',
    );
    assert.equal(evaluate(x64, { arch: AUDIT_ARCH.arm64, nr: 0 }), SECCOMP_RET_KILL_PROCESS);
    const arm64 = buildSeccompFilter('arm64');
    assert.equal(evaluate(arm64, { arch: 0x40000028, nr: 26 }), SECCOMP_RET_KILL_PROCESS, 'arm eabi ptrace');
  });

  // The table is the whole defence: a wrong number silently allows the call it meant to deny.
  const headers: Record<SeccompArch, string> = {
    x64: '/usr/include/x86_64-linux-gnu/asm/unistd_64.h',
    arm64: '/usr/include/asm-generic/unistd.h',
  };
  for (const arch of ['x64', 'arm64'] as const) {
    const header = headers[arch];
    it(`${arch} numbers agree with ${header}`, {
      skip: !existsSync(header) && `${header} not installed`,
    }, () => {
      const text = readFileSync(header, 'utf8');
      for (const [name, number] of Object.entries(SYSCALLS[arch])) {
        const found = text.match(new RegExp(`#define __NR(?:3264)?_${name}\\s+(\\d+)\\b`))?.[1];
        assert.equal(Number(found), number, `${name}`);
      }
    });
  }
});

const missing = spawnSync('bwrap', ['--version']).error ? 'bubblewrap (bwrap) is not installed' : false;
const hostArch = seccompArch();
const perl = spawnSync('perl', ['-v']).error ? 'perl is not installed' : false;

describe('seccomp filter: in the sandbox', {
  skip: missing || (hostArch === undefined && 'no filter for this arch'),
}, () => {
  let root: string;
  let workspace: string;
  let sandbox: Sandbox;
  const nr = SYSCALLS[hostArch ?? 'x64'];
  const sh = (script: string, stdin?: string) =>
    sandbox.run({
      argv: ['bash', '-c', script],
      timeoutMs: 20_000,
      ...(stdin === undefined ? {} : { stdin }),
    });

  before(() => {
    root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'warden-seccomp-')));
    workspace = path.join(root, 'ws');
    mkdirSync(workspace);
    sandbox = createBwrapSandbox({ workspace });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('runs every command under a filter', async () => {
    const result = await sh('grep "^Seccomp:" /proc/self/status');
    assert.equal(result.stdout.trim().replace(/\s+/g, ' '), 'Seccomp: 2');
  });

  it('no filter when turned off explicitly', async () => {
    const unfiltered = createBwrapSandbox({ workspace, seccomp: false });
    const result = await unfiltered.run({
      argv: ['grep', '^Seccomp:', '/proc/self/status'],
      timeoutMs: 20_000,
    });
    assert.equal(result.stdout.trim().replace(/\s+/g, ' '), 'Seccomp: 0');
  });

  it('refuses escape syscalls with EPERM (values the kernel alone would not give)', {
    skip: perl,
  }, async () => {
    // Each line: name, then errno or "ok". Without the filter ptrace(TRACEME) succeeds, keyctl
    // says EOPNOTSUPP/EINVAL, unshare(NEWUSER) ENOSPC (--disable-userns), TIOCSTI on a pipe ENOTTY.
    const calls: [string, string][] = [
      ['ptrace', `syscall(${nr.ptrace}, 0, 0, 0, 0)`],
      ['keyctl', `syscall(${nr.keyctl}, 0, 0, 0, 0)`],
      ['add_key', `syscall(${nr.add_key}, 0, 0, 0, 0, 0)`],
      ['bpf', `syscall(${nr.bpf}, 0, 0, 0)`],
      ['userfaultfd', `syscall(${nr.userfaultfd}, 0)`],
      ['io_uring_setup', `syscall(${nr.io_uring_setup}, 8, 0)`],
      ['perf_event_open', `syscall(${nr.perf_event_open}, 0, 0, -1, -1, 0)`],
      ['unshare', `syscall(${nr.unshare}, 0x10000000)`],
      ['setns', `syscall(${nr.setns}, 0, 0)`],
      ['personality', `syscall(${nr.personality}, 0x0040000)`],
      ['clone_newns', `syscall(${nr.clone}, 0x00020011, 0, 0, 0, 0)`],
      ['clone3', `syscall(${nr.clone3}, 0, 0)`],
      ['tiocsti', 'ioctl(STDIN, 0x5412, my $c = "x")'],
    ];
    const script = calls
      .map(
        ([name, call]) =>
          `{ my $r = ${call}; print "${name} ", (defined $r && $r != -1 ? "ok" : $!+0), "\\n"; }`,
      )
      .join('\n');
    const result = await sandbox.run({ argv: ['perl', '-e', script], stdin: 'typed', timeoutMs: 20_000 });
    assert.equal(result.exitCode, 0, result.stderr);
    const got = Object.fromEntries(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(' ')),
    );
    const want = Object.fromEntries(
      calls.map(([name]) => [name, String(name === 'clone3' ? ENOSYS : EPERM)]),
    );
    assert.deepEqual(got, want);
  });

  it('unshare, mount and setarch fail with "Operation not permitted"', async () => {
    const result = await sh(
      'unshare -U true; echo "unshare=$?"; mkdir -p /tmp/x; mount -t tmpfs none /tmp/x; echo "mount=$?"; setarch -R true; echo "setarch=$?"',
    );
    assert.match(result.stdout, /unshare=[1-9]/);
    assert.match(result.stdout, /mount=[1-9]/);
    assert.match(result.stdout, /setarch=[1-9]/);
    assert.match(result.stderr, /unshare failed: Operation not permitted/);
    assert.match(result.stderr, /setarch: failed to set personality.*Operation not permitted/);
  });

  it('ordinary programs still work: node, npm, git, background jobs, threads', async () => {
    const script = [
      'node -v',
      'npm --version >/dev/null && echo npm-ok',
      'git init -q repo && git -C repo status --short && echo git-ok',
      'bash -c "sleep 0.1 & wait" && echo bg-ok',
      `node -e 'const {Worker}=require("node:worker_threads"); new Worker("require(\\"node:worker_threads\\").parentPort.postMessage(6*7)",{eval:true}).on("message",(m)=>console.log("worker",m))'`,
      'python3 -c "import threading; t=threading.Thread(target=lambda: print(\'thread-ok\')); t.start(); t.join()"',
    ].join(' && ');
    const result = await sh(script);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^v\d+\./);
    for (const marker of ['npm-ok', 'git-ok', 'bg-ok', 'worker 42', 'thread-ok']) {
      assert.ok(result.stdout.includes(marker), `${marker} in ${result.stdout}`);
    }
  });
});
