import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { formsOf, looksRandom, readsAsWord, stableBase64 } from './known-forms.ts';
import { createKnownMatcher } from './known-matcher.ts';
import { percentDecoded } from './percent-decoding.ts';
import { createRedactor } from './redactor.ts';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const KEY_CHARS = `${BASE62}-_./+=`;

/** A random key as providers issue them: an optional prefix and 16 to 64 random characters. */
const key = fc
  .tuple(
    fc.constantFrom('', 'sk-proj-', 'ghp_', 'xoxb-', 'AKIA', 'glpat-', 'npm_'),
    fc.string({ unit: fc.constantFrom(...KEY_CHARS), minLength: 16, maxLength: 64 }),
  )
  .map(([prefix, body]) => prefix + body)
  .filter(looksRandom);

/** Text around the secret: words, code, paths, numbers and punctuation, as tool output has. */
const WORDS = [
  'const',
  'return',
  'the',
  'test',
  'failed',
  'src/index.ts:12:5',
  '{',
  '}',
  '=>',
  'npm',
  'ERR!',
  '"key":',
  '\n',
  '  ',
  '0x1f',
  'export',
  'token',
  '=',
  'Bearer',
  'value:',
];
const surrounding = fc.array(fc.constantFrom(...WORDS), { maxLength: 12 }).map((words) => words.join(' '));

type Transform = (value: string) => { shown: string; evidence: string[] };

const b64 = (bytes: Buffer) => bytes.toString('base64');
const b64url = (bytes: Buffer) => bytes.toString('base64url');
const reverse = (s: string) => [...s].reverse().join('');
const rot13 = (s: string) =>
  s.replace(/[A-Za-z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });

/** Each transform: what a command prints, and what of it must not be left in the redacted text. */
const transforms: Record<string, fc.Arbitrary<Transform>> = {
  plain: fc.constant((v) => ({ shown: v, evidence: [v] })),
  reversed: fc.constant((v) => ({ shown: reverse(v), evidence: [reverse(v)] })),
  rot13: fc.constant((v) => ({ shown: rot13(v), evidence: [rot13(v)] })),
  'upper-case': fc.constant((v) => ({ shown: v.toUpperCase(), evidence: [v.toUpperCase()] })),
  hex: fc.boolean().map((upper) => (v) => {
    const hex = Buffer.from(v).toString('hex');
    const shown = upper ? hex.toUpperCase() : hex;
    return { shown, evidence: [shown] };
  }),
  'hex wrapped like xxd -p': fc.constant((v) => {
    const hex = Buffer.from(v).toString('hex');
    const lines = hex.match(/.{1,60}/g) ?? [];
    return { shown: lines.join('\n'), evidence: lines.filter((line) => line.length >= 6) };
  }),
  'base64 inside a longer blob': fc
    .tuple(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ maxLength: 20 }), fc.boolean())
    .map(([before, after, url]) => (v) => {
      const bytes = Buffer.concat([Buffer.from(before), Buffer.from(v), Buffer.from(after)]);
      const inner = stableBase64(Buffer.from(v), before.length % 3);
      const evidence = url ? inner.replace(/\+/g, '-').replace(/\//g, '_') : inner;
      return { shown: url ? b64url(bytes) : b64(bytes), evidence: [evidence] };
    }),
  'url-encoded, some or all characters': fc
    .array(fc.boolean(), { minLength: 64, maxLength: 64 })
    .map((which) => (v) => {
      const shown = [...v]
        .map((c, i) =>
          which[i] || /[^A-Za-z0-9_.~-]/.test(c) ? `%${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c,
        )
        .join('');
      return { shown, evidence: [shown] };
    }),
  'split into pieces of 10+': fc
    .tuple(fc.nat(), fc.constantFrom('\n', ' ', '", "', ' + ', ''))
    .map(([cut, separator]) => (v) => {
      // Cut anywhere that leaves two pieces of at least 10 (the values are 16+ long).
      const at = 10 + (cut % Math.max(1, v.length - 19));
      const pieces = [v.slice(0, at), v.slice(at)];
      return {
        shown: pieces.join(separator),
        evidence: pieces.filter((p) => p.length >= 10 && !readsAsWord(p)),
      };
    }),
};

for (const [name, transform] of Object.entries(transforms)) {
  test(`a known value is redacted when shown ${name}`, () => {
    fc.assert(
      fc.property(key, transform, surrounding, surrounding, (value, make, before, after) => {
        const redactor = createRedactor();
        redactor.addKnown([{ value, kind: 'held-key' }]);
        const { shown, evidence } = make(value);
        const out = redactor.redact(`${before} ${shown} ${after}`);
        for (const piece of evidence)
          assert.ok(!out.includes(piece), `${JSON.stringify(piece)} left in ${out}`);
        if (evidence.length > 0) assert.match(out, /«secret:held-key#1»/);
      }),
      { numRuns: 150 },
    );
  });
}

test('many known values in many forms are all found in one text', () => {
  const values = Array.from({ length: 50 }, () => randomBytes(24).toString('base64url'));
  const redactor = createRedactor();
  redactor.addKnown(values.map((value, i) => ({ value, kind: `k${i}` })));
  const text = values
    .map(
      (v, i) =>
        [v, reverse(v), Buffer.from(v).toString('hex'), b64(Buffer.from(`xy${v}`)), encodeURIComponent(v)][
          i % 5
        ],
    )
    .join('\n');
  const out = redactor.redact(text);
  assert.equal(out.split('\n').filter((line) => /«secret:k\d+#1»/.test(line)).length, 50, out);
});

test('no known value is found in text that does not hold it: ordinary output and look-alikes', () => {
  fc.assert(
    fc.property(fc.array(key, { minLength: 1, maxLength: 30 }), (values) => {
      const matcher = createKnownMatcher(values.map((value) => ({ value, kind: 'k' })));
      for (const text of lookAlikes()) assert.deepEqual(matcher.find(text), [], text.slice(0, 80));
    }),
    { numRuns: 30 },
  );
  // This repository's own sources and manual: a large sample of what tools print.
  const matcher = createKnownMatcher(
    Array.from({ length: 200 }, () => ({ value: randomBytes(20).toString('base64'), kind: 'k' })),
  );
  const corpus = [
    ...sourceFiles(join(import.meta.dirname, '..')),
    join(import.meta.dirname, '../../README.md'),
  ];
  for (const file of corpus) assert.deepEqual(matcher.find(readFileSync(file, 'utf8')), [], file);
});

test('a value that does not look random is found whole in each form, never by a piece', () => {
  const redactor = createRedactor();
  redactor.addKnown([{ value: 'postgres://localhost:5432/app', kind: 'env-file' }]);
  assert.equal(
    redactor.redact('db postgres://localhost:5432/app and localhost:5432 ppa/2345:tsohlacol//:sergtsop'),
    'db «secret:env-file#1» and localhost:5432 «secret:env-file#1»',
  );
  assert.equal(looksRandom('deepValue-0003'), false);
  // A piece that reads like a word is not taken for a piece of a key, even of a random-looking one.
  const words = createRedactor();
  words.addKnown([{ value: 'ghs_PullRequestBroker0123456789abcXYZ', kind: 'token' }]);
  assert.equal(
    words.redact('{"pullRequest":1} Broker0123456789 ghs_PullRequestBroker0'),
    '{"pullRequest":1} «secret:token#1» «secret:token#1»',
  );
  assert.equal(looksRandom('correct-horse-battery-staple'), false);
  assert.equal(looksRandom('Kp4ZrQ8wX2mN7vB3sT9yL6cD'), true);
});

test('the stable base64 of a value is inside the encoding of any bytes around it', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 8, maxLength: 60 }),
      fc.uint8Array(),
      fc.uint8Array(),
      (v, pre, post) => {
        const value = Buffer.from(v);
        const inner = stableBase64(value, pre.length % 3);
        assert.ok(inner.length >= Math.floor((value.length * 4) / 3) - 2);
        assert.ok(b64(Buffer.concat([Buffer.from(pre), value, Buffer.from(post)])).includes(inner));
      },
    ),
  );
});

test('percent-decoding gives back the text and where each character came from', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.string({ maxLength: 10 }).filter((t) => !t.includes('%')),
      (s, plain) => {
        const encoded = `${plain}${encodeURIComponent(s)}`;
        const decoded = percentDecoded(encoded);
        if (!decoded) return assert.equal(encoded, plain + s);
        assert.equal(decoded.text, plain + s);
        assert.equal(decoded.offsets.length, decoded.text.length + 1);
        assert.equal(decoded.offsets.at(-1), encoded.length);
        for (let k = 1; k < decoded.offsets.length; k++)
          assert.ok((decoded.offsets[k] as number) >= (decoded.offsets[k - 1] as number));
      },
    ),
  );
  assert.equal(percentDecoded('100%ZZ and %e9 alone')?.text, '100%ZZ and %e9 alone');
});

test('every form of a value is distinct and at least eight characters', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 8, maxLength: 80 }), (value) => {
      const forms = formsOf(value).map((form) => form.text);
      assert.equal(new Set(forms).size, forms.length);
      for (const form of forms) assert.ok(form.length >= 8);
    }),
  );
});

/** What tool output is full of that looks like a key: hashes, ids, digests, encoded blobs, code. */
function lookAlikes(): string[] {
  const sha = () => randomBytes(20).toString('hex');
  return [
    `commit ${sha()}\nAuthor: A <a@example.com>\n\n    fix: the sum ${sha().slice(0, 7)}`,
    `"integrity": "sha512-${randomBytes(64).toString('base64')}"`,
    `id ${randomUUID()} ${randomUUID().toUpperCase()}`,
    `image@sha256:${randomBytes(32).toString('hex')}`,
    `data:image/png;base64,${randomBytes(300).toString('base64')}`,
    `    at Object.<anonymous> (/app/src/index.js:12:5)\n    at Module._compile (node:internal/modules/cjs/loader:1376:14)`,
    `https://example.com/search?q=${encodeURIComponent('a b/c?d=é')}&page=%32`,
    randomBytes(200).toString('hex').toUpperCase(),
  ];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}
