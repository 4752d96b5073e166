import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
// ajv comes with @modelcontextprotocol/sdk, which validates with it.
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { z } from 'zod';
import { compileToPolicy } from './engine.ts';
import { lenientReadings } from './mcp-coercion.ts';
import { policyFileSchema } from './policy-file.ts';

const policyOf = (mcp: unknown) => compileToPolicy(policyFileSchema.parse({ version: 1, mcp }), 'generated');
const call = (args: Record<string, unknown>) => ({ kind: 'mcp.call', server: 's', tool: 't', args }) as const;

/** Spaces Python's strip() or JavaScript's trim() remove. */
const space = fc.constantFrom(
  ' ',
  '\t',
  '\n',
  '\r',
  '\v',
  '\f',
  '\u00a0',
  '\u2003',
  '\u3000',
  '\ufeff',
  '\x85',
  '\x1c',
);
const spaces = fc.array(space, { maxLength: 2 }).map((s) => s.join(''));
const anyCase = (word: string) =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((up) => [...word].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));
/** Zero in scripts Python's int() reads: Arabic-Indic, Devanagari, fullwidth, mathematical bold. */
const zeros = [0x30, 0x660, 0x966, 0xff10, 0x1d7ce];

/** A spelling some lenient reader turns into `n`, an integer. */
function integerSpelling(n: number): fc.Arbitrary<unknown> {
  const digits = String(Math.abs(n));
  const text = fc
    .record({
      before: spaces,
      after: spaces,
      sign: n < 0 ? fc.constant('-') : fc.constantFrom('', '+'),
      zeros: fc.nat(3),
      fraction: fc.constantFrom('', '.0', '.000'),
      exponent: fc.constantFrom('', 'e0', 'E+0', 'e-0'),
      script: fc.constantFrom(...zeros),
      underscores: fc.boolean(),
    })
    .map((p) => {
      let body = '0'.repeat(p.zeros) + digits;
      if (p.underscores) body = [...body].join('_');
      body = body.replace(/\d/g, (d) => String.fromCodePoint(p.script + Number(d)));
      const plain = p.script === 0x30 && !p.underscores;
      return `${p.before}${p.sign}${body}${plain ? p.fraction + p.exponent : ''}${p.after}`;
    });
  const shifted = fc
    .nat(3)
    .map((k) => (k === 0 ? String(n) : `${n}${'0'.repeat(k)}e-${k}`))
    .filter(() => Number.isSafeInteger(n * 1000));
  const forms: fc.Arbitrary<unknown>[] = [text, shifted, fc.constant(n), fc.constant(String(n))];
  if (n === 0 || n === 1) forms.push(fc.constant(n === 1), fc.constant(n === 1 ? 1.0 : 0.0));
  if (n === 0) forms.push(fc.constant(null), fc.constant(''), fc.constant([]));
  return fc.oneof(...forms).chain((s) => fc.constantFrom(s, [s]));
}

/** A spelling some lenient reader turns into `b`. */
function booleanSpelling(b: boolean): fc.Arbitrary<unknown> {
  const words = b
    ? ['true', 'yes', 'on', 't', 'y', '1', 'enabled']
    : ['false', 'no', 'off', 'f', 'n', '0', 'disabled'];
  const forms: fc.Arbitrary<unknown>[] = [
    fc.constant(b),
    fc.constantFrom(...words).chain(anyCase),
    fc.tuple(spaces, fc.constantFrom(...words), spaces).map(([a, w, c]) => a + w + c),
    fc.constant(b ? 1 : 0),
    fc.constant(b ? 1.0 : 0.0),
    // Truthiness: z.coerce.boolean reads any non-empty string as true; Python reads [] and {} as false.
    b ? fc.string({ minLength: 1 }) : fc.constantFrom<unknown>('', null, [], {}, 0),
  ];
  return fc.oneof(...forms).chain((s) => fc.constantFrom(s, [s]));
}

const spelled = fc.oneof(
  fc.boolean().chain((v) => fc.tuple(fc.constant<number | boolean>(v), booleanSpelling(v))),
  fc
    .integer({ min: -1e6, max: 1e6 })
    .chain((v) => fc.tuple(fc.constant<number | boolean>(v), integerSpelling(v))),
  fc.constantFrom(0, 1).chain((v) => fc.tuple(fc.constant<number | boolean>(v), integerSpelling(v))),
  fc.double({ noNaN: true, noDefaultInfinity: true }).chain((v) =>
    fc.tuple(
      fc.constant<number | boolean>(v),
      fc.tuple(spaces, spaces).map(([a, b]) => `${a}${v}${b}`),
    ),
  ),
);

test('for any true/false or number v and any spelling a lenient server reads as v, deny, ask and an allow’s unless on v refuse it', async () => {
  await fc.assert(
    fc.asyncProperty(spelled, async ([v, s]) => {
      const policy = await policyOf({
        allow: ['s.*', { tool: 's.u', unless: { p: v } }],
        ask: [{ tool: 's.a', when: { p: v } }],
        deny: [{ tool: 's.t', when: { p: v } }],
      });
      const d = await policy.decide(call({ p: s, q: 1 }));
      assert.deepEqual([d.decision, d.policies], ['deny', ['mcp.deny[0]']], `${JSON.stringify(s)} for ${v}`);
      const asked = await policy.decide({ ...call({ p: s }), tool: 'a' });
      assert.equal(asked.decision, 'ask', `${JSON.stringify(s)} for ${v}`);
      const unless = await policy.decide({ ...call({ p: s }), tool: 'u' });
      assert.deepEqual(unless.policies, ['mcp.allow[0]'], `${JSON.stringify(s)} for ${v}`);
    }),
    { numRuns: 120 },
  );
});

test('where a match grants (allow when, deny unless) only the exact JSON value matches', async () => {
  await fc.assert(
    fc.asyncProperty(spelled, async ([v, s]) => {
      const policy = await policyOf({
        allow: [{ tool: 's.t', when: { p: v } }],
        deny: [{ tool: 's.d', unless: { p: v } }],
      });
      const exact = typeof s === typeof v && s === v;
      const d = await policy.decide(call({ p: s }));
      assert.equal(d.decision, exact ? 'allow' : 'ask', `${JSON.stringify(s)} for ${v}`);
      const denied = await policy.decide({ ...call({ p: s }), tool: 'd' });
      assert.equal(denied.decision, exact ? 'ask' : 'deny', `${JSON.stringify(s)} for ${v}`);
    }),
    { numRuns: 60 },
  );
});

/** Text an attacker builds from the pieces number and boolean parsers treat specially. */
const fragments = fc
  .array(
    fc.constantFrom(
      ...[
        '0',
        '1',
        '7',
        '00',
        '.',
        '+',
        '-',
        'e',
        'E',
        '_',
        'x',
        'b',
        'o',
        'f',
        'n',
        'inf',
        'Infinity',
        'NaN',
      ],
      ...[
        'true',
        'FALSE',
        'Yes',
        'on',
        'OFF',
        'enabled',
        ' ',
        '\t',
        '\n',
        '\u00a0',
        '\ufeff',
        '\x85',
        '١',
        '１',
      ],
    ),
    { maxLength: 7 },
  )
  .map((parts) => parts.join(''));
const jsonish = fc.oneof(
  fragments,
  fc.string({ maxLength: 6 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fragments.map((s) => [s]),
  fc.constant([]),
  fc.constant({}),
);

/** No policy can name an infinite number (the file's schema refuses one), so those readings are not kept. */
const has = (value: unknown, read: unknown) =>
  (typeof read === 'number' && !Number.isFinite(read)) ||
  ((typeof read === 'boolean' || typeof read === 'number') &&
    lenientReadings(value).includes(JSON.stringify(read)));

test('whatever zod’s z.coerce and z.stringbool or ajv’s coerceTypes read a value as is among its readings', () => {
  const ajv = new Ajv({ coerceTypes: 'array' });
  const ajvAs = (type: string) => {
    const check = ajv.compile({ type: 'object', properties: { x: { type } } });
    return (x: unknown) => {
      const data = { x: structuredClone(x) };
      return check(data) ? { ok: true, read: data.x } : { ok: false, read: undefined };
    };
  };
  const readers: Array<[string, (x: unknown) => { ok: boolean; read: unknown }]> = [
    ['z.coerce.number', (x) => zodRead(z.coerce.number(), x)],
    ['z.coerce.boolean', (x) => zodRead(z.coerce.boolean(), x)],
    ['z.stringbool', (x) => zodRead(z.stringbool(), x)],
    ['ajv boolean', ajvAs('boolean')],
    ['ajv integer', ajvAs('integer')],
    ['ajv number', ajvAs('number')],
  ];
  fc.assert(
    fc.property(jsonish, (x) => {
      for (const [name, reader] of readers) {
        const { ok, read } = reader(x);
        if (ok)
          assert.ok(has(x, read), `${name} reads ${JSON.stringify(x)} as ${read}: ${lenientReadings(x)}`);
      }
    }),
    { numRuns: 2000 },
  );
});

function zodRead(schema: z.ZodType, x: unknown): { ok: boolean; read: unknown } {
  const parsed = schema.safeParse(x);
  return parsed.success ? { ok: true, read: parsed.data } : { ok: false, read: undefined };
}

const PYDANTIC = `
import json, sys
from pydantic import TypeAdapter
adapters = [TypeAdapter(bool), TypeAdapter(int), TypeAdapter(float)]
out = []
for text in json.load(sys.stdin):
    reads = []
    for adapter in adapters:
        for validate in (adapter.validate_json, lambda t: adapter.validate_python(json.loads(t))):
            try: reads.append(validate(text))
            except Exception: pass
    for digits in (int, float):
        try: reads.append(digits(json.loads(text)))
        except Exception: pass
    out.append([r for r in reads if r == r and r not in (float('inf'), float('-inf'))])
json.dump(out, sys.stdout)
`;
const python = spawnSync('python3', ['-c', 'import pydantic']);
const hasPydantic = !python.error && python.status === 0;

// Registered only where pydantic 2 is installed (it is no project dependency): the suite skips nothing.
if (hasPydantic)
  test('whatever pydantic 2 (lax, Python and JSON input) or Python’s int()/float() read a value as is among its readings', () => {
    const values = fc.sample(jsonish, { numRuns: 3000, seed: 6 });
    const texts = values.map((v) => JSON.stringify(v));
    const run = spawnSync('python3', ['-c', PYDANTIC], { input: JSON.stringify(texts), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const reads = JSON.parse(run.stdout) as unknown[][];
    let checked = 0;
    for (const [i, value] of values.entries())
      for (const read of reads[i] ?? []) {
        checked++;
        assert.ok(has(value, read), `pydantic reads ${texts[i]} as ${read}: ${lenientReadings(value)}`);
      }
    assert.ok(checked > 1000, `only ${checked} readings to compare`);
  });
