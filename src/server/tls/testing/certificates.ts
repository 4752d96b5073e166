import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A certificate authority made for one test: its certificate and key as files. */
export interface TestCa {
  name: string;
  certFile: string;
  keyFile: string;
  dir: string;
}

/** A certificate the CA issued, its key beside it (mode 0600). */
export interface TestCert {
  certFile: string;
  keyFile: string;
  /** SHA-256 fingerprint as Node prints it (`AB:CD:…`). */
  fingerprint: string;
}

/** Runs the openssl CLI; a failure is the test's problem, so it throws with openssl's words. */
function openssl(args: string[]): void {
  const run = spawnSync('openssl', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`openssl ${args[0]} failed: ${run.stderr || run.error?.message}`);
}

const P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A self-signed CA, `<dir>/<name>-ca.pem` and its key. */
export function makeCa(dir: string, name: string): TestCa {
  const certFile = join(dir, `${name}-ca.pem`);
  const keyFile = join(dir, `${name}-ca.key`);
  openssl([
    'req',
    '-x509',
    ...P256,
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    `/CN=${name} test CA`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  chmodSync(keyFile, 0o600);
  return { name, certFile, keyFile, dir };
}

/**
 * A leaf certificate from `ca`: a server's for the given host names and IP addresses, or a
 * client's (`client: true`) with `name` as its common name.
 */
export function issueCert(
  ca: TestCa,
  file: string,
  options: { name: string; hosts?: string[]; client?: boolean },
): TestCert {
  const certFile = `${file}.pem`;
  const keyFile = `${file}.key`;
  const csr = `${file}.csr`;
  const extFile = `${file}.ext`;
  openssl(['req', ...P256, '-keyout', keyFile, '-out', csr, '-subj', `/CN=${options.name}`]);
  const names = (options.hosts ?? []).map((host) => (/^[\d.]+$|:/.test(host) ? `IP:${host}` : `DNS:${host}`));
  writeFileSync(
    extFile,
    [
      'basicConstraints=CA:FALSE',
      `extendedKeyUsage=${options.client ? 'clientAuth' : 'serverAuth'}`,
      ...(names.length > 0 ? [`subjectAltName=${names.join(',')}`] : []),
    ].join('\n'),
  );
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    '-CAcreateserial',
    '-out',
    certFile,
    '-days',
    '2',
    '-extfile',
    extFile,
  ]);
  chmodSync(keyFile, 0o600);
  return { certFile, keyFile, fingerprint: fingerprintOf(certFile) };
}

export function fingerprintOf(certFile: string): string {
  return new X509Certificate(readFileSync(certFile)).fingerprint256;
}
