import type { WardenEvent } from '../agent/events.ts';
import { isWardenError, messageOf, WardenError } from '../errors.ts';
import type { ServerClient } from './server-client.ts';

export interface FollowOptions {
  /** Events after this sequence number (0: the whole history). */
  after?: number;
  onEvent(event: WardenEvent): void;
  /** The task ended: its status, from the stream's `event: end`. */
  onEnd(status: string): void;
  /** The stream broke and is being opened again (the server restarted, the network dropped). */
  onReconnect?(problem: string): void;
  /** The stream is open again after a break. */
  onResumed?(): void;
  signal: AbortSignal;
  /** Waits between attempts to reopen a broken stream. */
  retryMs?: number;
}

/**
 * Follows a served task's events over SSE (`GET /v1/tasks/{id}/events`): its history, then live
 * events until the task ends. A broken stream is reopened after the last event seen
 * (`Last-Event-ID`), so nothing is lost or shown twice. Resolves when the task has ended or
 * `signal` aborts; rejects when the server refuses the stream (no such task, a bad token).
 */
/** Failures that pass: the connection broke, or the server is restarting (5xx). */
const PASSING = new Set(['server.unreachable', 'server.unavailable']);

export async function followTaskEvents(
  client: ServerClient,
  taskId: string,
  options: FollowOptions,
): Promise<void> {
  let last = options.after ?? 0;
  // Until a stream has opened once, a failure is the server's answer (down, no such task): final.
  let everOpened = false;
  while (!options.signal.aborted) {
    const reopening = everOpened;
    try {
      const ended = await readStream(
        client,
        taskId,
        last,
        options,
        (seq) => {
          last = seq;
        },
        () => {
          everOpened = true;
          if (reopening) options.onResumed?.();
        },
      );
      if (ended !== undefined) {
        options.onEnd(ended);
        return;
      }
    } catch (error) {
      if (options.signal.aborted) return;
      // A refusal is final; a broken connection after the stream once opened is the network's.
      if (!everOpened || (isWardenError(error) && !PASSING.has(error.code))) throw error;
      options.onReconnect?.(messageOf(error));
    }
    await pause(options.retryMs ?? 1000, options.signal);
  }
}

async function readStream(
  client: ServerClient,
  taskId: string,
  after: number,
  options: FollowOptions,
  seen: (seq: number) => void,
  opened?: () => void,
): Promise<string | undefined> {
  const response = await client.open(`/v1/tasks/${encodeURIComponent(taskId)}/events`, {
    headers: { accept: 'text/event-stream', 'last-event-id': String(after) },
    signal: options.signal,
  });
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => undefined)) as
      | { error?: { code?: string; message?: string; hint?: string } }
      | undefined;
    throw new WardenError(
      response.status >= 500 ? 'server.unavailable' : (body?.error?.code ?? `http.${response.status}`),
      `${client.url}: ${body?.error?.message ?? `the event stream answered ${response.status}`}`,
      body?.error?.hint ? { hint: body.error.hint } : {},
    );
  }
  opened?.();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const message = parseBlock(block);
        if (!message) continue;
        if (message.event === 'end') return (JSON.parse(message.data) as { status: string }).status;
        const event = JSON.parse(message.data) as WardenEvent;
        seen(event.seq);
        options.onEvent(event);
      }
    }
  } catch (error) {
    if (options.signal.aborted) return undefined;
    throw new WardenError('server.unreachable', `the event stream broke: ${messageOf(error)}`);
  }
  if (options.signal.aborted) return undefined;
  throw new WardenError('server.unreachable', 'the event stream closed before the task ended');
}

/** One SSE message (`event:`, `data:` lines); undefined for a comment (`: ping`). */
function parseBlock(block: string): { event?: string; data: string } | undefined {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  return { ...(event ? { event } : {}), data: data.join('\n') };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
