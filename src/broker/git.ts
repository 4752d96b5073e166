import { execFile, spawnSync } from 'node:child_process';

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
    execFile(
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
      },
      (error, stdout, stderr) => {
        const timedOut = error !== null && (error as { killed?: boolean }).killed === true;
        const code = timedOut ? 124 : error ? (typeof error.code === 'number' ? error.code : 127) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function gitSync(cwd: string, args: string[]): GitResult {
  const result = spawnSync('git', [...SAFE_FLAGS, ...args], { cwd, env: gitEnv(), encoding: 'utf8' });
  return { code: result.status ?? 127, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}
