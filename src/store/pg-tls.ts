import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { fileProblem, WardenError } from '../errors.ts';

/** What `pg` (and pg-boss, which hands it on) takes: the URL without its TLS words, and TLS spelled out. */
export interface PgConnection {
  connectionString: string;
  ssl?: false | ConnectionOptions;
}

const SSL_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'uselibpqcompat'];
const MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];

/**
 * The URL's `sslmode`, `sslrootcert`, `sslcert` and `sslkey` read as libpq means them, and given to
 * the driver as explicit TLS options. pg-connection-string reads them too, but its `require` and
 * `verify-ca` currently mean verify-full and its meaning is changing; and `pg` lets a URL's words
 * override explicit options, so they are taken out of the URL it sees. A URL without them is
 * passed on untouched.
 */
export function pgConnection(url: string, where = 'WARDEN_DATABASE_URL'): PgConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { connectionString: url };
  }
  const params = parsed.searchParams;
  if (!SSL_PARAMS.some((name) => params.has(name))) return { connectionString: url };
  const mode = params.get('sslmode') ?? 'verify-full';
  if (!MODES.includes(mode)) {
    throw new WardenError('store.database', `sslmode=${mode} is not a mode PostgreSQL knows`, {
      where,
      hint: `use one of ${MODES.join(', ')} (verify-full to check the server's certificate and name)`,
    });
  }
  const read = (name: string) => {
    const file = params.get(name);
    if (!file || (name === 'sslrootcert' && file === 'system')) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new WardenError('store.database', `${name}=${file} ${fileProblem(error)}`, { where });
    }
  };
  const ca = read('sslrootcert');
  const cert = read('sslcert');
  const key = read('sslkey');
  for (const name of SSL_PARAMS) params.delete(name);
  const connectionString = parsed.toString();
  if (mode === 'disable' || mode === 'allow') return { connectionString, ssl: false };
  const client = { ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  if (mode === 'verify-full')
    return { connectionString, ssl: { ...client, ...(ca ? { ca } : {}), rejectUnauthorized: true } };
  // libpq: `require` with a root certificate checks the chain, as verify-ca does.
  if (mode === 'verify-ca' || (mode === 'require' && ca)) {
    if (!ca) {
      throw new WardenError('store.database', 'sslmode=verify-ca needs sslrootcert=/path/to/ca.pem', {
        where,
      });
    }
    return {
      connectionString,
      ssl: { ...client, ca, rejectUnauthorized: true, checkServerIdentity: () => undefined },
    };
  }
  // prefer, require, no-verify: encrypted, but whoever answers is believed.
  return { connectionString, ssl: { ...client, rejectUnauthorized: false } };
}

/**
 * `WARDEN_DATABASE_REQUIRE_TLS=verify-full` (or `database: {require_tls: verify-full}`): a URL that
 * would let a machine in the middle answer for the database is refused before it is used.
 */
export function requireVerifiedDatabase(url: string, requirement: string | undefined, source: string): void {
  if (requirement === undefined || requirement === '') return;
  if (requirement !== 'verify-full') {
    throw new WardenError('usage', `${source} must be verify-full, got "${requirement}"`, {
      hint: 'verify-full is the one requirement there is; unset it to accept any sslmode',
    });
  }
  let params: URLSearchParams;
  try {
    params = new URL(url).searchParams;
  } catch {
    return; // openDatabase says what is wrong with it.
  }
  const mode = params.get('sslmode');
  const why =
    mode !== 'verify-full'
      ? mode === null
        ? 'it has no sslmode'
        : `its sslmode is ${mode}`
      : params.get('sslrootcert')
        ? undefined
        : 'it names no CA (sslrootcert)';
  if (why === undefined) return;
  throw new WardenError(
    'store.database_tls',
    `the database URL would not verify the server's certificate and name: ${why}, and ${source} is verify-full`,
    {
      where: 'WARDEN_DATABASE_URL',
      hint: 'add ?sslmode=verify-full&sslrootcert=/path/to/ca.pem (the CA of the PostgreSQL server) to the URL',
    },
  );
}

/** A TLS failure reaching the database as what to fix; undefined when TLS was not the problem. */
export function databaseTlsProblem(error: unknown): { message: string; hint: string } | undefined {
  const { code, message = '' } = error as { code?: string; message?: string };
  if (
    code !== undefined &&
    [
      'SELF_SIGNED_CERT_IN_CHAIN',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    ].includes(code)
  )
    return {
      message: "the database's certificate is not signed by the CA in sslrootcert",
      hint: "sslrootcert must be the CA that signed the PostgreSQL server's certificate (its ssl_cert_file)",
    };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return {
      message: `the database's certificate is not for this host (${message})`,
      hint: 'connect with a host name its certificate lists, or have it reissued with this one',
    };
  if (message === 'The server does not support SSL connections')
    return {
      message: 'the database does not accept TLS connections',
      hint: 'turn on ssl in postgresql.conf (ssl_cert_file, ssl_key_file), or drop sslmode on a network you trust',
    };
  if (/no pg_hba\.conf entry .*no encryption/.test(message))
    return {
      message: 'the database accepts only TLS connections from here',
      hint: 'add ?sslmode=verify-full&sslrootcert=/path/to/ca.pem to the URL',
    };
  return undefined;
}
