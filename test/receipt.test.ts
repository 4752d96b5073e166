import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEMO_SCRIPT } from '../src/cli/demo.ts';
import { sampleRepo, warden } from './cli.ts';

let fixture: Awaited<ReturnType<typeof sampleRepo>>;
let receipt: string;
let auditLog: string;
let env: Record<string, string>;
const git = (...args: string[]) =>
  spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd: fixture.repo,
    encoding: 'utf8',
  }).stdout.trim();
const verify = (file: string, ...extra: string[]) =>
  warden(['receipt', 'verify', file, ...extra], { cwd: fixture.repo, env });

before(async () => {
  fixture = await sampleRepo();
  env = { XDG_STATE_HOME: join(fixture.dir, 'state') };
  receipt = join(fixture.dir, 'receipt.json');
  const head = git('rev-parse', 'HEAD');
  const run = await warden(
    ['exec', '--model', `script:${DEMO_SCRIPT}`, '--receipt', receipt, 'fix the failing test'],
    {
      cwd: fixture.repo,
      env,
    },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /receipt: .*receipt\.json \(commit [0-9a-f]{12}, kept as refs\/warden\/sessions\/s/,
  );
  assert.match(
    run.stdout,
    /verify it: warden receipt verify .*receipt\.json --repo .* --audit .*\.audit\.jsonl/,
  );
  assert.equal(git('rev-parse', 'HEAD'), head, 'HEAD is where it was');
  assert.equal(git('status', '--porcelain'), 'M src/sum.js', 'the change is left in the work tree, unstaged');
  const dir = join(fixture.repo, '.warden', 'audit');
  auditLog = join(dir, readdirSync(dir).find((name) => name.endsWith('.audit.jsonl')) ?? '');
});
after(() => fixture.cleanup());

test('a receipt from warden exec --receipt verifies against the repository and the audit log', async () => {
  assert.equal(statSync(receipt).mode & 0o777, 0o644);
  const envelope = JSON.parse(await readFile(receipt, 'utf8'));
  assert.equal(envelope.payloadType, 'application/vnd.in-toto+json');
  const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
  assert.equal(statement._type, 'https://in-toto.io/Statement/v1');
  const { predicate } = statement;
  assert.equal(predicate.commit, git('rev-parse', `refs/warden/sessions/${predicate.session}`));
  assert.equal(
    git('diff', '--stat', predicate.baseCommit, predicate.commit)
      .split('\n')[0]
      ?.trim()
      .startsWith('src/sum.js'),
    true,
  );
  assert.deepEqual(predicate.models, [`script:${DEMO_SCRIPT}`]);
  assert.equal(predicate.policy.name, 'default');

  const result = await verify(receipt, '--repo', '.', '--audit', auditLog);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  for (const check of ['signature', 'commit', 'tree', 'diff', 'audit-log', 'audit-contains']) {
    assert.match(result.stdout, new RegExp(`✓ ${check} `));
  }
  assert.match(result.stdout, /^verified: session s/m);
  const json = JSON.parse((await verify(receipt, '--json', '--repo', '.')).stdout);
  assert.equal(json.ok, true);
});

test('verification fails, naming the check, on a changed commit, diff, policy digest or key', async () => {
  const envelope = JSON.parse(await readFile(receipt, 'utf8'));
  const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
  const write = async (name: string, change: (s: typeof statement) => void, rest: object = {}) => {
    const copy = structuredClone(statement);
    change(copy);
    const file = join(fixture.dir, name);
    await writeFile(
      file,
      JSON.stringify({ ...envelope, payload: Buffer.from(JSON.stringify(copy)).toString('base64'), ...rest }),
    );
    return file;
  };
  const other = git(
    'commit-tree',
    '-p',
    statement.predicate.baseCommit,
    '-m',
    'x',
    `${statement.predicate.baseCommit}^{tree}`,
  );
  const cases: Array<[string, string[], RegExp]> = [
    [
      await write('commit.json', (s) => {
        s.predicate.commit = other;
      }),
      ['--repo', '.'],
      /✗ signature/,
    ],
    [
      await write('diff.json', (s) => {
        s.predicate.diffDigest = `sha256:${'0'.repeat(64)}`;
      }),
      ['--repo', '.'],
      /✗ diff /,
    ],
    [
      await write('policy.json', (s) => {
        s.predicate.policy.digest = `sha256:${'0'.repeat(64)}`;
      }),
      [],
      /✗ signature/,
    ],
    [await write('type.json', () => {}, { payloadType: 'application/json' }), [], /✗ payload-type/],
    [receipt, ['--policy', await permissive()], /✗ policy /],
    [receipt, ['--repo', '.', '--rev', other], /✗ rev /],
    [receipt, ['--key', await strangerKey()], /✗ signature .*trusted: ed25519:/],
  ];
  for (const [file, args, failure] of cases) {
    const result = await verify(file, ...args);
    assert.equal(result.code, 1, `${file} ${args.join(' ')}: ${result.stdout}${result.stderr}`);
    assert.match(result.stdout, failure);
    assert.match(result.stdout, /^NOT verified: /m);
    assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, 'no stack trace');
  }
  // The audit log cut short.
  const cut = join(fixture.dir, 'cut.audit.jsonl');
  const lines = (await readFile(auditLog, 'utf8')).split('\n');
  await writeFile(cut, `${lines.slice(0, -3).join('\n')}\n`);
  const truncated = await verify(receipt, '--audit', cut);
  assert.equal(truncated.code, 1);
  assert.match(truncated.stdout, /✗ audit-log .*truncated/);
});

test('exec --receipt outside a git repository is refused before the session starts', async () => {
  const plain = join(fixture.dir, 'plain');
  await mkdir(plain);
  await writeFile(join(plain, 'a.txt'), 'a\n');
  const result = await warden(['exec', '--model', `script:${DEMO_SCRIPT}`, '--receipt', 'r.json', 'task'], {
    cwd: plain,
    env,
  });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--receipt needs a git repository/);
  assert.equal(
    statSync(join(plain, '.warden'), { throwIfNoEntry: false }),
    undefined,
    'no session was started',
  );
});

async function permissive(): Promise<string> {
  const file = join(fixture.dir, 'other.policy.yaml');
  await writeFile(file, 'version: 1\ncommands:\n  allow: ["*"]\n');
  return file;
}

async function strangerKey(): Promise<string> {
  const file = join(fixture.dir, 'stranger.pub.pem');
  const { publicKey } = generateKeyPairSync('ed25519');
  await writeFile(file, publicKey.export({ type: 'spki', format: 'pem' }));
  return file;
}
