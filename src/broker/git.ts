import { type ExecFileException, execFile, spawnSync } from 'node:child_process';

/**
 * Settings that keep a repository's own configuration from running code when Warden itself
 * runs git in it: no hooks, no fsmonitor daemon, no external diff or textconv programs.
 */
const SAFE_FLAGS = [
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'core.fsmonitor=false',
  '-c',
  'core.untrackedCache=false',
  '-c',
  'diff.external=',
];

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface GitOptions {
  /** Extra environment, e.g. GIT_INDEX_FILE for a private index. */
  env?: Record<string, string>;
  /** Killed after this long; the result then has code 124. */
  timeoutMs?: number;
  /** Aborting kills git (a cancelled session); the result then has code 130. */
  signal?: AbortSignal;
  /** Written to git's standard input (`--stdin`, `--index-info`); otherwise it reads nothing. */
  input?: string;
}

function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/',
    LANG: 'C',
    // The machine-wide config is not the user's and may carry helpers; prompts would hang.
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    ...extra,
  };
}

/** Runs git with an argv array (never a shell string) in `cwd`, hardened as above. */
export function git(cwd: string, args: string[], options: GitOptions = {}): Promise<GitResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'git',
      [...SAFE_FLAGS, ...args],
      {
        cwd,
        env: gitEnv(options.env),
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
        ...(options.timeoutMs === undefined
          ? {}
          : { timeout: options.timeoutMs, killSignal: 'SIGKILL' as const }),
        ...(options.signal ? { signal: options.signal, killSignal: 'SIGKILL' as const } : {}),
      },
      (error, stdout, stderr) => resolve({ code: exitCode(error, options.signal), stdout, stderr }),
    );
    // A git that exits before reading all of it (an error) closes the pipe: not a crash of ours.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input ?? '');
  });
}

export function gitSync(cwd: string, args: string[]): GitResult {
  const result = spawnSync('git', [...SAFE_FLAGS, ...args], { cwd, env: gitEnv(), encoding: 'utf8' });
  return { code: result.status ?? 127, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** 124 for a timeout and 130 for an abort, as a shell reports them; 127 when git could not start. */
function exitCode(error: ExecFileException | null, signal: AbortSignal | undefined): number {
  if (error === null) return 0;
  if (signal?.aborted) return 130;
  if (error.killed) return 124;
  return typeof error.code === 'number' ? error.code : 127;
}
