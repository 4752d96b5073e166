import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { WARDEN } from './cli.ts';
import type { Served, ServerWorld } from './server.ts';

/**
 * `warden serve` and `warden worker`s on one PostgreSQL database, as a platform team runs them,
 * here as child processes of the test on 127.0.0.1. The queue's timings are shortened so that a
 * killed worker's tasks move on in seconds rather than half a minute.
 */

export const FAST_QUEUE = {
  WARDEN_QUEUE_HEARTBEAT_SECONDS: '10',
  WARDEN_QUEUE_POLL_SECONDS: '0.5',
  WARDEN_QUEUE_SUPERVISE_SECONDS: '1',
};

export interface Proc {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

function environment(world: ServerWorld, databaseUrl: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(world.dir, 'home'),
    XDG_CONFIG_HOME: join(world.dir, 'home', '.config'),
    WARDEN_DATABASE_URL: databaseUrl,
    ...FAST_QUEUE,
  };
}

function launch(args: string[], env: NodeJS.ProcessEnv, cwd: string): Proc {
  const child = spawn(process.execPath, [WARDEN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitForLine(proc: Proc, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  const deadline = Date.now() + 30_000;
  let done = false;
  void proc.exited.then(() => {
    done = true;
  });
  for (;;) {
    const match = pattern.exec(proc.output());
    if (match) return match;
    if (done) throw new Error(`${what} exited:\n${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`${what} did not start:\n${proc.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `warden serve` on the database, API only unless `concurrency` says otherwise. */
export async function startPgServe(
  world: ServerWorld,
  databaseUrl: string,
  concurrency = 0,
  env: Record<string, string> = {},
): Promise<Served> {
  const proc = launch(
    ['serve', '--port', '0', '--data', world.data, '--concurrency', String(concurrency)],
    { ...environment(world, databaseUrl), ...env },
    world.dir,
  );
  const [, url] = await waitForLine(proc, /listening on (https?:\/\/[0-9.:]+)/, 'warden serve');
  return {
    url: url as string,
    adminToken: /admin token[^:]*: (wdn_\S+)/.exec(proc.output())?.[1],
    child: proc.child,
    output: proc.output,
    exited: proc.exited,
  };
}

/** A `warden worker` sharing the server's data directory (its keys and server.yaml), as a copy would. */
export async function startPgWorker(
  world: ServerWorld,
  databaseUrl: string,
  concurrency: number,
  env: Record<string, string> = {},
): Promise<Proc> {
  const proc = launch(
    ['worker', '--data', world.data, '--concurrency', String(concurrency)],
    { ...environment(world, databaseUrl), ...env },
    world.dir,
  );
  await waitForLine(proc, /warden worker: ready/, 'warden worker');
  return proc;
}
