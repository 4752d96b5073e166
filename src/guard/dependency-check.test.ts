import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Ecosystem, LookupResult, PackageFacts } from '../broker/registry-lookup.ts';
import { createDependencyCheck, judgeDependency } from './dependency-check.ts';

const NOW = Date.parse('2025-06-01T00:00:00Z');
const REGISTRY = 'the npm registry (https://registry.npmjs.org)';

function found(facts: Partial<PackageFacts> & { name: string }, ecosystem: Ecosystem = 'npm'): LookupResult {
  return {
    status: 'found',
    facts: {
      ecosystem,
      registry: REGISTRY,
      firstPublished: '2015-01-01T00:00:00Z',
      downloads: { count: 5_000_000, period: 'week' },
      installScripts: [],
      unchecked: [],
      ...facts,
    },
  };
}

function judge(result: LookupResult, name = result.status === 'found' ? result.facts.name : 'x') {
  return judgeDependency('npm', name, result, undefined, NOW);
}

test('an old, much-used package with no install scripts is clear', () => {
  assert.deepEqual(judge(found({ name: 'express' })), { decision: 'allow', reasons: [], findings: [] });
});

test('a name the registry does not hold is denied as made up, with a guess when it is close', () => {
  const missing = (name: string): LookupResult => ({
    status: 'missing',
    ecosystem: 'npm',
    name,
    registry: REGISTRY,
  });
  const made = judge(missing('react-super-table-pro'), 'react-super-table-pro');
  assert.equal(made.decision, 'deny');
  assert.deepEqual(made.reasons, [`hallucinated: no package react-super-table-pro in ${REGISTRY}`]);
  assert.match(judge(missing('expresss'), 'expresss').reasons[0] ?? '', /\(did you mean express\?\)$/);
});

test('each risk is a question with its reason', () => {
  const cases: Array<[Partial<PackageFacts> & { name: string }, string, RegExp]> = [
    [
      { name: 'fresh', firstPublished: '2025-05-30T00:00:00Z' },
      'new',
      /first published 2 days ago \(under 14\)/,
    ],
    [{ name: 'fresh', firstPublished: '2025-06-01T00:00:00Z' }, 'new', /first published today/],
    [
      { name: 'quiet', downloads: { count: 12, period: 'week' } },
      'few-downloads',
      /12 downloads in the last week \(under 1000\)/,
    ],
    [
      { name: 'lodahs', downloads: { count: 40, period: 'week' } },
      'typosquat',
      /typosquat of the popular lodash \(two letters swapped\)/,
    ],
    [
      { name: 'hooks', installScripts: ['postinstall: node x.js'] },
      'install-scripts',
      /runs code when installed: postinstall: node x\.js/,
    ],
    [
      { name: 'odd', unchecked: ['weekly downloads (timeout)'] },
      'unchecked',
      /could not check weekly downloads/,
    ],
    [{ name: 'undated', firstPublished: undefined }, 'unchecked', /does not say when it was first published/],
  ];
  for (const [facts, rule, reason] of cases) {
    const result = found(facts);
    const verdict = judge(result);
    assert.equal(verdict.decision, 'ask', facts.name);
    assert.ok(
      verdict.findings.some((f) => f.rule === rule && reason.test(f.reason)),
      JSON.stringify(verdict),
    );
  }
});

test('a look-alike that is itself used by millions every week is not taken for a squat', () => {
  const downloads = (count: number) => ({ count, period: 'week' as const });
  assert.equal(judge(found({ name: 'raect', downloads: downloads(2_000_000) })).decision, 'allow');
  assert.equal(judge(found({ name: 'raect', downloads: downloads(900_000) })).findings[0]?.rule, 'typosquat');
});

test('crates.io counts over 90 days; thresholds are configurable', () => {
  const crate = found({ name: 'tiny', downloads: { count: 5000, period: '90 days' } }, 'crates');
  assert.match(
    judgeDependency('crates', 'tiny', crate, undefined, NOW).reasons[0] ?? '',
    /5000 downloads in the last 90 days \(under 13000\)/,
  );
  const lenient = { minAgeDays: 1, minWeeklyDownloads: 10, popularWeeklyDownloads: 1e6 };
  assert.equal(judgeDependency('crates', 'tiny', crate, lenient, NOW).decision, 'allow');
});

test('the check: paths are the workspace, URLs are outside the registry, an unreachable registry asks', async () => {
  const asked: string[] = [];
  const check = createDependencyCheck({
    lookup: async (ecosystem, name) => {
      asked.push(name);
      return {
        status: 'unchecked',
        ecosystem,
        name,
        registry: REGISTRY,
        reason: `${REGISTRY} could not be reached: no answer within 5s`,
      };
    },
    now: () => NOW,
  });
  assert.equal((await check({ ecosystem: 'pypi', name: '.' })).decision, 'allow');
  const git = await check({ ecosystem: 'npm', name: 'github:evil/x' });
  assert.equal(git.decision, 'ask');
  assert.match(git.reasons[0] ?? '', /comes from outside the registry/);
  const down = await check({ ecosystem: 'npm', name: 'left-pad' });
  assert.equal(down.decision, 'ask');
  assert.match(down.reasons[0] ?? '', /left-pad could not be checked: .* no answer within 5s/);
  assert.equal((await check({ ecosystem: 'maven', name: 'junit' })).decision, 'ask');
  assert.deepEqual(asked, ['left-pad']);
});
