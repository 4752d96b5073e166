/**
 * Calls per minute per key, over a sliding window: a key may make `perMinute` calls in any 60
 * seconds. Kept in this process: servers sharing a PostgreSQL database each count their own.
 */
export interface CallRate {
  /** Counts a call when the key has room for it; otherwise how long until it has. */
  take(key: string, now?: number): { ok: true } | { ok: false; retryAfterMs: number };
}

const WINDOW_MS = 60_000;

export function createCallRate(perMinute: number): CallRate {
  const recent = new Map<string, number[]>();
  let sinceSweep = 0;
  return {
    take(key, now = Date.now()) {
      // Keys that went quiet are forgotten now and then, so the map stays the size of the active ones.
      if (++sinceSweep >= 1000) {
        sinceSweep = 0;
        for (const [name, times] of recent) if ((times.at(-1) ?? 0) <= now - WINDOW_MS) recent.delete(name);
      }
      const times = (recent.get(key) ?? []).filter((time) => time > now - WINDOW_MS);
      if (times.length >= perMinute) {
        recent.set(key, times);
        return { ok: false, retryAfterMs: (times[0] as number) + WINDOW_MS - now };
      }
      times.push(now);
      recent.set(key, times);
      return { ok: true };
    },
  };
}
