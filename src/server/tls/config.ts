import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { WardenError } from '../../errors.ts';
import { type ConfigLayer, readConfigLayer } from '../../models/config.ts';

/** `tls:` in server.yaml: the files `warden serve` answers HTTPS with. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** The CA that signs client certificates; unset: none asked for. */
  clientCaFile?: string;
  /** `require`: no certificate, no handshake. `optional`: one presented must be valid. */
  clientCertificates?: 'require' | 'optional';
}

/** How the server and its workers meet the network: HTTPS, plain HTTP beyond loopback, the database. */
export interface TransportConfig {
  tls?: TlsFiles;
  /** `allow_plain_http: true`: a TLS-terminating proxy in front; plain HTTP on any address. */
  allowPlainHttp: boolean;
  /** `database: {require_tls: verify-full}`: a database URL that would not verify is refused. */
  databaseRequireTls?: 'verify-full';
}

const tlsSchema = z
  .strictObject({
    cert_file: z.string().min(1),
    key_file: z.string().min(1),
    client_ca_file: z.string().min(1).optional(),
    client_certificates: z.enum(['require', 'optional']).optional(),
  })
  .refine((tls) => tls.client_certificates === undefined || tls.client_ca_file !== undefined, {
    message: 'needs client_ca_file: the CA whose certificates clients present',
    path: ['client_certificates'],
  });

const databaseSchema = z.strictObject({ require_tls: z.enum(['verify-full']).optional() });

export const TLS_TEMPLATE = `
# HTTPS (TLS 1.3) for the API, the console, /gateway and /mcp; SIGHUP reloads the files. Without
# it the server listens on loopback only, unless allow_plain_http: true says a TLS-terminating
# proxy is in front. See README, "TLS and mTLS".
# tls:
#   cert_file: tls/server.pem
#   key_file: tls/server.key                 # mode 0600
#   client_ca_file: tls/clients-ca.pem       # with client_certificates: require | optional (mTLS)
#   client_certificates: require
# allow_plain_http: false
# database: { require_tls: verify-full }     # refuse a WARDEN_DATABASE_URL that would not verify
`;

/** `tls:`, `allow_plain_http:` and `database:` of server.yaml, checked, paths relative to the file. */
export function parseTransportConfig(
  raw: { tls?: unknown; allow_plain_http?: unknown; database?: unknown },
  file: string,
): TransportConfig {
  let layer: ConfigLayer | undefined;
  const locate = (path: readonly PropertyKey[]) => {
    layer ??= readConfigLayer(file, 'user');
    return layer.locate?.(path) ?? file;
  };
  const check = <T>(key: string, schema: z.ZodType<T>, value: unknown, keys: string): T => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const [issue] = parsed.error.issues;
    const unknown = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const path = [key, ...(issue?.path ?? []), ...(unknown === undefined ? [] : [unknown])];
    throw new WardenError(
      'server.config',
      unknown === undefined
        ? `${path.join('.')} ${issue?.message}`
        : `"${path.join('.')}" is not a known key`,
      { where: locate(path), hint: `${key}: takes ${keys} (see README, "TLS and mTLS")` },
    );
  };
  const base = dirname(file);
  const path = (value: string) => (isAbsolute(value) ? value : resolve(base, value));
  const tls =
    raw.tls === undefined
      ? undefined
      : check('tls', tlsSchema, raw.tls, 'cert_file, key_file, client_ca_file and client_certificates');
  const database =
    raw.database === undefined ? undefined : check('database', databaseSchema, raw.database, 'require_tls');
  const allowPlainHttp = check(
    'allow_plain_http',
    z.boolean().default(false),
    raw.allow_plain_http,
    'true or false',
  );
  return {
    ...(tls
      ? {
          tls: {
            certFile: path(tls.cert_file),
            keyFile: path(tls.key_file),
            ...(tls.client_ca_file ? { clientCaFile: path(tls.client_ca_file) } : {}),
            // A CA with no word on it: asked for, and required, as that is why one names a CA.
            ...(tls.client_ca_file ? { clientCertificates: tls.client_certificates ?? 'require' } : {}),
          },
        }
      : {}),
    allowPlainHttp,
    ...(database?.require_tls ? { databaseRequireTls: database.require_tls } : {}),
  };
}
