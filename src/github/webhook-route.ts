import { createHash } from 'node:crypto';
import { Webhooks } from '@octokit/webhooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { messageOf } from '../errors.ts';
import type { GitHubApp } from './app-client.ts';
import { type RefusalMemory, type TaskDesk, takeTrigger } from './intake.ts';
import type { GitHubStore } from './store.ts';
import { triggerOf } from './triggers.ts';

/** Deliveries are remembered this long, and events older than this are refused. */
const DELIVERY_RETENTION_DAYS = 7;
const DELIVERY_RETENTION_MS = DELIVERY_RETENTION_DAYS * 24 * 60 * 60 * 1000;

/**
 * The events Warden takes carry an issue and a comment (each at most 65,536 characters): far less
 * than GitHub's 25 MB cap for any event. Bodies are read before they can be verified, so this stays small.
 */
const MAX_PAYLOAD_BYTES = 2 * 1024 * 1024;
/** Exactly the bytes received, or a refusal: what is verified is what is hashed for duplicates. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export const WEBHOOK_PATH = '/github/webhook';

export interface WebhookDeps {
  app: GitHubApp;
  store: GitHubStore;
  desk: TaskDesk;
  /** The webhook secret the App was given on GitHub. */
  secret: string;
  redact: (text: string) => string;
  log: (line: string) => void;
  refusals: RefusalMemory;
}

/**
 * `POST /github/webhook`: the signature over the exact bytes received is checked first
 * (`X-Hub-Signature-256`, compared in constant time by @octokit/webhooks), before anything is
 * parsed; then a delivery already taken — the same id, or the same signed body under a new id — is
 * refused; only then is the event read. Answers are JSON, in the API's error shape.
 */
export function webhookRoute(deps: WebhookDeps) {
  const webhooks = new Webhooks({ secret: deps.secret });
  return async (scope: FastifyInstance) => {
    // The body is kept as bytes: a parsed and re-serialised body is not what GitHub signed.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_PAYLOAD_BYTES }, (_req, body, done) =>
      done(null, body),
    );
    scope.post(WEBHOOK_PATH, async (request: FastifyRequest, reply: FastifyReply) => {
      const fail = (status: number, code: string, message: string, hint?: string) =>
        reply.code(status).send({ error: { code, message, ...(hint ? { hint } : {}) } });
      const header = (name: string) => {
        const value = request.headers[name];
        return typeof value === 'string' ? value : undefined;
      };
      const event = header('x-github-event');
      const delivery = header('x-github-delivery');
      const signature = header('x-hub-signature-256');
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      if (!event || !delivery || !signature || body.length === 0)
        return fail(
          400,
          'webhook.invalid',
          'a GitHub webhook has a body and the headers X-GitHub-Event, X-GitHub-Delivery and X-Hub-Signature-256',
          "set the App's webhook URL to this path, with content type application/json and a secret",
        );
      let text: string;
      try {
        text = UTF8.decode(body);
      } catch {
        return fail(400, 'webhook.invalid', 'the delivery is not UTF-8', 'GitHub sends JSON in UTF-8');
      }
      if (!(await webhooks.verify(text, signature).catch(() => false))) {
        deps.log(`github: delivery ${clip(delivery)} (${clip(event)}) refused: its signature does not match`);
        return fail(
          401,
          'webhook.signature',
          'the X-Hub-Signature-256 of this delivery does not match its body',
          `the App's webhook secret and the server's ${deps.app.config.webhookSecretEnv} must be the same`,
        );
      }
      if (event === 'ping') return reply.code(200).send({ status: 'pong' });
      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch {
        return fail(
          400,
          'webhook.invalid',
          'the delivery is not JSON',
          'set the content type to application/json',
        );
      }
      const read = triggerOf(event, payload, deps.app.config);
      if ('ignored' in read) return reply.code(202).send({ status: 'ignored', reason: read.ignored });
      // Older than the deliveries kept for telling replays apart: it could be one.
      if (Date.now() - read.trigger.at > DELIVERY_RETENTION_MS) {
        deps.log(
          `github: delivery ${clip(delivery)} refused: its event is older than ${DELIVERY_RETENTION_DAYS} days`,
        );
        return reply.code(200).send({
          status: 'stale',
          reason: `events older than ${DELIVERY_RETENTION_DAYS} days are not taken`,
        });
      }
      const verdict = await deps.store.recordDelivery(
        { id: delivery, bodySha256: createHash('sha256').update(body).digest('hex'), event },
        DELIVERY_RETENTION_MS,
      );
      if (verdict !== 'new') {
        const why =
          verdict === 'same-id' ? 'this delivery was already taken' : 'this body was already delivered';
        deps.log(`github: delivery ${clip(delivery)} refused as a replay: ${why}`);
        return reply.code(200).send({ status: 'duplicate', reason: why });
      }
      try {
        const outcome = await takeTrigger(read.trigger, deps);
        return reply.code(202).send({ status: outcome.kind, ...outcome });
      } catch (error) {
        // takeTrigger throws only before a task exists: GitHub's redelivery of this id is taken again.
        await deps.store.forgetDelivery(delivery).catch(() => undefined);
        deps.log(`github: delivery ${clip(delivery)} failed: ${messageOf(error)}`);
        return fail(
          502,
          'github.unreachable',
          `the delivery could not be acted on: ${messageOf(error)}`,
          "redeliver it from the App's settings once GitHub answers",
        );
      }
    });
  };
}

const clip = (text: string) => text.replace(/[^\w.-]/g, '?').slice(0, 80);
