import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WardenEvent } from '../src/agent/events.ts';
import { DEMO_REPO } from '../src/cli/demo.ts';
import { PERMISSIVE_POLICY, WARDEN } from './cli.ts';

/** Answers as tests read them: loosely, asserting on the fields they care about. */
type Json = ReturnType<typeof JSON.parse>;

/** A temp world for a server: a root of repositories, scripts, a data dir, a home of its own. */
export interface ServerWorld {
  dir: string;
  repos: string;
  scripts: string;
  data: string;
  /** A fresh git copy of the demo repository under the allowed root. */
  repo(name: string): Promise<string>;
  /** Writes a scripted model and returns its model id. */
  script(name: string, turns: unknown[]): Promise<string>;
  cleanup(): Promise<void>;
}

export async function serverWorld(): Promise<ServerWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-serve-'));
  const repos = join(dir, 'repos');
  const scripts = join(dir, 'scripts');
  const data = join(dir, 'data');
  for (const d of [repos, scripts, data, join(dir, 'home')]) await mkdir(d, { recursive: true });
  await writeFile(join(dir, 'permissive.policy.yaml'), PERMISSIVE_POLICY);
  await writeFile(
    join(data, 'server.yaml'),
    [
      `repositories: [${JSON.stringify(repos)}]`,
      `models: [${JSON.stringify(`script:${scripts}/*`)}]`,
      `policies: { permissive: ${JSON.stringify(join(dir, 'permissive.policy.yaml'))} }`,
      'concurrency: 4',
      'drain_timeout: 5',
    ].join('\n'),
  );
  return {
    dir,
    repos,
    scripts,
    data,
    async repo(name) {
      const repo = join(repos, name);
      await cp(DEMO_REPO, repo, { recursive: true });
      const git = (...args: string[]) =>
        spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
          cwd: repo,
          stdio: 'ignore',
        });
      git('init', '-q');
      git('add', '-A');
      git('commit', '-qm', 'sample');
      return repo;
    },
    async script(name, turns) {
      const file = join(scripts, `${name}.json`);
      await writeFile(file, JSON.stringify({ turns }));
      return `script:${file}`;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface Served {
  url: string;
  /** The admin token, when this start created it. */
  adminToken: string | undefined;
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/**
 * Starts `warden serve` on an ephemeral port (or `port`) as a child process and waits until it
 * listens; `env` adds to the bare environment it gets (a provider key, for one).
 */
export async function startServe(
  world: ServerWorld,
  env: Record<string, string> = {},
  port = 0,
  args: string[] = [],
): Promise<Served> {
  const child = spawn(
    process.execPath,
    [WARDEN, 'serve', '--port', String(port), '--data', world.data, ...args],
    {
      cwd: world.dir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: join(world.dir, 'home'),
        XDG_CONFIG_HOME: join(world.dir, 'home', '.config'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`warden serve did not start:\n${out}`)), 15_000);
    const check = () => {
      const match = /listening on (https?:\/\/[0-9.:]+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', check);
    void exited.then(() => reject(new Error(`warden serve exited:\n${out}`)));
  });
  return { url, adminToken: /admin token[^:]*: (wdn_\S+)/.exec(out)?.[1], child, output: () => out, exited };
}

/** A JSON client for the API with one token. */
export function client(url: string, token: string | undefined) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: Json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: response.status, body: json };
  };
}

export interface SseMessage {
  id?: number;
  event?: string;
  data: Json;
}

/** Reads an SSE stream to its end (or until `stopWhen`), parsed into messages; comments are counted. */
export async function readSse(
  url: string,
  token: string,
  headers: Record<string, string> = {},
  stopWhen?: (message: SseMessage) => boolean,
): Promise<{ messages: SseMessage[]; events: WardenEvent[]; comments: number }> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, ...headers },
    signal: controller.signal,
  });
  if (!response.body) throw new Error(`no stream: ${response.status}`);
  const decoder = new TextDecoder();
  const messages: SseMessage[] = [];
  let comments = 0;
  let buffer = '';
  try {
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        if (block.startsWith(':')) {
          comments += 1;
          continue;
        }
        const message: SseMessage = { data: undefined };
        for (const line of block.split('\n')) {
          const [field, ...rest] = line.split(': ');
          const value = rest.join(': ');
          if (field === 'id') message.id = Number(value);
          if (field === 'event') message.event = value;
          if (field === 'data') message.data = JSON.parse(value);
        }
        messages.push(message);
        if (stopWhen?.(message)) {
          controller.abort();
          return done();
        }
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return done();

  function done() {
    return { messages, events: messages.filter((m) => m.event === undefined).map((m) => m.data), comments };
  }
}

/** Polls until `check` returns something truthy, or fails naming what it waited for. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
