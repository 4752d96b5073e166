import type { NetRecord } from '../sandbox/egress-proxy.ts';
import type { EventStream } from './event-stream.ts';

/** The egress proxy as a session sees it: each request's intent before it connects, its record after. */
export interface SessionNetwork {
  listen(onRecord: (record: NetRecord) => void): void;
  beforeConnect(hook: (intent: { host: string; port: number; method: string }) => Promise<void>): void;
}

/**
 * Write-ahead for the network too: an allowed request is a `net.requested` event, durable before the
 * proxy connects; every request, allowed or not, is a `net.request` event once it is done.
 */
export function recordNetwork(
  network: SessionNetwork | undefined,
  events: EventStream,
  durable: () => Promise<void>,
): void {
  network?.beforeConnect(async (intent) => {
    events.emit({ type: 'net.requested', ...intent });
    await durable();
  });
  network?.listen((record) =>
    events.emit({
      type: 'net.request',
      host: record.host,
      port: record.port,
      method: record.method,
      allowed: record.allowed,
      bytes: record.bytesUp + record.bytesDown,
    }),
  );
}
