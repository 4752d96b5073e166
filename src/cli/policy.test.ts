import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseAction } from './policy.ts';
import { runMain } from './testing/run-main.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-policy-cli-'));
  await writeFile(join(dir, 'bad.yaml'), 'version: 1\nfiles:\n  wirte: ["*"]\ncommands:\n  allow: "ls"\n');
  await writeFile(
    join(dir, 'good.yaml'),
    'version: 1\ncommands: { allow: ["ls*", "echo *"], deny: ["curl *"] }\n',
  );
});
after(() => rm(dir, { recursive: true, force: true }));

function run(...argv: string[]) {
  return runMain(['policy', ...argv], { cwd: dir });
}

test('check: exit 1 with every error on its own line, file:line:col first', async () => {
  const { code, out } = await run('check', 'bad.yaml');
  assert.equal(code, 1);
  assert.deepEqual(out.trim().split('\n'), [
    'bad.yaml:3:3: "files.wirte" is not a known key — remove it or fix its spelling',
    'bad.yaml:5:10: "commands.allow" must be a list of strings',
  ]);
});

test('check: exit 0 for a valid file, and --json says so', async () => {
  assert.equal((await run('check', 'good.yaml')).code, 0);
  const { code, out } = await run('check', 'bad.yaml', '--json');
  assert.equal(code, 1);
  const report = JSON.parse(out);
  assert.equal(report.ok, false);
  assert.deepEqual(
    report.errors.map((e: { where: string }) => e.where),
    ['bad.yaml:3:3', 'bad.yaml:5:10'],
  );
});

test('check of a missing file is an error, not a crash', async () => {
  const { code, out } = await run('check', 'nope.yaml');
  assert.equal(code, 1);
  assert.match(out, /cannot read the policy/);
});

test('explain: the default policy without a file; JSON with breadth and warnings', async () => {
  const text = await run('explain');
  assert.equal(text.code, 0);
  assert.match(text.out, /^Policy: default/);
  const json = JSON.parse((await run('explain', 'good.yaml', '--json')).out);
  assert.equal(typeof json.breadth, 'number');
  assert.ok(Array.isArray(json.warnings));
});

test('test: shell decisions per part, with the deciding rules', async () => {
  const { code, out } = await run('test', 'good.yaml', 'shell: ls && echo $(curl x)');
  assert.equal(code, 0);
  assert.match(out, /^DENY {2}`curl x`: denied by commands\.deny\[0\]/);
  assert.match(out, /deny {3}curl x {2}\[commands\.deny\[0\]\]/);
  const json = JSON.parse((await run('test', 'good.yaml', 'shell: ls -la', '--json')).out);
  assert.deepEqual([json.decision, json.policies], ['allow', ['commands.allow[0]']]);
  assert.equal(json.parts.length, 1);
});

test('test: force push is denied by the default policy', async () => {
  const json = JSON.parse((await run('test', 'push --force: warden/x', '--json')).out);
  assert.deepEqual([json.decision, json.policies], ['deny', ['default.git.force_push']]);
});

test('test: an unreadable action is a usage error (exit 2)', async () => {
  const { code, err } = await run('test', 'rm -rf /');
  assert.equal(code, 2);
  assert.match(err, /cannot read the action/);
});

test('actions are read as written', () => {
  assert.deepEqual(parseAction('shell: npm test'), { kind: 'shell', command: 'npm test' });
  assert.deepEqual(parseAction('read: src/a.ts'), { kind: 'file.read', path: 'src/a.ts' });
  assert.deepEqual(parseAction('write: .git/hooks/x'), { kind: 'file.write', path: '.git/hooks/x' });
  assert.deepEqual(parseAction('net: registry.npmjs.org:443'), {
    kind: 'net.connect',
    host: 'registry.npmjs.org',
    port: 443,
  });
  assert.deepEqual(parseAction('dep: npm:@scope/pkg'), {
    kind: 'dependency.add',
    ecosystem: 'npm',
    name: '@scope/pkg',
  });
  assert.deepEqual(parseAction('push: warden/x'), { kind: 'git.push', branch: 'warden/x', force: false });
  assert.deepEqual(parseAction('push --force: main'), { kind: 'git.push', branch: 'main', force: true });
  for (const bad of ['net: host', 'dep: left-pad', 'read:', 'exec: ls'])
    assert.throws(() => parseAction(bad), bad);
});
