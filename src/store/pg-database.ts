import pg from 'pg';
import { WardenError } from '../errors.ts';
import { migrate } from './pg-schema.ts';
import { databaseTlsProblem, pgConnection } from './pg-tls.ts';

export interface DatabaseOptions {
  /** Connections this process may hold; sessions write their events through them. */
  max?: number;
  /** Names the process in pg_stat_activity, so an operator can tell workers from the API. */
  applicationName?: string;
  log?: (line: string) => void;
  /** False for a reader (an auditor) that must not change the schema; the connection is still checked. */
  migrate?: boolean;
}

/** The URL with its password masked: for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * A pool on WARDEN_DATABASE_URL with Warden's schema migrated. A database that cannot be reached
 * or a URL that is not one fails here, at start, with what to fix, rather than at the first task.
 */
export async function openDatabase(url: string, options: DatabaseOptions = {}): Promise<pg.Pool> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WardenError('store.database', 'the database URL is not a URL', {
      where: 'WARDEN_DATABASE_URL',
      hint: 'postgres://USER:PASSWORD@HOST:5432/DATABASE',
    });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new WardenError('store.database', `"${parsed.protocol}" is not a PostgreSQL URL`, {
      where: 'WARDEN_DATABASE_URL',
      hint: 'postgres://USER:PASSWORD@HOST:5432/DATABASE',
    });
  }
  const pool = new pg.Pool({
    ...pgConnection(url),
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'warden',
    // A dead peer (a lost machine) is noticed by the connection, not only by the next query.
    keepAlive: true,
  });
  // An idle connection the server dropped must not take the process down; the next query reconnects.
  pool.on('error', (error) => options.log?.(`database connection lost: ${error.message}`));
  try {
    if (options.migrate === false) await pool.query('SELECT 1');
    else {
      const applied = await migrate(pool);
      if (applied.length > 0) options.log?.(`database schema migrated to version ${applied.at(-1)}`);
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    const tls = databaseTlsProblem(error);
    if (tls)
      throw new WardenError('store.database_tls', tls.message, {
        where: redactDatabaseUrl(url),
        hint: tls.hint,
        cause: error,
      });
    throw new WardenError('store.database', `cannot use the database: ${(error as Error).message}`, {
      where: redactDatabaseUrl(url),
      hint: 'check that PostgreSQL runs there and the user may create tables in that database',
      cause: error,
    });
  }
  return pool;
}
