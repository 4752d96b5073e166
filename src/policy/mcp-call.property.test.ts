import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileToPolicy } from './engine.ts';
import { likeMatcher } from './like.ts';
import { describeMcpCall } from './mcp-arguments.ts';
import { policyFileSchema } from './policy-file.ts';
import type { Verdict } from './types.ts';

const policyOf = (mcp: unknown) => compileToPolicy(policyFileSchema.parse({ version: 1, mcp }), 'generated');

/** Keys an attacker would pick: dots, quotes, backslashes, look-alikes, prototype names, nothing. */
const key = fc.oneof(
  fc.constantFrom(
    'a',
    'b',
    'a.b',
    'a.b.c',
    '0',
    '1',
    '',
    '.',
    'a.',
    '.a',
    '"',
    '\\',
    '__proto__',
    'constructor',
    'ünï',
    '\u{1F600}',
  ),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
);
const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.tuple(fc.string({ maxLength: 3 }), fc.integer({ min: 1, max: 30_000 })).map(([s, n]) => s.repeat(n)),
);
const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(key, tie('json'), { maxKeys: 4 }),
  ),
}));
const args = fc.dictionary(key, json, { maxKeys: 6 });

/** A policy that names many of those paths, in every position. */
const NAMING = {
  allow: ['*.*', { tool: 's.t', when: { 'a.b': '*', '0': 1, 'a.b.c': [true, 'x*'] }, unless: { '"': '*' } }],
  ask: [{ tool: 's.*', when: { constructor: '*', 'ünï.0': '*' } }],
  deny: [
    { tool: '*.t', when: { 'a.': '*x*', '\\': ['*'] } },
    { tool: 's.u', unless: { '.a': 'y*' } },
  ],
};

test('generated arguments never crash decide, and every answer is a verdict with a reason', async () => {
  const policy = await policyOf(NAMING);
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('s', 'x', 'S', 's.t'),
      fc.constantFrom('t', 'u', 'T', 'a.b/c', ''),
      args,
      async (server, tool, a) => {
        const d = await policy.decide({ kind: 'mcp.call', server, tool, args: a });
        assert.ok(['allow', 'ask', 'deny'].includes(d.decision));
        assert.match(d.reason, /^call /);
        assert.doesNotMatch(describeMcpCall({ server, tool, args: a }), /[\n\r\u2028\u2029]/);
      },
    ),
    { numRuns: 300 },
  );
});

/** An argument path and the nested object that holds `value` there. */
const segment = fc.oneof(
  fc.constantFrom('a', 'head', 'ref', '0', '"q"', 'ü'),
  fc.stringMatching(/^[^.\p{Cc}]{1,5}$/u),
);
const printable = fc.stringMatching(/^[^\p{Cc}]{0,12}$/u);

test('a deny whose condition matches denies, whatever else the arguments hold and however the tool is spelled', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(segment, { minLength: 1, maxLength: 3 }),
      printable,
      fc.nat(12),
      args,
      fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
      fc.option(printable, { nil: undefined }),
      async (segments, value, cut, others, upper, dotted) => {
        const path = segments.join('.');
        const policy = await policyOf({
          allow: ['*.*', { tool: 'db.drop_table', when: { [path]: '*' } }],
          ask: ['db.*'],
          deny: [{ tool: 'db.drop_table', when: { [path]: `${value.slice(0, cut)}*` } }],
        });
        const nested = segments.reduceRight<unknown>((inner, k) => ({ [k]: inner }), value);
        const [first] = segments as [string];
        const call: Record<string, unknown> = {
          ...others,
          [first]: merge(others[first], (nested as Record<string, unknown>)[first]),
        };
        // The same path spelled as one key with dots, holding something else.
        if (dotted !== undefined && segments.length > 1) call[path] = dotted;
        const tool = [...'drop_table'].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
        const d = await policy.decide({ kind: 'mcp.call', server: 'db', tool, args: call });
        assert.equal(d.decision, 'deny', `${d.reason} for ${JSON.stringify(call)}`);
      },
    ),
    { numRuns: 150 },
  );
});

/** `value` placed at the nested path inside what was there, so other keys beside it stay. */
function merge(was: unknown, put: unknown): unknown {
  if (
    put === null ||
    typeof put !== 'object' ||
    was === null ||
    typeof was !== 'object' ||
    Array.isArray(was)
  )
    return put;
  const out: Record<string, unknown> = { ...(was as Record<string, unknown>) };
  for (const [k, v] of Object.entries(put)) out[k] = merge(out[k], v);
  return out;
}

const servers = ['a', 'b'];
const tools = ['x', 'y', 'xy', 'X'];
const rule = fc.record({
  verdict: fc.constantFrom<'allow' | 'ask' | 'deny'>('allow', 'ask', 'deny'),
  server: fc.constantFrom('a', 'b', '*'),
  tool: fc.constantFrom('x', 'y', 'x*', '*y', '*', 'X'),
  when: fc.option(fc.constantFrom('1', '1*', '*', '2'), { nil: undefined }),
  unless: fc.option(fc.constantFrom('1', '1*', '*', '2'), { nil: undefined }),
});

test('precedence: deny over ask over allow, an unmatched call asked, against a model of the rules', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(rule, { maxLength: 6 }),
      fc.constantFrom(...servers),
      fc.constantFrom(...tools),
      fc.option(fc.constantFrom('1', '12', '2'), { nil: undefined }),
      async (rules, server, tool, p) => {
        const lists: Record<string, unknown[]> = { allow: [], ask: [], deny: [] };
        const ids: Array<{ id: string; verdict: Verdict; matches: boolean }> = [];
        for (const r of rules) {
          const list = lists[r.verdict] as unknown[];
          const long = r.when || r.unless;
          list.push(
            long
              ? {
                  tool: `${r.server}.${r.tool}`,
                  ...(r.when ? { when: { p: r.when } } : {}),
                  ...(r.unless ? { unless: { p: r.unless } } : {}),
                }
              : `${r.server}.${r.tool}`,
          );
          const fold = (s: string) => (r.verdict === 'allow' ? s : s.toLowerCase());
          const like = (pattern: string, t: string | undefined) =>
            t !== undefined && likeMatcher([pattern])(t);
          const matches =
            like(r.server, server) &&
            like(fold(r.tool), fold(tool)) &&
            (r.when === undefined || like(r.when, p)) &&
            !(r.unless !== undefined && like(r.unless, p));
          ids.push({ id: `mcp.${r.verdict}[${list.length - 1}]`, verdict: r.verdict, matches });
        }
        const policy = await policyOf(lists);
        const d = await policy.decide({ kind: 'mcp.call', server, tool, args: p === undefined ? {} : { p } });
        const matched = (v: Verdict) => ids.filter((r) => r.matches && r.verdict === v).map((r) => r.id);
        const expected = (['deny', 'ask', 'allow'] as const).find((v) => matched(v).length > 0);
        if (expected === undefined)
          assert.deepEqual([d.decision, d.policies], ['ask', ['default.mcp.unmatched']]);
        else assert.deepEqual([d.decision, [...d.policies].sort()], [expected, matched(expected).sort()]);
      },
    ),
    { numRuns: 150 },
  );
});
