import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeTestList, instanceSchema } from './suite-schema.ts';

describe('test lists', () => {
  it('any list of test names survives the string-encoded form SWE-bench Lite uses', () => {
    const name = fc.string({ unit: 'binary', minLength: 1 }).filter((text) => !text.includes('\0'));
    fc.assert(
      fc.property(
        fc.array(name, { minLength: 1, maxLength: 8 }),
        fc.array(name, { maxLength: 8 }),
        (f2p, p2p) => {
          // Through a JSONL line and back, as a suite file carries it.
          const line = JSON.stringify({
            instance_id: 'x',
            problem_statement: 'p',
            FAIL_TO_PASS: encodeTestList(f2p),
            PASS_TO_PASS: encodeTestList(p2p),
          });
          const parsed = instanceSchema.parse(JSON.parse(line));
          assert.deepEqual(parsed.FAIL_TO_PASS, f2p);
          assert.deepEqual(parsed.PASS_TO_PASS, p2p);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a list may also be a plain JSON array, and PASS_TO_PASS may be absent', () => {
    const parsed = instanceSchema.parse({
      instance_id: 'x',
      problem_statement: 'p',
      FAIL_TO_PASS: ['a b', "c'd"],
    });
    assert.deepEqual([parsed.FAIL_TO_PASS, parsed.PASS_TO_PASS, parsed.test_patch], [['a b', "c'd"], [], '']);
  });
});
