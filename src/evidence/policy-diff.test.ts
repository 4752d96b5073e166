import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compileToPolicy } from '../policy/engine.ts';
import { loadPolicy } from '../policy/load.ts';
import { catalogCommands, distinct, generatedRequests, requestKey } from './corpus.ts';
import { comparePolicies } from './policy-diff.ts';

const GTFOBINS = catalogCommands(
  JSON.parse(
    readFileSync(new URL('../../test/fixtures/gtfobins-default-allow.json', import.meta.url), 'utf8'),
  ),
  'gtfobins-default-allow.json',
);

test('two policies that differ in one rule differ on exactly the requests that rule decided', async () => {
  const a = await loadPolicy();
  const allow = a.file.commands?.allow ?? [];
  const removed = allow.indexOf('cat *');
  const b = await compileToPolicy(
    { ...a.file, commands: { ...a.file.commands, allow: allow.filter((_, i) => i !== removed) } },
    'without-cat',
  );
  const corpus = distinct(
    await generatedRequests(
      [a.file, b.file],
      [...GTFOBINS, 'cat README.md', 'cat src/a.ts | wc -l'],
      1500,
      7,
    ),
  );
  const compared = await comparePolicies(a, b, corpus);
  const rule = `commands.allow[${removed}]`;

  // Every request A allowed through `cat *` is in the difference, and nothing else is.
  const expected = new Set<string>();
  for (const { action } of corpus) {
    const d = await a.decide(action);
    if (d.decision === 'allow' && d.policies.includes(rule)) expected.add(requestKey(action));
  }
  assert.ok(expected.size >= 10, `the corpus hits the rule (${expected.size} requests)`);
  assert.deepEqual(new Set(compared.differences.map((d) => d.request)), expected);
  for (const group of compared.groups) {
    assert.equal(group.change, 'allow → ask');
    assert.ok(group.aRules.includes(rule), `A decided by ${group.aRules.join(', ')}`);
    assert.ok(group.bRules.includes('default.commands.unmatched'), `B decided by ${group.bRules.join(', ')}`);
  }
});

test('the same policy twice differs on nothing', async () => {
  const a = await loadPolicy();
  const corpus = await generatedRequests([a.file], [], 300, 3);
  assert.equal((await comparePolicies(a, await loadPolicy(), corpus)).differences.length, 0);
});
