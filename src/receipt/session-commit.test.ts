import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { diffDigest } from './diff-digest.ts';
import { sessionRef, snapshotCommit } from './session-commit.ts';
import { gitIn } from './testing/receipt-fixture.ts';

let dir: string;
let repo: string;
let base: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-session-commit-'));
  repo = join(dir, 'repo');
  await mkdir(repo);
  gitIn(repo, 'init', '-q');
  await writeFile(join(repo, 'a.txt'), 'a\n');
  await writeFile(join(repo, 'gone.txt'), 'gone\n');
  await writeFile(join(repo, '.gitignore'), '*.log\n');
  gitIn(repo, 'add', '-A');
  gitIn(repo, 'commit', '-qm', 'base');
  base = gitIn(repo, 'rev-parse', 'HEAD');
});
after(() => rm(dir, { recursive: true, force: true }));

test('the work tree becomes a commit on the base; HEAD, the index and the work tree stay as they were', async () => {
  await writeFile(join(repo, 'a.txt'), 'changed\n');
  await rm(join(repo, 'gone.txt'));
  await writeFile(join(repo, 'new.txt'), 'new\n');
  await writeFile(join(repo, 'noise.log'), 'ignored\n');
  await writeFile(join(repo, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
  const status = gitIn(repo, 'status', '--porcelain');
  const index = await readFile(join(repo, '.git', 'index'));
  const input = { base, message: 'warden session s1', session: 's1', time: '2026-05-01T00:00:00Z' };
  const { commit, tree, ref } = await snapshotCommit(repo, input);
  assert.equal(gitIn(repo, 'rev-parse', 'HEAD'), base);
  assert.equal(gitIn(repo, 'status', '--porcelain'), status);
  assert.deepEqual(await readFile(join(repo, '.git', 'index')), index);
  assert.equal(gitIn(repo, 'rev-parse', sessionRef('s1')), commit);
  assert.equal(ref, 'refs/warden/sessions/s1');
  assert.equal(gitIn(repo, 'rev-parse', `${commit}^`), base);
  assert.equal(gitIn(repo, 'rev-parse', `${commit}^{tree}`), tree);
  assert.deepEqual(gitIn(repo, 'ls-tree', '-r', '--name-only', commit).split('\n'), [
    '.gitignore',
    'a.txt',
    'latin1.txt',
    'new.txt',
  ]);
  assert.equal(
    gitIn(repo, 'log', '-1', '--format=%an <%ae> %at|%cn %ct', commit),
    'Warden <warden@localhost> 1777593600|Warden 1777593600',
  );
  // Fixed identity and dates: the same input makes the same commit, on any machine.
  assert.equal((await snapshotCommit(repo, input)).commit, commit);
  // The diff digest hashes the patch's bytes: a file that is not UTF-8 is part of it as it is.
  assert.match(await diffDigest(repo, base, commit), /^sha256:[0-9a-f]{64}$/);
});

test("the repository's hooks do not run, and a bad session id or base is a clear error", async () => {
  const marker = join(dir, 'hook-ran');
  for (const hook of ['reference-transaction', 'post-commit', 'pre-commit', 'post-index-change']) {
    await writeFile(join(repo, '.git', 'hooks', hook), `#!/bin/sh\ntouch ${marker}\n`);
    await chmod(join(repo, '.git', 'hooks', hook), 0o755);
  }
  await snapshotCommit(repo, { base, message: 'm', session: 's2' });
  assert.equal(existsSync(marker), false);
  await assert.rejects(
    snapshotCommit(repo, { base, message: 'm', session: 'a..b' }),
    /cannot name a git ref/,
  );
  await assert.rejects(
    snapshotCommit(repo, { base: 'f'.repeat(40), message: 'm', session: 's3' }),
    /not in the repository/,
  );
  await assert.rejects(
    snapshotCommit(repo, { base, message: 'm', session: 's3', time: 'yesterday' }),
    /not a date/,
  );
});

test('a filter the agent defines through a workspace config include does not run on the host', async () => {
  const marker = join(dir, 'filter-ran');
  await writeFile(join(repo, 'agent.gitconfig'), `[filter "x"]\n\tclean = sh -c 'touch ${marker}; cat'\n`);
  gitIn(repo, 'config', 'include.path', '../agent.gitconfig');
  await writeFile(join(repo, '.gitattributes'), '* filter=x\n');
  await writeFile(join(repo, 'planted.txt'), 'x\n');
  await snapshotCommit(repo, { base, message: 'm', session: 's4' });
  assert.equal(existsSync(marker), false);
});

/** A repository of its own for an attack, with one committed file and `.gitignore`. */
async function freshRepo(name: string, ignore = ''): Promise<{ path: string; head: string }> {
  const path = join(dir, name);
  await mkdir(path);
  gitIn(path, 'init', '-q');
  await writeFile(join(path, 'a.txt'), `${name}\n`);
  await writeFile(join(path, '.gitignore'), ignore);
  gitIn(path, 'add', '-A');
  gitIn(path, 'commit', '-qm', name);
  return { path, head: gitIn(path, 'rev-parse', 'HEAD') };
}

test("a .git file the agent writes, naming another repository on the host, does not put that repository's HEAD in the commit", async () => {
  const other = await freshRepo('other-tenant');
  const work = await freshRepo('gitfile-work');
  await mkdir(join(work.path, 'peek'));
  await writeFile(join(work.path, 'peek', '.git'), `gitdir: ${join(other.path, '.git')}\n`);
  await writeFile(join(work.path, 'kept.txt'), 'kept\n');
  const { commit } = await snapshotCommit(work.path, { base: work.head, session: 'gitfile', message: 'x' });
  const listed = gitIn(work.path, 'ls-tree', '-r', commit);
  assert.doesNotMatch(listed, /160000/);
  assert.ok(!listed.includes(other.head));
  assert.match(listed, /\tkept\.txt/, 'the rest of the work is committed');
});

test("an emptied .gitignore does not bring a file the base's rules ignore (an .env) into the commit", async () => {
  const work = await freshRepo('unignore-work', '.env\nsecrets/\n');
  await writeFile(
    join(work.path, '.env'),
    'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
  );
  await mkdir(join(work.path, 'secrets'));
  await writeFile(join(work.path, 'secrets', 'key.pem'), 'x\n');
  await writeFile(join(work.path, '.gitignore'), '');
  await writeFile(join(work.path, 'notes.md'), 'notes\n');
  const { commit } = await snapshotCommit(work.path, { base: work.head, session: 'unignore', message: 'x' });
  const listed = gitIn(work.path, 'ls-tree', '-r', '--name-only', commit).split('\n');
  assert.ok(!listed.includes('.env'));
  assert.ok(!listed.includes('secrets/key.pem'));
  assert.ok(listed.includes('notes.md'));
  assert.ok(listed.includes('.gitignore'), 'the edit of .gitignore itself is the work, and committed');
});
