/**
 * Webhook deliveries as GitHub's Hookshot sends them: a POST of the JSON body with the event,
 * a delivery id, the hook and its App, and HMAC signatures of the exact body bytes. Options forge
 * (another secret, a body altered after signing, a signature given outright) and replay (the same
 * id and body again, or a captured body re-signed under a new id).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

export interface DeliverOptions {
  /** Delivery id (`X-GitHub-Delivery`); a fresh uuid when absent. Reuse one to replay. */
  id?: string;
  /** Sign with this secret instead of the App's webhook secret. */
  secret?: string;
  /** Send this `X-Hub-Signature-256` instead of the computed one (`null` sends none). */
  signature?: string | null;
  /** The exact body to send instead of `JSON.stringify(payload)`: a captured delivery's bytes. */
  rawBody?: string;
  /** Changes the body after it was signed, as an attacker in the middle would. */
  alterAfterSigning?: (body: string) => string;
}

export interface Delivery {
  id: string;
  event: string;
  /** The bytes that were signed. */
  rawBody: string;
  /** What was sent (differs from rawBody only when altered after signing). */
  sentBody: string;
  headers: Record<string, string>;
  status: number;
  responseBody: string;
}

export function signBody(secret: string, body: string): { sha256: string; sha1: string } {
  return {
    sha256: `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    sha1: `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
  };
}

export async function deliverWebhook(
  target: string,
  event: string,
  payload: unknown,
  hook: { id: number; appId: number; secret: string },
  options: DeliverOptions = {},
): Promise<Delivery> {
  const id = options.id ?? randomUUID();
  const rawBody = options.rawBody ?? JSON.stringify(payload);
  const signed = signBody(options.secret ?? hook.secret, rawBody);
  const sentBody = options.alterAfterSigning ? options.alterAfterSigning(rawBody) : rawBody;
  const headers: Record<string, string> = {
    accept: '*/*',
    'content-type': 'application/json',
    'user-agent': `GitHub-Hookshot/${randomBytes(4).toString('hex').slice(0, 7)}`,
    'x-github-event': event,
    'x-github-delivery': id,
    'x-github-hook-id': String(hook.id),
    'x-github-hook-installation-target-type': 'integration',
    'x-github-hook-installation-target-id': String(hook.appId),
    'x-hub-signature': signed.sha1,
  };
  if (options.signature !== null) headers['x-hub-signature-256'] = options.signature ?? signed.sha256;
  const response = await fetch(target, { method: 'POST', headers, body: sentBody });
  return {
    id,
    event,
    rawBody,
    sentBody,
    headers,
    status: response.status,
    responseBody: await response.text(),
  };
}
