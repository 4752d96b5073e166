import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createCallRate } from './call-rate.ts';

test('no key is granted more than its calls in any 60 seconds, and a refusal says when room returns', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5 }),
      fc.array(fc.record({ key: fc.constantFrom('a', 'b'), gap: fc.integer({ min: 0, max: 30_000 }) }), {
        maxLength: 60,
      }),
      (perMinute, steps) => {
        const rate = createCallRate(perMinute);
        const granted: Record<string, number[]> = { a: [], b: [] };
        let now = 1_000_000;
        for (const { key, gap } of steps) {
          now += gap;
          const taken = rate.take(key, now);
          const recent = (granted[key] as number[]).filter((time) => time > now - 60_000);
          // Granted exactly when the window has room: the limiter neither over- nor under-grants.
          assert.equal(taken.ok, recent.length < perMinute);
          if (taken.ok) (granted[key] as number[]).push(now);
          else assert.equal(taken.retryAfterMs, (recent[0] as number) + 60_000 - now);
        }
      },
    ),
  );
});
