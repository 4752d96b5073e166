/**
 * The seccomp filter every sandboxed command runs under, as a classic-BPF program bwrap loads
 * with `--seccomp FD` just before it execs the command (after its own mounts and namespaces).
 * Namespaces already take most of these calls' power away; the filter shrinks the kernel attack
 * surface a hostile command can reach, so one kernel bug in keyrings, bpf or userfaultfd is not
 * an escape. Pure: data in, bytes out.
 */

import { WardenError } from '../errors.ts';

import { type SeccompArch, SYSCALLS } from './seccomp-syscalls.ts';

export type { SeccompArch } from './seccomp-syscalls.ts';
export { SYSCALLS } from './seccomp-syscalls.ts';

/** `struct sock_filter`: what the kernel executes, one 8-byte instruction each. */
export interface BpfInstruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

// linux/audit.h: AUDIT_ARCH_X86_64 = EM_X86_64 | 64BIT | LE; AUDIT_ARCH_AARCH64 likewise.
export const AUDIT_ARCH: Record<SeccompArch, number> = { x64: 0xc000003e, arm64: 0xc00000b7 };
/** x32 syscalls arrive with AUDIT_ARCH_X86_64 and this bit set in the number. */
export const X32_SYSCALL_BIT = 0x40000000;

export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
export const EPERM = 1;
export const ENOSYS = 38;

// linux/filter.h opcodes, the few this program needs.
export const BPF_LD_W_ABS = 0x20;
export const BPF_JEQ_K = 0x15;
export const BPF_JGE_K = 0x35;
export const BPF_JSET_K = 0x45;
export const BPF_RET_K = 0x06;

// struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6] (little-endian).
const NR_OFFSET = 0;
const ARCH_OFFSET = 4;
const argLow = (i: number): number => 16 + 8 * i;

export const TIOCSTI = 0x5412;
export const TIOCLINUX = 0x541c;
/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET. */
export const CLONE_NAMESPACE_FLAGS =
  0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

/** Refused outright with EPERM, whatever the arguments (absent names are skipped per arch). */
export const DENIED_SYSCALLS = [
  // Reading or steering other processes.
  'ptrace',
  'process_vm_readv',
  'process_vm_writev',
  'kcmp',
  // Kernel code, boot and machine state.
  'kexec_load',
  'kexec_file_load',
  'init_module',
  'finit_module',
  'delete_module',
  'reboot',
  'swapon',
  'swapoff',
  'syslog',
  'acct',
  'quotactl',
  'lookup_dcookie',
  'iopl',
  'ioperm',
  // The mount table, old and new API, and namespaces.
  'mount',
  'umount2',
  'pivot_root',
  'open_tree',
  'move_mount',
  'fsopen',
  'fsconfig',
  'fsmount',
  'fspick',
  'mount_setattr',
  'unshare',
  'setns',
  // Large, bug-prone kernel surfaces a build or test never needs.
  'bpf',
  'perf_event_open',
  'userfaultfd',
  'keyctl',
  'add_key',
  'request_key',
  'fanotify_init',
  // io_uring runs its operations in the kernel, out of reach of this filter's per-syscall checks.
  'io_uring_setup',
  'io_uring_enter',
  'io_uring_register',
  // File handles bypass path lookup, and with it the mount boundary (the "shocker" escape).
  'open_by_handle_at',
  'name_to_handle_at',
] as const;

/** The architectures a filter exists for, by Node's `process.arch`. */
export function seccompArch(nodeArch: string = process.arch): SeccompArch | undefined {
  return nodeArch === 'x64' || nodeArch === 'arm64' ? nodeArch : undefined;
}

type Target = 'allow' | 'eperm' | 'enosys' | 'kill' | 'clone' | 'ioctl' | 'personality';
/** An instruction whose jumps name a label; `assemble` turns them into offsets. */
type Symbolic =
  | { label: Target }
  | { op: 'ld'; offset: number }
  | { op: 'jeq' | 'jge' | 'jset'; k: number; jt: Target | 'next'; jf: Target | 'next' }
  | { op: 'ret'; k: number };

/** The filter as instructions, for tests and for `encodeFilter`. */
export function buildSeccompFilter(arch: SeccompArch): BpfInstruction[] {
  const nr = SYSCALLS[arch];
  const program: Symbolic[] = [
    // A call made through another ABI (int 0x80 on x86_64) has other numbers: never allow it.
    { op: 'ld', offset: ARCH_OFFSET },
    { op: 'jeq', k: AUDIT_ARCH[arch], jt: 'next', jf: 'kill' },
    { op: 'ld', offset: NR_OFFSET },
  ];
  if (arch === 'x64') program.push({ op: 'jge', k: X32_SYSCALL_BIT, jt: 'kill', jf: 'next' });
  program.push(
    // glibc falls back to clone when clone3 says ENOSYS; clone3's flags sit in memory, which a
    // filter cannot read, so the checkable clone is the one we let through.
    { op: 'jeq', k: need(nr, 'clone3'), jt: 'enosys', jf: 'next' },
    { op: 'jeq', k: need(nr, 'clone'), jt: 'clone', jf: 'next' },
    { op: 'jeq', k: need(nr, 'ioctl'), jt: 'ioctl', jf: 'next' },
    { op: 'jeq', k: need(nr, 'personality'), jt: 'personality', jf: 'next' },
  );
  for (const name of DENIED_SYSCALLS) {
    const number = nr[name];
    if (number !== undefined) program.push({ op: 'jeq', k: number, jt: 'eperm', jf: 'next' });
  }
  program.push(
    { op: 'ret', k: SECCOMP_RET_ALLOW },
    // The kernel reads only the low 32 bits of clone's flags, ioctl's request and personality's
    // persona (lower_32_bits / unsigned int): comparing all 64 would let high bits slip past.
    { label: 'clone' },
    { op: 'ld', offset: argLow(0) },
    { op: 'jset', k: CLONE_NAMESPACE_FLAGS, jt: 'eperm', jf: 'allow' },
    // TIOCSTI pushes keystrokes into a terminal's input; TIOCLINUX can read a console's screen.
    { label: 'ioctl' },
    { op: 'ld', offset: argLow(1) },
    { op: 'jeq', k: TIOCSTI, jt: 'eperm', jf: 'next' },
    { op: 'jeq', k: TIOCLINUX, jt: 'eperm', jf: 'allow' },
    // PER_LINUX and the 0xffffffff query only: other personas turn off ASLR or change semantics.
    { label: 'personality' },
    { op: 'ld', offset: argLow(0) },
    { op: 'jeq', k: 0, jt: 'allow', jf: 'next' },
    { op: 'jeq', k: 0xffffffff, jt: 'allow', jf: 'eperm' },
    { label: 'allow' },
    { op: 'ret', k: SECCOMP_RET_ALLOW },
    { label: 'eperm' },
    { op: 'ret', k: SECCOMP_RET_ERRNO | EPERM },
    { label: 'enosys' },
    { op: 'ret', k: SECCOMP_RET_ERRNO | ENOSYS },
    { label: 'kill' },
    { op: 'ret', k: SECCOMP_RET_KILL_PROCESS },
  );
  return assemble(program);
}

/** The filter in the byte layout bwrap's `--seccomp` reads: the kernel's sock_filter array. */
export function seccompProgram(arch: SeccompArch): Buffer {
  return encodeFilter(buildSeccompFilter(arch));
}

/** struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }, little-endian like both supported arches. */
export function encodeFilter(program: readonly BpfInstruction[]): Buffer {
  const bytes = Buffer.alloc(program.length * 8);
  program.forEach((ins, i) => {
    bytes.writeUInt16LE(ins.code, i * 8);
    bytes.writeUInt8(ins.jt, i * 8 + 2);
    bytes.writeUInt8(ins.jf, i * 8 + 3);
    bytes.writeUInt32LE(ins.k >>> 0, i * 8 + 4);
  });
  return bytes;
}

function need(table: Record<string, number>, name: string): number {
  const number = table[name];
  if (number === undefined) throw new Error(`no syscall number for ${name}`);
  return number;
}

/** Resolves labels to forward offsets; classic BPF jumps only forward, at most 255 ahead. */
function assemble(program: readonly Symbolic[]): BpfInstruction[] {
  const labels = new Map<string, number>();
  const real: Exclude<Symbolic, { label: Target }>[] = [];
  for (const item of program) {
    if ('label' in item) labels.set(item.label, real.length);
    else real.push(item);
  }
  return real.map((item, index) => {
    if (item.op === 'ld') return { code: BPF_LD_W_ABS, jt: 0, jf: 0, k: item.offset };
    if (item.op === 'ret') return { code: BPF_RET_K, jt: 0, jf: 0, k: item.k };
    const offset = (target: Target | 'next'): number => {
      if (target === 'next') return 0;
      const at = labels.get(target);
      if (at === undefined) throw new Error(`seccomp: no label ${target}`);
      const jump = at - index - 1;
      if (jump < 0 || jump > 255) throw new Error(`seccomp: jump to ${target} out of range (${jump})`);
      return jump;
    };
    const code = item.op === 'jeq' ? BPF_JEQ_K : item.op === 'jge' ? BPF_JGE_K : BPF_JSET_K;
    return { code, jt: offset(item.jt), jf: offset(item.jf), k: item.k };
  });
}

/**
 * The program for the machine Warden runs on. An architecture without a filter is a setup error,
 * not a quiet run without one: the operator turns seccomp off explicitly or not at all.
 */
export function hostSeccompProgram(nodeArch: string = process.arch): Buffer {
  const arch = seccompArch(nodeArch);
  if (arch === undefined) {
    throw new WardenError('sandbox.bad-config', `no seccomp filter exists for the ${nodeArch} architecture`, {
      where: 'sandbox',
      hint: 'run on x86_64 or aarch64, or set `seccomp: false` to run without the syscall filter',
    });
  }
  return seccompProgram(arch);
}
