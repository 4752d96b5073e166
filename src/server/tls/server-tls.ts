import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions, type Server as TlsServer } from 'node:tls';
import { fileProblem, WardenError } from '../../errors.ts';
import type { TlsFiles } from './config.ts';

/** What `https.createServer` and `setSecureContext` take: the files read and checked. */
export interface TlsMaterial {
  cert: string;
  key: string;
  ca?: string;
  minVersion: 'TLSv1.3';
}

export interface HttpsOptions extends TlsMaterial {
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

/**
 * Reads the certificate, key and client CA and proves they make a context (PEM that parses, a key
 * that belongs to the certificate) before anything is served with them. A key file that group or
 * others may read is refused, as the audit key is: a key others can read is no longer the server's.
 */
export function readTlsMaterial(files: TlsFiles, where: string): TlsMaterial {
  const read = (key: string, file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new WardenError('server.tls', `tls.${key}: ${file} ${fileProblem(error)}`, { where });
    }
  };
  const cert = read('cert_file', files.certFile);
  const key = read('key_file', files.keyFile);
  const mode = statSync(files.keyFile).mode;
  if ((mode & 0o077) !== 0) {
    throw new WardenError(
      'server.tls',
      `tls.key_file: ${files.keyFile} is readable by others (mode ${(mode & 0o777).toString(8)})`,
      { where, hint: `run: chmod 600 ${files.keyFile}` },
    );
  }
  const ca = files.clientCaFile ? read('client_ca_file', files.clientCaFile) : undefined;
  const material: TlsMaterial = { cert, key, ...(ca ? { ca } : {}), minVersion: 'TLSv1.3' };
  try {
    createSecureContext(material as SecureContextOptions);
    if (ca) new X509Certificate(ca);
  } catch (error) {
    throw new WardenError('server.tls', `tls: ${materialProblem(error)}`, {
      where,
      hint: 'cert_file and client_ca_file hold PEM certificates, key_file the PEM private key of cert_file',
    });
  }
  return material;
}

function materialProblem(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  if (code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH') return 'key_file is not the key of cert_file';
  if (code === 'ERR_OSSL_PEM_NO_START_LINE') return 'a file is not PEM (no BEGIN line)';
  return `the certificate, key or client CA cannot be used: ${message ?? String(error)}`;
}

/** HTTPS with TLS 1.3 only; a client CA turns on client certificates, required or optional. */
export function httpsOptions(files: TlsFiles, where: string): HttpsOptions {
  return {
    ...readTlsMaterial(files, where),
    requestCert: files.clientCertificates !== undefined,
    rejectUnauthorized: files.clientCertificates === 'require',
  };
}

/**
 * SIGHUP: the files read again and, when they make a context, used for every handshake from now on.
 * Open connections (event streams included) keep the context they shook hands with. A reload that
 * fails keeps the old context and says why.
 */
export function reloadTls(
  server: TlsServer,
  files: TlsFiles,
  where: string,
): { ok: true; fingerprint: string } | { ok: false; problem: string } {
  try {
    const material = readTlsMaterial(files, where);
    server.setSecureContext(material as SecureContextOptions);
    return { ok: true, fingerprint: new X509Certificate(material.cert).fingerprint256 };
  } catch (error) {
    return { ok: false, problem: error instanceof WardenError ? error.describe() : String(error) };
  }
}
