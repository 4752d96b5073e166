import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { WardenError } from '../errors.ts';
import { createRepositoryCache, type RepositoryCache } from './repository-cache.ts';
import { buildFixtureRepository, type FixtureRepository } from './testing/swe-bench-fixture.ts';
import type { EvalInstance } from './types.ts';
import { prepareWorkspace } from './workspace.ts';

let dir: string;
let fixture: FixtureRepository;
let cache: RepositoryCache;
let count = 0;
const fresh = () => join(dir, 'ws', String(++count));

function instance(repository: string, baseCommit: string | undefined): EvalInstance {
  return {
    id: 'x-1',
    repository,
    baseCommit,
    problemStatement: 'p',
    testPatch: '',
    failToPass: ['t'],
    passToPass: [],
    setup: undefined,
    testCommand: 'true {tests}',
    timeoutSeconds: 60,
  };
}

const git = (cwd: string, ...args: string[]) =>
  spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, GIT_CONFIG_GLOBAL: '/dev/null' },
  });

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-workspace-'));
  fixture = buildFixtureRepository(join(dir, 'repos'));
  cache = createRepositoryCache({ dir: join(dir, 'cache') });
});
after(async () => {
  await cache.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('prepareWorkspace from a git repository', () => {
  it('holds the base commit and nothing after it: the fix is not among its objects', async () => {
    const ws = await prepareWorkspace(instance(fixture.dir, fixture.base), fresh(), { cache });
    assert.equal(ws.baseCommit, fixture.base);
    assert.equal(git(ws.root, 'rev-parse', 'HEAD').stdout.trim(), fixture.base);
    assert.match(readFileSync(join(ws.root, 'humanize/filesize.py'), 'utf8'), /magnitude <= base/);
    assert.notEqual(
      git(ws.root, 'cat-file', '-e', fixture.fix).status,
      0,
      'the fix commit reached the workspace',
    );
    assert.deepEqual(git(ws.root, 'rev-list', '--all').stdout.trim().split('\n'), [fixture.base]);
    // The fixed file's blob is not there either, by any name.
    const fixedBlob = git(fixture.dir, 'rev-parse', `${fixture.fix}:humanize/filesize.py`).stdout.trim();
    assert.notEqual(git(ws.root, 'cat-file', '-e', fixedBlob).status, 0);
    assert.equal(git(ws.root, 'status', '--porcelain').stdout, '');
    // Nothing in it leads back to the source.
    assert.equal(existsSync(join(ws.root, '.git/FETCH_HEAD')), false);
    assert.doesNotMatch(readFileSync(join(ws.root, '.git/config'), 'utf8'), /warden-fixtures|url/);
    assert.equal(existsSync(join(ws.root, '.git/hooks')), false);
  });

  it('takes an abbreviated commit id and returns the full one', async () => {
    const ws = await prepareWorkspace(instance(fixture.dir, fixture.base.slice(0, 8)), fresh(), { cache });
    assert.equal(ws.baseCommit, fixture.base);
  });

  it('a base commit that does not exist is a clear error', async () => {
    await assert.rejects(
      prepareWorkspace(instance(fixture.dir, 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef'), fresh(), { cache }),
      (error: unknown) =>
        error instanceof WardenError &&
        error.code === 'eval.workspace' &&
        /the base commit deadbeef\w+ does not exist in .*warden-fixtures__humanize/.test(error.message),
    );
  });

  it('a git URL is cloned once into the cache and fetched from there', async () => {
    const url = pathToFileURL(fixture.dir).href;
    const [a, b] = await Promise.all([
      prepareWorkspace(instance(url, fixture.base), fresh(), { cache }),
      prepareWorkspace(instance(url, fixture.base), fresh(), { cache }),
    ]);
    assert.equal(a.baseCommit, fixture.base);
    assert.equal(b.baseCommit, fixture.base);
    assert.equal(await cache.local(url), await cache.local(url));
    assert.deepEqual(git(a.root, 'rev-list', '--all').stdout.trim().split('\n'), [fixture.base]);
  });

  it('refuses a directory that is not empty', async () => {
    const target = fresh();
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'x'), '');
    await assert.rejects(
      prepareWorkspace(instance(fixture.dir, fixture.base), target, { cache }),
      /not empty/,
    );
  });
});

describe('prepareWorkspace from a plain directory', () => {
  let project: string;
  before(() => {
    project = join(dir, 'plain');
    mkdirSync(join(project, 'lib', '.git'), { recursive: true });
    writeFileSync(join(project, 'lib', 'sum.js'), 'export const add = (a, b) => a - b;\n');
    writeFileSync(join(project, 'lib', '.git', 'config'), '[core]\n\tfsmonitor = touch /tmp/owned\n');
    symlinkSync('lib/sum.js', join(project, 'entry.js'));
  });

  it('is copied and committed as the base, with the same commit id every time', async () => {
    const a = await prepareWorkspace(instance(project, undefined), fresh(), { cache });
    const b = await prepareWorkspace(instance(project, undefined), fresh(), { cache });
    assert.equal(a.baseCommit, b.baseCommit);
    assert.equal(git(a.root, 'status', '--porcelain').stdout, '');
    assert.equal(readlinkSync(join(a.root, 'entry.js')), 'lib/sum.js');
    assert.equal(existsSync(join(a.root, 'lib', '.git')), false, 'a nested .git is metadata, not content');
    assert.equal(
      git(a.root, 'log', '-1', '--format=%an <%ae>').stdout.trim(),
      'Warden eval <eval@warden.invalid>',
    );
  });

  it("the user's git configuration does not reach the workspace", async () => {
    const home = join(dir, 'home');
    const templates = join(home, 'templates');
    mkdirSync(join(templates, 'hooks'), { recursive: true });
    writeFileSync(join(templates, 'hooks', 'pre-commit'), '#!/bin/sh\ntouch "$HOME/hook-ran"\n', {
      mode: 0o755,
    });
    writeFileSync(
      join(home, '.gitconfig'),
      `[init]\n\ttemplateDir = ${templates}\n[commit]\n\tgpgSign = true\n[user]\n\tname = Somebody Else\n`,
    );
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      const ws = await prepareWorkspace(instance(project, undefined), fresh(), { cache });
      assert.equal(existsSync(join(ws.root, '.git', 'hooks')), false);
      assert.equal(existsSync(join(home, 'hook-ran')), false);
      assert.equal(
        execFileSync('git', ['log', '-1', '--format=%an'], { cwd: ws.root, encoding: 'utf8' }).trim(),
        'Warden eval',
      );
    } finally {
      process.env.HOME = saved;
    }
  });
});
