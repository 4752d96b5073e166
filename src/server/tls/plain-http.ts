import { BlockList, isIP } from 'node:net';
import { WardenError } from '../../errors.ts';
import type { TransportConfig } from './config.ts';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether an address to listen on is reachable from this machine only (IPv4-mapped forms included). */
export function isLoopback(host: string): boolean {
  const address = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (address === 'localhost') return true;
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Tokens, approvals and the console's traffic must not cross a network in the clear: without
 * `tls:` the server listens on loopback only, unless the operator says a TLS-terminating proxy is
 * in front (`allow_plain_http: true`).
 */
export function checkPlainHttp(host: string, transport: TransportConfig | undefined, where: string): void {
  if (transport?.tls || transport?.allowPlainHttp || isLoopback(host)) return;
  throw new WardenError(
    'server.plain_http',
    `--host ${host} would serve plain HTTP beyond this machine: API tokens and the console's traffic would cross the network unencrypted`,
    {
      where,
      hint: 'add tls: { cert_file, key_file } to server.yaml, or allow_plain_http: true when a TLS-terminating proxy is in front (see README, "TLS and mTLS")',
    },
  );
}
