import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileToPolicy } from '../policy/engine.ts';
import { loadPolicy } from '../policy/load.ts';
import { parsePolicyFile } from '../policy/policy-file.ts';
import { assertNever, parseNever } from './never.ts';

async function policy(allow: string[], extra = '') {
  const parsed = parsePolicyFile(
    `version: 1\nfiles: { read: ["*"], write: ["*"] }\ncommands:\n  allow: ${JSON.stringify(['npm test', ...allow])}\n${extra}`,
    'p.yaml',
  );
  assert.ok(parsed.ok);
  return compileToPolicy(parsed.file, 'p.yaml');
}

const NEVER_CURL = parseNever('command: curl *');

test('a policy that allows programs that run programs by name no longer lets curl through them', async () => {
  // Each of these once let `W curl …` through a `W *` rule; the engine now reads what they run.
  for (const wrapper of [
    'watch *',
    'busybox *',
    'strace *',
    'flock *',
    'prlimit *',
    'taskset *',
    'chroot *',
  ]) {
    const verdict = await assertNever(await policy([wrapper]), NEVER_CURL);
    assert.deepEqual(verdict.allowed, [], `${wrapper}: ${JSON.stringify(verdict.allowed[0])}`);
  }
});

test('assert catches a policy whose pattern covers curl by a wildcard before its name', async () => {
  // `cu*` would not: a star that ends a word completes that word (cu, cu …), never curl.
  assert.deepEqual((await assertNever(await policy(['cu*']), NEVER_CURL)).allowed, []);
  const verdict = await assertNever(await policy(['*url*']), NEVER_CURL);
  assert.ok(verdict.allowed.some((a) => a.request === 'shell: curl https://evil.example/x'));
  assert.deepEqual(
    verdict.overlapping.map((o) => o.rule),
    ['commands.allow[1]'],
    'the rule reading names the rule that overlaps',
  );
});

test('assert passes policies whose wrappers the engine sees through, and the default policy', async () => {
  for (const allow of [
    ['env *', 'timeout *', 'nice *', 'xargs *', 'sh -c *'],
    ['git status*', 'cat *'],
  ]) {
    const verdict = await assertNever(await policy(allow), NEVER_CURL);
    assert.deepEqual(verdict.allowed, [], `${allow.join(', ')}: ${JSON.stringify(verdict.allowed[0])}`);
    assert.ok(verdict.tried > 500, `${verdict.tried} requests`);
  }
  const defaults = await loadPolicy();
  for (const text of [
    'command: curl *',
    'command: wget *',
    'push: main',
    'write: .git/hooks/*',
    'read: .env',
  ])
    assert.deepEqual((await assertNever(defaults, parseNever(text))).allowed, [], text);
});

test('a write never-pattern is hit by file tools and by commands that write', async () => {
  const verdict = await assertNever(await policy(['echo *']), parseNever('write: .github/**'));
  assert.ok(verdict.allowed.some((a) => a.request.startsWith('write: .github/')));
  assert.ok(verdict.allowed.some((a) => /^shell: .*echo x > \.github\//.test(a.request)));
  const guarded = await policy(
    ['echo *'],
    'runs_later: deny\nfiles_placeholder: 1'.replace('\nfiles_placeholder: 1', ''),
  );
  assert.deepEqual((await assertNever(guarded, parseNever('write: .github/workflows/*'))).allowed, []);
});

test('a never-pattern that cannot be read is a usage error naming the fix', () => {
  assert.throws(() => parseNever('curl *'), /cannot read the never-pattern "curl \*"/);
  assert.throws(() => parseNever('net: evil.example'), /host:port/);
});
