/**
 * Follows a task's Server-Sent Events over fetch. EventSource cannot send an Authorization header,
 * and the token must not go into a URL (it would land in logs and history), so the stream is read
 * and parsed here. After a drop it reconnects with `Last-Event-ID` set to the last event it
 * delivered: the server replays from there, so nothing is missed and nothing is shown twice.
 */

export type StreamState = 'connecting' | 'live' | 'retrying' | 'ended' | 'refused';

export interface FollowOptions {
  /** `/v1/tasks/<id>/events`. */
  url: string;
  headers: () => Record<string, string>;
  /** The last sequence number already shown; 0 for the whole history. */
  after?: number;
  onEvent: (event: unknown, seq: number) => void;
  /** The task ended: `data` of the `end` message (`{status}`). */
  onEnd: (data: unknown) => void;
  onState: (state: StreamState, detail?: string) => void;
  fetch?: typeof fetch;
  /** Wait before the n-th reconnection in a row (from 1). */
  retryDelayMs?: (attempt: number) => number;
}

export interface Following {
  close(): void;
  /** The last sequence number delivered. */
  readonly lastSeq: number;
}

export function followEvents(options: FollowOptions): Following {
  const doFetch = options.fetch ?? fetch.bind(globalThis);
  const delay = options.retryDelayMs ?? ((attempt: number) => Math.min(10_000, 500 * 2 ** (attempt - 1)));
  const controller = new AbortController();
  let lastSeq = options.after ?? 0;
  let closed = false;

  const run = async () => {
    let attempt = 0;
    let why: string | undefined;
    while (!closed) {
      options.onState(attempt === 0 ? 'connecting' : 'retrying', why);
      let ended = false;
      let delivered = false;
      try {
        const headers: Record<string, string> = { ...options.headers(), accept: 'text/event-stream' };
        if (lastSeq > 0) headers['last-event-id'] = String(lastSeq);
        const response = await doFetch(options.url, {
          headers,
          signal: controller.signal,
          cache: 'no-store',
        });
        if (!response.ok || !response.body) {
          // The request itself is wrong (signed out, not allowed, no such task): retrying will not help.
          if (response.status >= 400 && response.status < 500) {
            options.onState('refused', `${response.status}`);
            return;
          }
          throw new Error(`HTTP ${response.status}`);
        }
        options.onState('live');
        for await (const message of messages(response.body)) {
          if (message.event === 'end') {
            ended = true;
            options.onEnd(parseJson(message.data));
            break;
          }
          if (message.event !== undefined && message.event !== 'message') continue;
          const seq = Number(message.id);
          // A replayed event (a resume that overlaps) is dropped: each is shown once.
          if (Number.isFinite(seq) && seq <= lastSeq) continue;
          if (Number.isFinite(seq)) lastSeq = seq;
          delivered = true;
          options.onEvent(parseJson(message.data), seq);
        }
        why = 'the stream closed before the task ended';
      } catch (error) {
        if (closed) return;
        why = (error as Error).message;
      }
      if (ended) {
        options.onState('ended');
        return;
      }
      if (closed) return;
      attempt = delivered ? 1 : attempt + 1;
      await sleep(delay(attempt), controller.signal);
    }
  };
  void run();

  return {
    get lastSeq() {
      return lastSeq;
    },
    close() {
      closed = true;
      controller.abort();
    },
  };
}

export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/** SSE messages of a byte stream, per the HTML standard's parsing rules (comments skipped). */
export async function* messages(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let message: SseMessage = { data: '' };
  let hasData = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        // CRLF is accepted too; a lone CR as a line end (allowed, never sent by Warden) is not.
        const line = buffer.slice(0, buffer[newline - 1] === '\r' ? newline - 1 : newline);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        if (line === '') {
          if (hasData || message.event) yield message;
          message = { data: '' };
          hasData = false;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'data') {
          message.data = hasData ? `${message.data}\n${value}` : value;
          hasData = true;
        } else if (field === 'id') message.id = value;
        else if (field === 'event') message.event = value;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
