import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { createRedactor } from './redactor.ts';

const HELD = randomBytes(24).toString('base64url');

/** Secrets of both sorts: found by shape, and a known value in several forms. */
const planted = fc.constantFrom(
  'AKIAQWERTYUIOPASDFGH',
  `ghp_${'a1B2'.repeat(9)}`,
  'postgres://app:s3cr3tpass@db:5432/x',
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----',
  HELD,
  [...HELD].reverse().join(''),
  Buffer.from(HELD).toString('hex'),
  Buffer.from(`ab${HELD}`).toString('base64'),
  encodeURIComponent(`${HELD}/`).replace(/[a-z]/g, (c) => `%${c.charCodeAt(0).toString(16)}`),
);
const prose = fc.constantFrom('', ' ', '\n', 'the key is ', ' and ', 'x', 'log: ', '«', '»\n');

test('findings say exactly what redact replaced: putting their placeholders in gives its output', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(prose, planted, prose), { maxLength: 6 }), (parts) => {
      const text = parts.map((p) => p.join('')).join('');
      const redactor = createRedactor();
      redactor.addKnown([{ value: HELD, kind: 'held-key' }]);
      const findings = redactor.findings(text);
      let rebuilt = '';
      let at = 0;
      for (const finding of findings) {
        assert.ok(finding.start >= at && finding.end > finding.start, JSON.stringify(findings));
        rebuilt += text.slice(at, finding.start) + finding.placeholder;
        at = finding.end;
      }
      assert.equal(rebuilt + text.slice(at), redactor.redact(text));
      for (const finding of findings) assert.ok(!JSON.stringify(finding).includes(HELD));
    }),
    { numRuns: 300 },
  );
});

test('a finding names the rule, or the known value and the form it was shown in', () => {
  const redactor = createRedactor();
  redactor.addKnown([{ value: HELD, kind: 'held-key' }]);
  const hex = Buffer.from(HELD).toString('hex');
  const text = `id AKIAQWERTYUIOPASDFGH\nhex ${hex}`;
  assert.deepEqual(
    redactor.findings(text).map(({ rule, form, start }) => ({ rule, form, start })),
    [
      { rule: 'aws-access-key', form: undefined, start: 3 },
      { rule: 'held-key', form: 'hex', start: text.indexOf(hex) },
    ],
  );
  assert.deepEqual(redactor.findings('nothing here'), []);
});

test("findings rebuild the output when a rule's match runs on into a known value (a case CI found)", () => {
  const held = 'NZYVm7qU9Ftd0o3NaaLA61rI8rQSbz9y';
  const redactor = createRedactor();
  redactor.addKnown([{ value: held, kind: 'held-key' }]);
  const encoded = 'NZYV%6d7%71U9F%74%640%6f3N%61%61LA61%72I8%72QS%62%7a9%79%2F';
  const text = `${encoded}postgres://app:s3cr3tpass@db:5432/x${held}`;
  let rebuilt = '';
  let at = 0;
  for (const finding of redactor.findings(text)) {
    assert.ok(finding.start >= at, 'no finding overlaps another');
    rebuilt += text.slice(at, finding.start) + finding.placeholder;
    at = finding.end;
  }
  assert.equal(rebuilt + text.slice(at), redactor.redact(text));
});
