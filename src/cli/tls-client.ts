import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { connect } from 'node:tls';
import { Agent } from 'undici';
import { fileProblem, WardenError } from '../errors.ts';

/** How a CLI command trusts a server and proves itself to it: a CA file, a client certificate and key. */
export interface ClientTls {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** The flags of every command that has `--server`; each defaults to its environment variable. */
export const TLS_CLIENT_FLAGS = {
  'ca-file': { type: 'string' },
  'client-cert': { type: 'string' },
  'client-key': { type: 'string' },
} as const;

export const TLS_CLIENT_HELP = `  --ca-file FILE      the CA that signed an https:// server's certificate (default WARDEN_CA_FILE)
  --client-cert FILE  a client certificate for a server that asks for one (default
                      WARDEN_CLIENT_CERT), with --client-key FILE (default WARDEN_CLIENT_KEY)`;

export function clientTlsFrom(
  flags: {
    'ca-file'?: string | undefined;
    'client-cert'?: string | undefined;
    'client-key'?: string | undefined;
  },
  io: { env: NodeJS.ProcessEnv; cwd: string },
): ClientTls {
  const pick = (flag: string | undefined, variable: string) => {
    const value = flag ?? (io.env[variable] || undefined);
    return value === undefined ? undefined : resolve(io.cwd, value);
  };
  const caFile = pick(flags['ca-file'], 'WARDEN_CA_FILE');
  const certFile = pick(flags['client-cert'], 'WARDEN_CLIENT_CERT');
  const keyFile = pick(flags['client-key'], 'WARDEN_CLIENT_KEY');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new WardenError('usage', 'a client certificate needs its key, and a key its certificate', {
      hint: 'set both WARDEN_CLIENT_CERT and WARDEN_CLIENT_KEY (or --client-cert and --client-key)',
    });
  }
  return {
    ...(caFile ? { caFile } : {}),
    ...(certFile ? { certFile } : {}),
    ...(keyFile ? { keyFile } : {}),
  };
}

/** An undici dispatcher for fetch that trusts the CA and presents the certificate; none when nothing is set. */
export function tlsDispatcher(tls: ClientTls): Agent | undefined {
  if (!tls.caFile && !tls.certFile) return undefined;
  return new Agent({ connect: connectOptions(tls) });
}

function connectOptions(tls: ClientTls): { ca?: string; cert?: string; key?: string } {
  const read = (what: string, file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new WardenError('usage', `${what} ${file} ${fileProblem(error)}`);
    }
  };
  return {
    ...(tls.caFile ? { ca: read('WARDEN_CA_FILE', tls.caFile) } : {}),
    ...(tls.certFile ? { cert: read('WARDEN_CLIENT_CERT', tls.certFile) } : {}),
    ...(tls.keyFile ? { key: read('WARDEN_CLIENT_KEY', tls.keyFile) } : {}),
  };
}

/**
 * Why a request to an https:// server failed, when TLS is why. A server that refuses a client
 * certificate does so with an alert after the TLS 1.3 handshake, which fetch reports only as a
 * closed connection: then one bare TLS connection with the same settings hears the alert.
 */
export async function explainTlsFailure(
  error: unknown,
  url: string,
  tls: ClientTls,
): Promise<WardenError | undefined> {
  const direct = describeTlsFailure(error, url);
  if (direct || !url.startsWith('https:')) return direct;
  const heard = await probe(new URL(url), tls).catch(() => undefined);
  return heard ? describeTlsFailure(heard, url) : undefined;
}

function probe(url: URL, tls: ClientTls): Promise<unknown> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolveProbe) => {
    const socket = connect({
      host,
      port: Number(url.port || 443),
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...connectOptions(tls),
    });
    const done = (value: unknown) => {
      socket.destroy();
      resolveProbe(value);
    };
    let shookHands = false;
    socket.setTimeout(5000, () => done(undefined));
    socket.once('secureConnect', () => {
      shookHands = true;
      socket.write(`HEAD / HTTP/1.1\r\nhost: ${url.host}\r\nconnection: close\r\n\r\n`);
    });
    socket.once('data', () => done(undefined));
    socket.once('error', done);
    // Node's server verifies a client certificate after the handshake and, refusing it, hangs up
    // without an alert: a close before any answer, with a certificate presented, is that.
    socket.once('close', () =>
      done(shookHands && tls.certFile ? { code: 'WARDEN_CLOSED_AFTER_HANDSHAKE' } : undefined),
    );
  });
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
]);

/**
 * A TLS failure as one line a person can act on, or undefined when the failure was not TLS's.
 * The codes are OpenSSL's and Node's, found on the error or its causes.
 */
export function describeTlsFailure(error: unknown, url: string): WardenError | undefined {
  const codes: string[] = [];
  const messages: string[] = [];
  for (let cause: unknown = error, depth = 0; cause && depth < 5; depth += 1) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof code === 'string') codes.push(code);
    if (typeof message === 'string') messages.push(message);
    cause = (cause as { cause?: unknown }).cause;
  }
  const has = (predicate: (code: string) => boolean) => codes.some(predicate);
  const host = new URL(url).host;
  if (has((code) => UNTRUSTED.has(code)))
    return new WardenError(
      'tls.untrusted',
      `${url}: the server's certificate is not signed by a CA this client trusts`,
      {
        hint: 'set WARDEN_CA_FILE (or --ca-file) to the CA that signed it',
      },
    );
  if (has((code) => code === 'ERR_TLS_CERT_ALTNAME_INVALID'))
    return new WardenError('tls.hostname', `${url}: the server's certificate is not for ${host}`, {
      hint: 'use a host name the certificate lists (or have it reissued with this one)',
    });
  if (has((code) => code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID'))
    return new WardenError('tls.expired', `${url}: the server's certificate is expired or not yet valid`, {
      hint: "the server's operator renews it (then kill -HUP the server)",
    });
  if (has((code) => code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'))
    return new WardenError('tls.certificate_required', `${url}: the server requires a client certificate`, {
      hint: 'set WARDEN_CLIENT_CERT and WARDEN_CLIENT_KEY (or --client-cert and --client-key)',
    });
  if (
    has(
      (code) =>
        /ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|DECRYPT_ERROR|CERTIFICATE_UNKNOWN)/.test(code) ||
        code === 'WARDEN_CLOSED_AFTER_HANDSHAKE',
    )
  )
    return new WardenError('tls.certificate_refused', `${url}: the server refused this client certificate`, {
      hint: "WARDEN_CLIENT_CERT must be signed by the server's client CA (client_ca_file), valid now, and made for client authentication",
    });
  if (has((code) => /ALERT_PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/.test(code)))
    return new WardenError('tls.version', `${url}: the server and this client share no TLS version`, {
      hint: 'warden serve speaks TLS 1.3 only',
    });
  if (has((code) => code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG'))
    return new WardenError('tls.not_tls', `${url}: the server does not speak TLS there`, {
      hint: `try ${url.replace(/^https:/, 'http:')}`,
    });
  if (
    url.startsWith('http:') &&
    messages.some((message) => /other side closed|socket hang up/i.test(message))
  )
    return new WardenError(
      'tls.plain_to_tls',
      `${url}: the server closed the connection (it may speak HTTPS only)`,
      {
        hint: `try ${url.replace(/^http:/, 'https:')}`,
      },
    );
  return undefined;
}
