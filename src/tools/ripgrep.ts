import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Where grep and list_files find ripgrep: a path to use, `false` for the JavaScript fallback, or
 * undefined to look `rg` up on PATH once per tool (tests pass `false` or a path).
 */
export type RipgrepChoice = string | false | undefined;

/** The first executable `name` on PATH, or undefined. */
export async function findOnPath(
  name: string,
  pathEnv = process.env.PATH ?? '',
): Promise<string | undefined> {
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** A lookup that runs at most once, so a tool pays for the PATH search on first use only. */
export function ripgrepLocator(choice: RipgrepChoice): () => Promise<string | undefined> {
  if (choice === false) return async () => undefined;
  if (typeof choice === 'string') return async () => choice;
  let found: Promise<string | undefined> | undefined;
  return () => {
    found ??= findOnPath('rg');
    return found;
  };
}

export interface RipgrepRun {
  /** Exit code: 0 found, 1 nothing found, 2 error; null when we stopped it early. */
  code: number | null;
  stderr: string;
  /** True when `onLine` asked to stop before rg finished. */
  stopped: boolean;
  /** True when rg ran past `timeoutMs` and was killed. */
  timedOut: boolean;
}

/** Long enough for a large monorepo, short enough that a stuck rg does not eat the session. */
export const RIPGREP_TIMEOUT_MS = 30_000;

/**
 * Runs rg with an argv array in the workspace root and feeds stdout to `onLine` one line at a time;
 * `onLine` returns false to stop (rg is killed: a capped result does not need the rest).
 * `--no-config` first, so a RIPGREP_CONFIG_PATH in Warden's environment cannot change the format.
 * rg runs on the host, outside the sandbox, so it gets a deadline: something in the workspace that
 * blocks a read (a FIFO, a device, a slow mount) must not hold the session until its wall limit.
 */
export function runRipgrep(
  rg: string,
  args: string[],
  options: {
    cwd: string;
    signal?: AbortSignal;
    timeoutMs?: number;
    onLine: (line: string) => boolean;
  },
): Promise<RipgrepRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(rg, ['--no-config', ...args], {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let pending = '';
    let stderr = '';
    let stopped = false;
    let timedOut = false;
    // SIGKILL: rg blocked in open() or read() must not get to decide whether it stops.
    const timer = setTimeout(() => {
      timedOut = true;
      stopped = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? RIPGREP_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stopped) return;
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline !== -1 && !stopped) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (!options.onLine(line)) {
          stopped = true;
          child.kill();
        }
        newline = pending.indexOf('\n');
      }
    });
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 8192) stderr += chunk;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (!stopped && pending !== '') options.onLine(pending);
      resolve({ code: stopped ? null : code, stderr: stderr.trim(), stopped, timedOut });
    });
  });
}
