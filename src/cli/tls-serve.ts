import type { ServerConfig } from '../server/config.ts';
import type { RunningServer } from '../server/start-server.ts';
import { isLoopback } from '../server/tls/plain-http.ts';
import type { CommandIo } from './main.ts';

/** What `warden serve` says about how it is reached: HTTPS and whom it asks for certificates, or why plain HTTP. */
export function transportLine(host: string, config: ServerConfig): string {
  const tls = config.transport?.tls;
  if (tls) {
    const clients =
      tls.clientCertificates === 'require'
        ? `client certificates required (CA ${tls.clientCaFile})`
        : tls.clientCertificates === 'optional'
          ? `client certificates optional (CA ${tls.clientCaFile}; one presented must verify)`
          : 'no client certificates asked';
    return `TLS 1.3 with ${tls.certFile}; ${clients}; kill -HUP ${process.pid} reloads the files`;
  }
  return config.transport?.allowPlainHttp && !isLoopback(host)
    ? 'plain HTTP beyond loopback (allow_plain_http: true): a TLS-terminating proxy must be in front'
    : `plain HTTP on loopback only: add tls: to ${config.source} to serve other machines`;
}

/** SIGHUP reloads the TLS files; the outcome is logged either way. Returns how to stop listening. */
export function reloadOnHangup(reload: NonNullable<RunningServer['reloadTls']>, io: CommandIo): () => void {
  const onHangup = () => {
    const result = reload();
    io.stdout(
      result.ok
        ? `warden serve: SIGHUP: TLS certificate reloaded (sha256 ${result.fingerprint}); open connections keep theirs\n`
        : `warden serve: SIGHUP: TLS reload failed, still serving the previous certificate: ${result.problem}\n`,
    );
  };
  process.on('SIGHUP', onHangup);
  return () => process.off('SIGHUP', onHangup);
}
