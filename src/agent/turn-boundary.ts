import { messageOf } from '../errors.ts';
import type { Message } from '../models/types.ts';
import type { EventStream } from './event-stream.ts';

/** A message a person sent to a running session; `from` names them for the record. */
export interface SteeringMessage {
  text: string;
  from: string;
}

/** Why a session must end before its next model request, and as what. */
export interface StopRequest {
  status: 'failed' | 'cancelled';
  reason: string;
  error?: { code: string; message: string };
}

/** What the host of a session (the server) may do between turns, when the checkpoint is written. */
export interface TurnHooks {
  /** Drained before each model request: what people said to the session since the last one. */
  steering?: () => Promise<SteeringMessage[]>;
  /** A shared budget that is spent, or a server shutting down, ends the session here, cleanly. */
  stopBefore?: () => Promise<StopRequest | undefined>;
}

/**
 * The turn boundary: first whether to stop, then the steering messages, each recorded as an event
 * and added to the conversation so the next model request carries it. A hook that fails ends the
 * session rather than letting it run unsteered or over budget.
 */
export async function atTurnBoundary(
  hooks: TurnHooks,
  events: EventStream,
  messages: Message[],
  redact: (text: string) => string,
): Promise<StopRequest | undefined> {
  try {
    const stop = await hooks.stopBefore?.();
    if (stop) return stop;
  } catch (error) {
    return { status: 'failed', reason: `the stop check failed: ${messageOf(error)}` };
  }
  try {
    for (const message of (await hooks.steering?.()) ?? []) {
      const text = redact(message.text);
      events.emit({ type: 'user.message', text, from: message.from });
      messages.push({ role: 'user', text });
    }
  } catch (error) {
    return { status: 'failed', reason: `the steering messages could not be read: ${messageOf(error)}` };
  }
  return undefined;
}
