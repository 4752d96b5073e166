/**
 * Aborts a model call that goes quiet: a provider that accepts the request and then sends nothing
 * (a dead connection behind a proxy, a hung local server) would otherwise hold the session until
 * its wall-time limit. Every sign of life (`touch`) restarts the count.
 */
export interface StallWatchdog {
  /** Aborted when the caller's signal is, or when `idleMs` pass without a `touch`. */
  readonly signal: AbortSignal;
  readonly stalled: boolean;
  touch(): void;
  stop(): void;
}

export function startStallWatchdog(idleMs: number, outer: AbortSignal | undefined): StallWatchdog {
  const own = new AbortController();
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      own.abort(new Error(`no data from the model for ${Math.round(idleMs / 1000)} s`));
    }, idleMs);
  };
  arm();
  return {
    signal: outer ? AbortSignal.any([outer, own.signal]) : own.signal,
    get stalled() {
      return stalled;
    },
    touch: arm,
    stop: () => clearTimeout(timer),
  };
}
