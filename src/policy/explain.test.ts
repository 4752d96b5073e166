import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileToPolicy } from './engine.ts';
import { explainPolicy } from './explain.ts';
import { loadPolicy } from './load.ts';
import { parsePolicyFile } from './policy-file.ts';

async function policyFrom(text: string) {
  const parsed = parsePolicyFile(text, 'test.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.describe()).join('\n'));
  return compileToPolicy(parsed.file, 'test.yaml');
}

test('a narrow policy has no warnings and a low score', async () => {
  const explained = explainPolicy(
    await policyFrom(
      'version: 1\nfiles: { read: ["src/*"], write: ["src/*"] }\ncommands: { allow: ["npm test"] }\n',
    ),
  );
  assert.deepEqual(explained.warnings, []);
  assert.equal(explained.breadth, 0);
  assert.match(explained.text, /run: +npm test/);
  assert.match(explained.text, /Network: +none/);
  assert.match(explained.text, /force push never/);
});

test('broad grants are named, rule by rule, and raise the score', async () => {
  const explained = explainPolicy(
    await policyFrom(
      'version: 1\nfiles: { read: ["*"], write: ["*"] }\ncommands: { allow: ["npm test", "*", "bash *"] }\nnetwork: { allow: ["*:443"] }\ndependencies: allow\ngit: { push: ["*"] }\n',
    ),
  );
  const rules = explained.warnings.map((w) => w.rule);
  for (const rule of [
    'files.write[0]',
    'files.read[0]',
    'commands.allow[1]',
    'commands.allow[2]',
    'network.allow[0]',
    'dependencies',
    'git.push[0]',
  ]) {
    assert.ok(rules.includes(rule), `${rule} in ${rules.join(', ')}`);
  }
  assert.equal(explained.breadth, 100);
  assert.match(explained.text, /! commands\.allow\[1\]: any command runs without asking/);
  assert.match(explained.text, /! network\.allow\[0\]: the agent may connect to any host/);
});

test('the default policy explains itself', async () => {
  const explained = explainPolicy(await loadPolicy());
  assert.match(explained.text, /^Policy: default/);
  assert.match(explained.text, /Pull requests: asked each time \(no git\.pull_requests list\)/);
  assert.ok(explained.breadth < 50, String(explained.breadth));
});

test('pull requests: the bases they may target', async () => {
  const listed = explainPolicy(await policyFrom('version: 1\ngit: { pull_requests: ["main", "*"] }\n'));
  assert.match(listed.text, /Pull requests: into main, \*; other bases never/);
  assert.deepEqual(
    listed.warnings.map((w) => w.rule),
    ['git.pull_requests[1]'],
  );
  const none = explainPolicy(await policyFrom('version: 1\ngit: { pull_requests: [] }\n'));
  assert.match(none.text, /Pull requests: never/);
});

test('dependencies: the checks, the thresholds and whether install scripts run', async () => {
  const short = explainPolicy(await policyFrom('version: 1\ndependencies: ask\n'));
  assert.match(short.text, /Dependencies: +added only after a person approves/);
  assert.match(short.text, /under 14 days\), little used \(under 1000 npm downloads a week\)/);
  assert.match(short.text, /scripts: +install scripts off/);
  const mapping = explainPolicy(
    await policyFrom(
      'version: 1\ndependencies: { add: allow, install_scripts: allow, min_age_days: 30, min_weekly_downloads: 50 }\n',
    ),
  );
  assert.match(mapping.text, /under 30 days\), little used \(under 50 npm/);
  assert.match(mapping.text, /scripts: +install scripts run/);
  assert.deepEqual(
    mapping.warnings.map((w) => w.rule),
    ['dependencies.add', 'dependencies.install_scripts'],
  );
});
