import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { WardenError } from '../errors.ts';

/**
 * The egress proxy's host list, as data. Patterns (from the policy's `network.allow`):
 *   `host:port`          that host on that port
 *   `host`               that host on 80 and 443
 *   `*.example.com:443`  strict subdomains of example.com (not example.com itself)
 *   `10.0.0.5:8080`, `[::1]:8080`, `::1`   an IP literal, only when written as such
 * Hostnames compare case-insensitively with a trailing dot removed. A wildcard never matches an IP
 * literal, so `*.example.com` cannot be stretched to `1.2.3.4`.
 *
 * DNS rebinding: a name that resolves to a loopback, private, link-local or otherwise non-public
 * address is refused unless its pattern names that exact host *with* its port. A listed
 * `internal.corp:8080` reaches an internal service on purpose; `*.example.com` or a bare
 * `example.com` pointing at 127.0.0.1 is an attack on the host's own services, not a grant.
 */

export interface AllowRule {
  /** The pattern as written, for records and messages. */
  pattern: string;
  kind: 'host' | 'subdomains' | 'ip';
  /** Normalised host, the suffix for `subdomains` (without `*.`), a canonical literal for `ip`. */
  host: string;
  ports: readonly number[];
  /** True when the pattern named its port, which is what permits non-public addresses for `host`. */
  explicitPort: boolean;
}

export type Target = { host: string; isIp: boolean };

const DEFAULT_PORTS = [80, 443];
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

export function parseAllowList(patterns: readonly string[]): AllowRule[] {
  return patterns.map((pattern) => {
    const rule = parsePattern(pattern);
    if (rule === undefined) {
      throw new WardenError('sandbox.bad-config', `network.allow: "${pattern}" is not a host pattern`, {
        where: 'egress proxy',
        hint: 'write host:port, host (ports 80 and 443), *.domain:port, or an IP literal',
      });
    }
    return rule;
  });
}

function parsePattern(pattern: string): AllowRule | undefined {
  const split = splitHostPort(pattern.trim());
  if (split === undefined) return undefined;
  const { rawHost, port } = split;
  const ports = port === undefined ? DEFAULT_PORTS : [port];
  const explicitPort = port !== undefined;
  if (rawHost.startsWith('*.')) {
    const suffix = normalizeHost(rawHost.slice(2));
    if (suffix === undefined || suffix.isIp) return undefined;
    return { pattern, kind: 'subdomains', host: suffix.host, ports, explicitPort };
  }
  const target = normalizeHost(rawHost);
  if (target === undefined) return undefined;
  return { pattern, kind: target.isIp ? 'ip' : 'host', host: target.host, ports, explicitPort };
}

/**
 * `host:port`, `[v6]:port`, `host`, or a bare IPv6 literal (more than one colon, no brackets).
 * The port is undefined when absent; a present port outside 1–65535 makes the whole thing invalid.
 */
export function splitHostPort(text: string): { rawHost: string; port: number | undefined } | undefined {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    const rest = text.slice(close + 1);
    if (rest === '') return { rawHost: text.slice(0, close + 1), port: undefined };
    if (!rest.startsWith(':')) return undefined;
    const port = parsePort(rest.slice(1));
    return port === undefined ? undefined : { rawHost: text.slice(0, close + 1), port };
  }
  const colons = text.split(':').length - 1;
  if (colons === 0) return { rawHost: text, port: undefined };
  if (colons > 1) return { rawHost: text, port: undefined };
  const at = text.lastIndexOf(':');
  const port = parsePort(text.slice(at + 1));
  return port === undefined ? undefined : { rawHost: text.slice(0, at), port };
}

export function parsePort(text: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * A hostname lowercased without its trailing dot, or a canonical IP literal; undefined for
 * anything else. Names whose last label is a number (`2130706433`, `0x7f.1`) are refused: the
 * resolver would read them as IPv4 and turn a name check into an unlisted raw IP.
 */
export function normalizeHost(raw: string): Target | undefined {
  let host = raw.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) {
    const inner = host.slice(1, -1);
    return isIPv6(inner) ? { host: canonicalIPv6(inner), isIp: true } : undefined;
  }
  if (isIPv6(host)) return { host: canonicalIPv6(host), isIp: true };
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (isIPv4(host)) return { host, isIp: true };
  if (host.length === 0 || host.length > 253) return undefined;
  const labels = host.split('.');
  if (!labels.every((label) => LABEL.test(label))) return undefined;
  const last = labels[labels.length - 1] ?? '';
  if (/^[0-9]+$/.test(last) || /^0x[0-9a-f]*$/.test(last)) return undefined;
  return { host, isIp: false };
}

function canonicalIPv6(address: string): string {
  // The URL parser compresses and lowercases IPv6, so `0:0::1` and `::1` compare equal.
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** The rule that lets `target:port` through, or undefined. */
export function matchAllow(rules: readonly AllowRule[], target: Target, port: number): AllowRule | undefined {
  return rules.find((rule) => {
    if (!rule.ports.includes(port)) return false;
    if (target.isIp) return rule.kind === 'ip' && rule.host === target.host;
    if (rule.kind === 'host') return rule.host === target.host;
    if (rule.kind === 'subdomains') return target.host.endsWith(`.${rule.host}`);
    return false;
  });
}

/** May a name matched by `rule` connect to these resolved addresses? Undefined when yes, else why not. */
export function resolvedRefusal(rule: AllowRule, addresses: readonly string[]): string | undefined {
  if (rule.kind === 'ip' || (rule.kind === 'host' && rule.explicitPort)) return undefined;
  const hidden = addresses.find((address) => !isPublicAddress(address));
  return hidden === undefined ? undefined : `resolves to the non-public address ${hidden}`;
}

const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

/** False for loopback, private, link-local, CGNAT, multicast and reserved ranges (IPv4-mapped too). */
export function isPublicAddress(address: string): boolean {
  if (isIPv4(address)) return !NON_PUBLIC.check(address, 'ipv4');
  if (isIPv6(address)) return !NON_PUBLIC.check(address, 'ipv6');
  return false;
}
