import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { startFakeGitHubApi } from '../../test/github-api-server.ts';
import { createBashParser } from '../policy/bash-parser.ts';
import { createCredentialStore } from './credentials.ts';
import { createPullRequestBroker, type PullRequestPlan } from './pull-request.ts';
import { runsLaterInBranch, runsLaterSection } from './runs-later-files.ts';
import { gitCli as git } from './testing/git-cli.ts';

const TOKEN = 'ghs_RunsLaterToken0123456789abcdEFgh';
let dir: string;

async function put(path: string, text: string): Promise<void> {
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await writeFile(join(dir, path), text);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-runs-later-'));
  git(dir, 'init', '-q', '-b', 'main');
  await put('package.json', '{"scripts":{"test":"node --test"},"dependencies":{}}\n');
  await put('src/a.js', 'a\n');
  await put('CODEOWNERS', '* @acme/core\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'start');
  git(dir, 'remote', 'add', 'origin', 'https://github.com/acme/widget.git');
  git(dir, 'update-ref', 'refs/remotes/origin/main', 'HEAD');
  git(dir, 'checkout', '-qb', 'warden/plant');
  await put('.github/workflows/ci.yml', 'on: push\n');
  await put('.VSCode/tasks.json', '{}\n');
  await put('src/a.js', 'b\n');
  await put('package.json', '{"scripts":{"test":"node --test","postinstall":"node x"},"dependencies":{}}\n');
  await rm(join(dir, 'CODEOWNERS'));
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'plant');
  git(dir, 'checkout', '-qb', 'warden/bump', 'main');
  await put('package.json', '{"scripts":{"test":"node --test"},"dependencies":{"x":"1"}}\n');
  git(dir, 'commit', '-qam', 'bump');
});
after(() => rm(dir, { recursive: true, force: true }));

test('a branch’s files that run later: added, changed and deleted ones, package.json by its lifecycle scripts', async () => {
  const found = await runsLaterInBranch(dir, { remote: 'origin', base: 'main', head: 'warden/plant' });
  assert.ok(Array.isArray(found));
  assert.deepEqual(
    found.map((f) => [f.path, f.kind, f.what]),
    [
      ['.VSCode/tasks.json', 'added', 'VS Code workspace config (tasks, settings, launch, extensions)'],
      ['.github/workflows/ci.yml', 'added', 'GitHub Actions workflow'],
      ['CODEOWNERS', 'deleted', 'CODEOWNERS'],
      ['package.json', 'modified', 'npm lifecycle script'],
    ],
  );
  // A dependency bump is not a lifecycle script: nothing to list.
  assert.deepEqual(await runsLaterInBranch(dir, { remote: 'origin', base: 'main', head: 'warden/bump' }), []);
  // Without the base anywhere, the commits no other branch holds are what is listed.
  const unknown = await runsLaterInBranch(dir, { remote: 'origin', base: 'trunk', head: 'warden/plant' });
  assert.deepEqual(
    Array.isArray(unknown) && unknown.map((f) => f.path),
    Array.isArray(found) && found.map((f) => f.path),
  );
});

test('a link at a catalog path or directory is listed: .vscode -> .aaa/, .github -> .ggg/, package.json -> src/p.json', async () => {
  git(dir, 'checkout', '-qb', 'warden/links', 'main');
  await put('.aaa/tasks.json', '{}\n');
  await put('.ggg/workflows/ci.yml', 'on: push\n');
  await put('src/p.json', '{"scripts":{"test":"node --test","postinstall":"node x"}}\n');
  await symlink('.aaa', join(dir, '.vscode'));
  await symlink('.ggg', join(dir, '.github'));
  await rm(join(dir, 'package.json'));
  await symlink('src/p.json', join(dir, 'package.json'));
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'links');
  const found = await runsLaterInBranch(dir, { remote: 'origin', base: 'main', head: 'warden/links' });
  assert.ok(Array.isArray(found));
  assert.deepEqual(
    found.map((f) => [f.path, f.kind, f.what]),
    [
      ['.github', 'added', 'GitHub Actions workflow'],
      ['.vscode', 'added', 'VS Code workspace config (tasks, settings, launch, extensions)'],
      ['package.json', 'modified', 'package manifest written in a way Warden cannot read'],
    ],
  );
  git(dir, 'checkout', '-q', 'main');
});

test('the section: each path as inline code whatever it holds, and nothing when there are none', () => {
  const section = runsLaterSection([
    { path: 'a`b\n.envrc', kind: 'added', what: 'direnv .envrc', runs: 'runs on cd' },
  ]);
  assert.match(section, /^### Runs outside the sandbox\n_Listed by Warden, not written by the agent\._/);
  assert.match(section, /- ``a`b\?\.envrc`` \(added\) — direnv \.envrc: runs on cd$/);
  assert.equal(runsLaterSection([]), '');
  assert.match(runsLaterSection({ problem: 'no branch\nx' }), /could not list them: no branch\?x\.$/);
});

test('a pull request’s body ends with the section, after the model’s text', async () => {
  const api = await startFakeGitHubApi({ token: TOKEN, repositories: { 'acme/widget': 'main' } });
  try {
    const credentials = createCredentialStore();
    credentials.add({
      name: 'github',
      host: 'github.com',
      username: 'x-access-token',
      password: TOKEN,
      origin: 'test',
      apiUrl: api.url,
    });
    const pulls = await createPullRequestBroker({
      root: dir,
      credentials,
      parse: await createBashParser(),
      redact: (text) => text,
    });
    const matched = pulls.match(
      "gh pr create --title 'Tidy' --body 'Nothing to see here.' --head warden/plant",
    );
    assert.equal(matched?.kind, 'create');
    const outcome = await pulls.open((matched as { plan: PullRequestPlan }).plan, {
      timeoutMs: 5000,
      authorize: async () => ({ allowed: true }),
    });
    assert.equal(outcome.kind, 'opened');
    const body = JSON.parse(api.requests.at(-1)?.body ?? '{}').body as string;
    assert.match(body, /^Nothing to see here\.\n\n---\n\n### Runs outside the sandbox\n/);
    assert.match(
      body,
      /- `\.github\/workflows\/ci\.yml` \(added\) — GitHub Actions workflow: runs in CI with the repository secrets on every push/,
    );
    assert.match(
      body,
      /- `package\.json` — npm lifecycle script: runs on every machine that installs the package/,
    );
  } finally {
    await api.close();
  }
});
