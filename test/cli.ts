import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { WardenEvent } from '../src/agent/events.ts';
import { DEMO_REPO } from '../src/cli/demo.ts';

export const WARDEN = new URL('../bin/warden.js', import.meta.url).pathname;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `warden` binary as a user would, with a clean environment (no keys, empty config). */
export function warden(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number; input?: string },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WARDEN, ...args], {
      cwd: options.cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        // Not the repository itself: Warden refuses to work in a directory holding the home.
        HOME: dirname(options.cwd),
        XDG_CONFIG_HOME: join(options.cwd, '.config-empty'),
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // A command that exits without reading all of its input is not a failed run.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input);
    // Decoded as a stream: a character split between two chunks stays whole.
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.on('data', (d: string) => {
      stderr += d;
    });
    // A run that hangs is killed, and fails its test with what it printed so far.
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function jsonEvents(stdout: string): WardenEvent[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as WardenEvent);
}

/** A fresh copy of the demo's sample repository (a failing test), in git, in a temp dir. */
export async function sampleRepo(): Promise<{ dir: string; repo: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-cli-'));
  const repo = join(dir, 'repo');
  await cp(DEMO_REPO, repo, { recursive: true });
  const git = (...args: string[]) => spawnSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '-A');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'sample');
  return { dir, repo, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The repository's own test command, run on the host as its maintainer would. */
export function repoTestsPass(repo: string): boolean {
  // Without NODE_TEST_CONTEXT: a nested `node --test` would otherwise report to this runner.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  return spawnSync(process.execPath, ['--test'], { cwd: repo, stdio: 'ignore', env }).status === 0;
}

/**
 * A policy that lets every command and write through: attacks run under it prove that the sandbox
 * holds even when the policy does not stop them.
 */
export const PERMISSIVE_POLICY = `version: 1
files:
  read: ["*"]
  write: ["*"]
commands:
  allow: ["*"]
`;

export async function permissivePolicy(dir: string): Promise<string> {
  const file = join(dir, 'permissive.policy.yaml');
  await writeFile(file, PERMISSIVE_POLICY);
  return file;
}
