import { join, resolve } from 'node:path';
import { WardenError } from '../errors.ts';
import { recoverAdminToken } from '../server/admin-recovery.ts';
import { ADMIN_TOKEN_FILE } from '../server/bootstrap.ts';
import { startServer } from '../server/start-server.ts';
import { wardenStateDir } from '../state-dir.ts';
import { redactDatabaseUrl } from '../store/pg-database.ts';
import { directoryFlag, parseFlags, positiveNumber } from './args.ts';
import type { CommandIo } from './main.ts';
import { untilStopSignal } from './stop-signal.ts';
import { reloadOnHangup, transportLine } from './tls-serve.ts';

export const SERVE_HELP = `Usage: warden serve [--port N] [--host ADDR] [--data DIR] [--config FILE] [--concurrency N]
       warden serve --new-admin-token [--data DIR] [--config FILE]

Starts the Warden server: the HTTP API (GET /openapi.json describes it), the web console at /, a
task queue and workers that run agent sessions in this process, with state in SQLite under the data
directory.

  --port N          port to listen on (default 7878; 0 picks a free one)
  --host ADDR       address to listen on (default 127.0.0.1)
  --data DIR        tasks, sessions, audit logs and the signing key (default
                    $XDG_STATE_HOME/warden/server, i.e. ~/.local/state/warden/server)
  --config FILE     the server's settings (default DIR/server.yaml, written on first start):
                    allowed repository roots, models, named policies, concurrency,
                    the model gateway's routes (gateway:, served at /gateway), the MCP
                    servers of the MCP gateway (mcp_servers:, served at /mcp)
  --concurrency N   tasks running at once (default 2, or concurrency in the config); 0 with
                    WARDEN_DATABASE_URL for an API-only server while warden workers run tasks
  --new-admin-token issue a new token for the user "admin" (made again if gone), print it,
                    write it to DIR/admin-token (0600) and exit; for the data directory's owner

With tls: in server.yaml it serves HTTPS (TLS 1.3), with client certificates when client_ca_file
is set; SIGHUP reloads the certificate, key and client CA without dropping connections. Without
tls: it listens on loopback only, unless allow_plain_http: true (a TLS-terminating proxy in front).

With WARDEN_DATABASE_URL=postgres://… tasks, accounts, sessions, events, audit records and the
queue live in PostgreSQL (schema migrated at start), shared with any number of \`warden worker\`s;
the audit keys stay in DIR/keys, to be copied to every worker.

The first start creates the user "admin", prints its token once and writes it to DIR/admin-token
(0600): read it, then delete the file. The data directory is kept 0700, its databases 0600. SIGTERM drains: no new task
starts, running ones stop at their next turn boundary and resume when the server starts again.`;

export async function serveCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags('serve', args, {
    port: { type: 'string' },
    host: { type: 'string' },
    data: { type: 'string' },
    config: { type: 'string' },
    concurrency: { type: 'string' },
    'new-admin-token': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${SERVE_HELP}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new WardenError('usage', `unexpected argument "${positionals[0]}"`);
  const dataDir = directoryFlag('data', values.data, io.cwd) ?? defaultDataDir(io.env);
  const port = values.port === undefined ? 7878 : /^\d{1,5}$/.test(values.port) ? Number(values.port) : -1;
  if (port < 0 || port > 65535) {
    throw new WardenError('usage', `--port must be a port number (0-65535), got "${values.port}"`);
  }
  const databaseUrl = io.env.WARDEN_DATABASE_URL || undefined;
  if (values.concurrency === '0' && !databaseUrl) {
    throw new WardenError('usage', '--concurrency 0 leaves no one to run tasks on an embedded server', {
      hint: 'set WARDEN_DATABASE_URL and run warden worker elsewhere, or give a positive number',
    });
  }
  // 0 only where workers elsewhere run the tasks; in the embedded mode nothing ever would.
  const concurrency =
    values.concurrency === '0' && databaseUrl ? 0 : positiveNumber('concurrency', values.concurrency);
  if (concurrency !== undefined && !Number.isInteger(concurrency)) {
    throw new WardenError('usage', `--concurrency must be a whole number, got "${values.concurrency}"`);
  }
  if (values['new-admin-token']) {
    const token = await recoverAdminToken({
      dataDir,
      ...(values.config ? { configFile: resolve(io.cwd, values.config) } : {}),
      ...(databaseUrl ? { databaseUrl } : {}),
      env: io.env,
      log: (line) => io.stderr(`warden serve: ${line}\n`),
    });
    io.stdout(`warden serve: a new admin token (also in ${join(dataDir, ADMIN_TOKEN_FILE)}): ${token}\n`);
    return 0;
  }
  const server = await startServer({
    dataDir,
    host: values.host ?? '127.0.0.1',
    port,
    ...(values.config ? { configFile: resolve(io.cwd, values.config) } : {}),
    ...(concurrency === undefined ? {} : { concurrency }),
    env: io.env,
    log: (line) => io.stderr(`warden serve: ${line}\n`),
    ...(databaseUrl ? { databaseUrl } : {}),
  });
  // One write, so whoever reads the first line (a script, a test) has the token with it.
  const lines = [
    databaseUrl
      ? `listening on ${server.url} (state in ${redactDatabaseUrl(databaseUrl)}, keys in ${dataDir}/keys)`
      : `listening on ${server.url} (data in ${dataDir})`,
  ];
  if (server.config.repositories.length === 0) {
    lines.push(`no repository roots allowed yet: add them to ${server.config.source}`);
  }
  lines.push(
    server.gateway.names.length > 0
      ? `model gateway at ${server.url}/gateway (OpenAI base URL ${server.url}/gateway/v1); models: ${server.gateway.names.join(', ')}`
      : `model gateway off: add a gateway: section to ${server.config.source} to turn it on`,
  );
  if (server.gateway.mcpServers.length > 0)
    lines.push(`MCP gateway at ${server.url}/mcp; servers: ${server.gateway.mcpServers.join(', ')}`);
  if (server.recovered > 0) lines.push(`resuming ${server.recovered} interrupted task(s)`);
  if (server.adminToken)
    lines.push(
      `first start: the admin token (shown once, keep it; also in ${join(dataDir, ADMIN_TOKEN_FILE)}, delete it once read): ${server.adminToken}`,
    );
  const sso = server.config.sso;
  lines.push(
    sso
      ? `the console is at ${sso.publicUrl.href} (sign in with SSO at ${sso.issuer.host}, or with an API token)`
      : `the console is at ${server.url}/ (sign in with an API token)`,
  );
  lines.push(transportLine(values.host ?? '127.0.0.1', server.config));
  io.stdout(lines.map((line) => `warden serve: ${line}\n`).join(''));

  const stopReloading = server.reloadTls ? reloadOnHangup(server.reloadTls, io) : undefined;
  await untilStopSignal((line) =>
    io.stdout(`warden serve: ${line}
`),
  );
  stopReloading?.();
  await server.drain();
  io.stdout('warden serve: stopped\n');
  return 0;
}

export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  return join(wardenStateDir(env), 'server');
}
