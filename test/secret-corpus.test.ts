import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createRedactor } from '../src/guard/redactor.ts';
import { SECRET_RULES } from '../src/guard/secret-rules/index.ts';
import { LOOKALIKES } from './secret-lookalikes.ts';
import { CONTEXTS, isRealistic, sampleArbitrary, textOf } from './secret-samples.ts';

/** Samples per rule; each is written into every context that can hold it. */
const RUNS_PER_RULE = 25;
const RUNS_PER_LOOKALIKE = 1000;

test('every rule hides generated samples of its kind, exactly, in env files, shells, JSON, YAML, logs and URLs', (t) => {
  let texts = 0;
  for (const rule of SECRET_RULES) {
    fc.assert(
      fc.property(sampleArbitrary(rule), (sample) => {
        fc.pre(isRealistic(rule, sample));
        const fragment = sample.before + sample.secret + sample.after;
        for (const context of CONTEXTS) {
          if (!context.fits(fragment)) continue;
          const placed = context.place(sample.name, sample);
          const text = textOf(placed);
          const expected = textOf({ ...placed, secret: `«secret:${rule.id}#1»` });
          assert.equal(createRedactor().redact(text), expected, `${rule.id} in ${context.name}`);
          texts++;
        }
      }),
      { numRuns: RUNS_PER_RULE },
    );
  }
  t.diagnostic(`${SECRET_RULES.length} rules, ${texts} generated texts, 0 misses`);
});

test('look-alikes that tool output is full of are never touched', (t) => {
  let texts = 0;
  for (const [kind, arbitrary] of Object.entries(LOOKALIKES)) {
    fc.assert(
      fc.property(arbitrary, (text) => {
        assert.equal(createRedactor().redact(text), text, kind);
        texts++;
      }),
      { numRuns: RUNS_PER_LOOKALIKE },
    );
  }
  t.diagnostic(
    `${Object.keys(LOOKALIKES).length} kinds of look-alike, ${texts} generated texts, 0 false positives`,
  );
});
