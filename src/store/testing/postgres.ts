import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { issueCert, makeCa } from '../../server/tls/testing/certificates.ts';

/** A private PostgreSQL cluster for one test file: its own data directory, port and superuser. */
export interface TestCluster {
  /** `postgres://warden@127.0.0.1:<port>/warden`. */
  url: string;
  /** A fresh, empty database on the cluster, for tests that must not see each other's rows. */
  database(name: string): Promise<string>;
  /** With `tls: true`: the CA that signed the server's certificate (for 127.0.0.1 and localhost). */
  caFile?: string;
  stop(): Promise<void>;
}

/** Why the PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresMissing(): string | undefined {
  return postgresBin() === undefined
    ? 'PostgreSQL is not installed (/usr/lib/postgresql/*/bin/postgres): run scripts/setup.sh, or apt-get install postgresql'
    : undefined;
}

function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

/**
 * initdb into a temp dir, then `postgres` on 127.0.0.1 and a free port as a child process. PostgreSQL
 * refuses to run as root, so as root both run as the `postgres` user that Debian's package creates
 * (setpriv execs in place, so the child is the postmaster itself and a signal reaches it). Durability
 * is off: the tests kill workers, never the database.
 */
export async function startTestCluster(options: { tls?: boolean } = {}): Promise<TestCluster> {
  const bin = postgresBin();
  if (!bin) throw new Error(postgresMissing());
  const dir = await mkdtemp(join(tmpdir(), 'warden-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }) : undefined;
  const uid = user ? Number(user.stdout.trim()) : undefined;
  if (asRoot && (user?.status !== 0 || !Number.isInteger(uid))) {
    throw new Error(
      'running as root, PostgreSQL needs a "postgres" user to run as (apt-get install postgresql)',
    );
  }
  if (uid !== undefined) chownSync(dir, uid, -1);
  const runAs = (command: string, args: string[]): [string, string[]] =>
    asRoot
      ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', command, ...args]]
      : [command, args];

  const [initCommand, initArgs] = runAs(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'warden',
    '--auth=trust',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  const init = spawnSync(initCommand, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }
  const tls = options.tls ? serveTls(dir, data, uid) : undefined;
  const port = await freePort();
  const [command, args] = runAs(join(bin, 'postgres'), [
    ...(tls
      ? ['-c', 'ssl=on', '-c', `ssl_cert_file=${tls.certFile}`, '-c', `ssl_key_file=${tls.keyFile}`]
      : []),
    '-D',
    data,
    '-k',
    dir,
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=300',
  ]);
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  // A test process that ends without stopping the cluster (a failed assertion) still takes it down.
  const onExit = () => child.kill('SIGQUIT');
  process.on('exit', onExit);
  const query$ = tls ? `?sslmode=verify-full&sslrootcert=${encodeURIComponent(tls.caFile)}` : '';
  const url = `postgres://warden@127.0.0.1:${port}/postgres${query$}`;
  try {
    await ready(url, child, () => log);
    await query(url, 'CREATE DATABASE warden');
  } catch (error) {
    await stop(child, dir, onExit);
    throw error;
  }
  let made = 0;
  return {
    url: `postgres://warden@127.0.0.1:${port}/warden${query$}`,
    async database(name) {
      made += 1;
      const db = `${name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${made}`;
      await query(url, `CREATE DATABASE ${db}`);
      return `postgres://warden@127.0.0.1:${port}/${db}${query$}`;
    },
    ...(tls ? { caFile: tls.caFile } : {}),
    stop: () => stop(child, dir, onExit),
  };
}

/**
 * A CA of the cluster's own and a server certificate from it; pg_hba then admits TLS connections
 * only, so a client that reaches it at all has spoken TLS.
 */
function serveTls(dir: string, data: string, uid: number | undefined) {
  const ca = makeCa(dir, 'postgres');
  const server = issueCert(ca, join(dir, 'server'), { name: 'postgres', hosts: ['127.0.0.1', 'localhost'] });
  writeFileSync(
    join(data, 'pg_hba.conf'),
    'local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n',
  );
  // PostgreSQL reads its key only when its own user owns it and no one else may read it.
  if (uid !== undefined) for (const file of [server.keyFile, server.certFile]) chownSync(file, uid, -1);
  return { caFile: ca.certFile, certFile: server.certFile, keyFile: server.keyFile };
}

async function stop(child: ChildProcess, dir: string, onExit: () => void): Promise<void> {
  process.off('exit', onExit);
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // SIGTERM is PostgreSQL's smart shutdown: it lets connections a client is still closing go in
    // peace (a pool's end() resolves before its sockets are closed, and a FATAL sent to one of them
    // would be an uncaught error in the test). Whatever is still connected a moment later is cut off.
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGINT'), 1500);
    await exited;
    clearTimeout(timer);
  }
  await rm(dir, { recursive: true, force: true });
}

async function ready(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited: ${log()}`);
    try {
      await query(url, 'SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`postgres did not start: ${(error as Error).message}\n${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function query(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}
