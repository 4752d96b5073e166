import { resolve } from 'node:path';
import { WardenError } from '../errors.ts';
import { startWorker } from '../server/worker.ts';
import { directoryFlag, parseFlags, positiveNumber } from './args.ts';
import type { CommandIo } from './main.ts';
import { defaultDataDir } from './serve.ts';
import { untilStopSignal } from './stop-signal.ts';

export const WORKER_HELP = `Usage: warden worker [--database URL] [--data DIR] [--config FILE] [--concurrency N] [--team T]

Takes tasks from the PostgreSQL queue that \`warden serve\` (with WARDEN_DATABASE_URL) fills, and
runs them on this machine; no HTTP. Start as many as you like, on as many machines: if one dies
(even kill -9), the tasks it ran resume on another from their last checkpoint once its heartbeat
lapses (WARDEN_QUEUE_HEARTBEAT_SECONDS, default 30).

  --database URL    postgres://USER:PASSWORD@HOST:5432/DB (default $WARDEN_DATABASE_URL)
  --data DIR        holds keys/ (copied from the server's data directory) and server.yaml
                    (default $XDG_STATE_HOME/warden/server, as for warden serve)
  --config FILE     the server's settings (default DIR/server.yaml): policies and models, with
                    paths valid on this machine; repositories must be at the same paths as on
                    the server
  --concurrency N   tasks running at once on this worker (default concurrency in the config)
  --team T          run only team T's tasks; the team's tasks then go to such workers only

The URL may ask for TLS as libpq does (?sslmode=verify-full&sslrootcert=/path/ca.pem);
WARDEN_DATABASE_REQUIRE_TLS=verify-full (or database: {require_tls: verify-full} in the config)
refuses a URL that would not verify the database's certificate and name.

SIGTERM drains: no new task starts, running ones stop at their next turn boundary, checkpointed,
and go back to the queue for another worker; then the worker exits 0.`;

export async function workerCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags('worker', args, {
    database: { type: 'string' },
    data: { type: 'string' },
    config: { type: 'string' },
    concurrency: { type: 'string' },
    team: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${WORKER_HELP}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new WardenError('usage', `unexpected argument "${positionals[0]}"`);
  const dataDir = directoryFlag('data', values.data, io.cwd) ?? defaultDataDir(io.env);
  const databaseUrl = values.database ?? io.env.WARDEN_DATABASE_URL;
  if (!databaseUrl) {
    throw new WardenError('usage', 'a worker needs the database the server queues tasks in', {
      hint: 'pass --database postgres://… or set WARDEN_DATABASE_URL',
    });
  }
  const concurrency = positiveNumber('concurrency', values.concurrency);
  if (concurrency !== undefined && !Number.isInteger(concurrency)) {
    throw new WardenError('usage', `--concurrency must be a whole number, got "${values.concurrency}"`);
  }
  if (values.team !== undefined && !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(values.team)) {
    throw new WardenError('usage', `--team "${values.team}" is not a team id`, {
      hint: 'team ids are lower-case letters, digits, "_" and "-"',
    });
  }
  const worker = await startWorker({
    databaseUrl,
    dataDir,
    ...(values.config ? { configFile: resolve(io.cwd, values.config) } : {}),
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(values.team ? { team: values.team } : {}),
    env: io.env,
    log: (line) => io.stderr(`warden worker: ${line}\n`),
  });
  io.stdout(`warden worker: ready (pid ${process.pid}, ${worker.concurrency} at once)\n`);

  await untilStopSignal((line) =>
    io.stdout(`warden worker: ${line}
`),
  );
  await worker.drain();
  io.stdout('warden worker: stopped\n');
  return 0;
}
