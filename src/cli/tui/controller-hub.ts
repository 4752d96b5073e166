import type { WardenEvent } from '../../agent/events.ts';
import type { ControllerState } from './session-controller.ts';

type Partial_ = { turn: number; text: string };

/**
 * The listening half of a SessionController, for any of them (local or remote): the session's
 * events kept in order and replayed to each new subscriber, the state and who watches it, the
 * reply being generated. A listener that throws does not stop the others.
 */
export class ControllerHub {
  #events: WardenEvent[] = [];
  #sinks = new Set<(event: WardenEvent) => void>();
  #watchers = new Set<(state: ControllerState) => void>();
  #streams = new Set<(partial: Partial_) => void>();
  #state: ControllerState;

  constructor(state: ControllerState) {
    this.#state = state;
  }

  get state(): ControllerState {
    return this.#state;
  }

  /** Every event so far, in order. */
  get events(): readonly WardenEvent[] {
    return this.#events;
  }

  subscribe(sink: (event: WardenEvent) => void): () => void {
    for (const event of this.#events) safely(sink, event);
    this.#sinks.add(sink);
    return () => this.#sinks.delete(sink);
  }

  watch(listener: (state: ControllerState) => void): () => void {
    safely(listener, this.#state);
    this.#watchers.add(listener);
    return () => this.#watchers.delete(listener);
  }

  stream(sink: (partial: Partial_) => void): () => void {
    this.#streams.add(sink);
    return () => this.#streams.delete(sink);
  }

  /** A new event of the session, told to every subscriber. */
  emit(event: WardenEvent): void {
    this.#events.push(event);
    for (const sink of this.#sinks) safely(sink, event);
  }

  /** Another session's history replaces this one's (a resume): subscribers see it from its start. */
  replace(events: WardenEvent[]): void {
    this.#events = [];
    for (const event of events) this.emit(event);
  }

  partial(partial: Partial_): void {
    for (const sink of this.#streams) safely(sink, partial);
  }

  /** A new state (a fresh object each time, so a view can compare). */
  update(change: Partial<ControllerState>): void {
    this.#state = { ...this.#state, ...change };
    for (const listener of this.#watchers) safely(listener, this.#state);
  }

  /** Drops every listener. */
  clear(): void {
    this.#sinks.clear();
    this.#watchers.clear();
    this.#streams.clear();
  }
}

function safely<T>(listener: (value: T) => void, value: T): void {
  try {
    listener(value);
  } catch {
    // A broken view must not stop the session or the other listeners.
  }
}
