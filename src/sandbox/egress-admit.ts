import { lookup } from 'node:dns/promises';
import { type AllowRule, matchAllow, resolvedRefusal, type Target } from './egress-allow.ts';

/** What the egress proxy does with one target: connect to `address`, or answer with `status`. */
export type Gate =
  | { ok: true; address: string }
  | { ok: false; status: number; message: string; allowed: boolean; reason: string };

/** One target's admission, as the HTTP and CONNECT paths both ask for it. */
export type AdmitTarget = (target: Target | undefined, port: number, method: string) => Promise<Gate>;

/**
 * admit(), then the write-ahead step: an allowed request is announced to `beforeConnect` and made
 * only once that resolves; if it cannot be recorded, it is refused.
 */
export function createAdmitTarget(
  rules: readonly AllowRule[],
  beforeConnect?: (intent: { host: string; port: number; method: string }) => Promise<void>,
): AdmitTarget {
  return async (target, port, method) => {
    const gate = await admit(target, port, rules);
    if (!gate.ok || beforeConnect === undefined || target === undefined) return gate;
    try {
      await beforeConnect({ host: target.host, port, method });
      return gate;
    } catch (error) {
      const reason = `not recorded: ${errorText(error)}`;
      return {
        ok: false,
        status: 503,
        message: 'Warden proxy: the request could not be recorded, so it was not made',
        allowed: false,
        reason,
      };
    }
  };
}

/** The policy's answer for a target, then the address to connect to (checked against rebinding). */
export async function admit(
  target: Target | undefined,
  port: number,
  rules: readonly AllowRule[],
): Promise<Gate> {
  if (target === undefined) {
    const reason = 'not a valid host name or IP literal';
    return { ok: false, status: 400, message: `Warden proxy: ${reason}`, allowed: false, reason };
  }
  const shown =
    target.isIp && target.host.includes(':') ? `[${target.host}]:${port}` : `${target.host}:${port}`;
  const rule = matchAllow(rules, target, port);
  if (rule === undefined) {
    const reason = 'not in network.allow';
    const message = `Warden refused ${shown}: not in network.allow; add "${shown}" to network.allow in the policy to allow it`;
    return { ok: false, status: 403, message, allowed: false, reason };
  }
  if (target.isIp) return { ok: true, address: target.host };
  let addresses: string[];
  try {
    addresses = (await lookup(target.host, { all: true })).map((a) => a.address);
  } catch (error) {
    const reason = `dns: ${errorText(error)}`;
    return {
      ok: false,
      status: 502,
      message: `Warden proxy: ${shown} did not resolve (${reason})`,
      allowed: true,
      reason,
    };
  }
  const refusal = resolvedRefusal(rule, addresses);
  const first = addresses[0];
  if (refusal !== undefined || first === undefined) {
    const reason = refusal ?? 'no addresses';
    const message = `Warden refused ${shown}: it ${reason}; list "${shown}" exactly in network.allow in the policy to allow it`;
    return { ok: false, status: 403, message, allowed: false, reason };
  }
  return { ok: true, address: first };
}

export function errorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}
