/**
 * Inside the sandbox of `warden wrap`: what runs when the wrapped agent starts `bash` or `sh`.
 * Warden binds a small entry script over each shell binary (shell-shims.ts), which runs
 *   node shell-shim.ts <socketPath> <realShell> <name> <shell arguments…>
 * A shell given a command (`-c`) or reading one (stdin, a terminal) sends the command line to
 * Warden's command service over the unix socket (command-service.ts), then runs the real shell
 * (allow) or prints the reason and exits 126 (deny), and reports the exit status. A shell running
 * a script file is a program being started and runs untouched. The real shell carries
 * WARDEN_SHELL_JUDGED, so shells the command starts in turn skip the shim: a command is judged
 * once, as a whole, as `warden exec` judges one.
 * Standalone on purpose: node: builtins only, run by Node's type stripping from a read-only bind.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { constants } from 'node:os';

export const JUDGED_MARK = 'WARDEN_SHELL_JUDGED';
/** What a shell says when it cannot run a command; also what `sh -c` returns for "not executable". */
export const DENIED_STATUS = 126;
const REPORT_TIMEOUT_MS = 2000;
const FORWARDED_SIGNALS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGWINCH',
  'SIGUSR1',
  'SIGUSR2',
] as const;

export interface ShellInvocation {
  /**
   * What the policy judges: the `-c` string, or the shell's own command line when it reads its
   * commands from stdin or a terminal. Undefined when it runs a script file: that is a program
   * being started (a `#!/bin/sh` tool such as lsb_release), judged no more than a binary is.
   */
  command?: string;
  /** The arguments the real shell gets: for a command, minus the login flag (see below). */
  args: string[];
}

/** bash's long options that take a value in the next argument. */
const LONG_WITH_VALUE = new Set(['--rcfile', '--init-file']);

/**
 * Reads a `sh`/`bash` command line as the shell would: option clusters (`-lc`, `-ec`), `-o NAME`,
 * long options, then the `-c` string or a script. A login shell would first run ~/.profile and
 * ~/.bash_profile — files in the agent's writable HOME, so code no policy saw — which is why the
 * login flag is dropped and bash is told to read no startup files at all.
 */
export function readInvocation(name: string, args: readonly string[]): ShellInvocation {
  const kept: string[] = [];
  let commandString = false;
  let fromStdin = false;
  let index = 0;
  for (; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === '--' || arg === '-') {
      kept.push(arg);
      index++;
      break;
    }
    if (arg.startsWith('--')) {
      if (arg === '--login') continue;
      kept.push(arg);
      if (LONG_WITH_VALUE.has(arg) && index + 1 < args.length) kept.push(args[++index] as string);
      continue;
    }
    if ((arg.startsWith('-') || arg.startsWith('+')) && arg.length > 1) {
      const letters = arg.slice(1).replaceAll('l', '');
      if (arg.startsWith('-') && letters.includes('c')) commandString = true;
      if (arg.startsWith('-') && letters.includes('s')) fromStdin = true;
      if (letters !== '') kept.push(`${arg[0]}${letters}`);
      // -o NAME / +o NAME (and -O for bash's shopt names) take the next argument.
      if (/[oO]/.test(letters) && index + 1 < args.length) kept.push(args[++index] as string);
      continue;
    }
    break;
  }
  const rest = args.slice(index);
  if (!commandString && !fromStdin && rest.length > 0) return { args: [...args] };
  const prefix = name === 'bash' ? ['--noprofile', '--norc'] : [];
  const shellArgs = [...prefix, ...kept, ...rest];
  if (commandString && rest.length > 0) return { command: rest[0] as string, args: shellArgs };
  return { command: [name, ...args].map(quote).join(' '), args: shellArgs };
}

/** POSIX single quotes where a word needs them, so the judged line reads as it would be typed. */
function quote(word: string): string {
  return /^[A-Za-z0-9_./=:@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** One request and its answer over the command service's socket, as newline-delimited JSON. */
export function connectService(socketPath: string): {
  ask(message: unknown): Promise<Record<string, unknown>>;
  close(): void;
} {
  const socket = net.connect(socketPath);
  let buffer = '';
  const waiting: Array<{ resolve: (value: Record<string, unknown>) => void; reject: (e: Error) => void }> =
    [];
  const failAll = (error: Error): void => {
    for (const pending of waiting.splice(0)) pending.reject(error);
  };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      try {
        waiting.shift()?.resolve(JSON.parse(line) as Record<string, unknown>);
      } catch (error) {
        failAll(error as Error);
      }
    }
  });
  socket.on('error', failAll);
  socket.on('close', () => failAll(new Error('the command service closed the connection')));
  return {
    ask(message) {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        socket.write(`${JSON.stringify(message)}\n`);
      });
    },
    close: () => socket.end(),
  };
}

function refuse(message: string): never {
  process.stderr.write(`warden: ${message}\n`);
  process.exit(DENIED_STATUS);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([
    promise,
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref()),
  ]);
}

export async function runShellShim(argv: readonly string[]): Promise<void> {
  const [socketPath, realShell, name, ...args] = argv;
  if (socketPath === undefined || realShell === undefined || name === undefined) {
    refuse('usage: shell-shim.ts <socketPath> <realShell> <name> <arguments…>');
  }
  const invocation = readInvocation(name, args);
  if (invocation.command === undefined) {
    const [code, signal] = await runReal(realShell, name, invocation.args);
    exitLike(code, signal);
  }
  let cwd = '';
  try {
    cwd = process.cwd();
  } catch {
    // A working directory removed under the shell: the command is judged without one.
  }
  const service = connectService(socketPath);
  let answer: Record<string, unknown>;
  try {
    answer = await service.ask({ type: 'judge', via: name, command: invocation.command, cwd });
  } catch (error) {
    refuse(`not run: Warden's command service is not reachable (${(error as Error).message})`);
  }
  if (answer.decision !== 'allow') {
    service.close();
    refuse(`${typeof answer.reason === 'string' ? answer.reason : 'denied by policy'}`);
  }
  const [code, signal] = await runReal(realShell, name, invocation.args);
  // The outcome is recorded before the agent sees it; a service gone by now cannot hold it up.
  await withTimeout(
    service.ask({ type: 'exit', exitCode: code, signal }).catch(() => undefined),
    REPORT_TIMEOUT_MS,
  );
  service.close();
  exitLike(code, signal);
}

/** The real shell, marked so that the shells it starts in turn are not judged again. */
function runReal(
  realShell: string,
  name: string,
  args: string[],
): Promise<[number | null, NodeJS.Signals | null]> {
  const child = spawn(realShell, args, {
    stdio: 'inherit',
    argv0: name,
    env: { ...process.env, [JUDGED_MARK]: '1' },
  });
  for (const signal of FORWARDED_SIGNALS) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => {
    child.on('error', (error: NodeJS.ErrnoException) => {
      process.stderr.write(`warden: ${realShell}: ${error.message}\n`);
      resolve([error.code === 'ENOENT' ? 127 : DENIED_STATUS, null]);
    });
    child.on('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
}

function exitLike(code: number | null, signal: NodeJS.Signals | null): never {
  process.exit(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
}

if (import.meta.main) await runShellShim(process.argv.slice(2));
