import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { jsonEvents, permissivePolicy, sampleRepo, warden } from './cli.ts';

let fixture: Awaited<ReturnType<typeof sampleRepo>>;
before(async () => {
  fixture = await sampleRepo();
});
after(() => fixture.cleanup());

const HELD_KEY = 'sk-proj-HeldByWarden0123456789abcdef';
const DOTENV_VALUE = 'dotenv-Value-9f8e7d6c5b4a';
const AWS_KEY = 'AKIAQWERTYUIOPASDFGH';

test('secrets in files, the .env and command output never reach the events, the store or the audit log', async () => {
  await writeFile(join(fixture.repo, '.env'), `DATABASE_PASSWORD=${DOTENV_VALUE}\n`);
  await writeFile(join(fixture.repo, 'notes.txt'), `ops key ${HELD_KEY}\naws ${AWS_KEY}\n`);
  const policy = await permissivePolicy(fixture.dir);
  const script = join(fixture.dir, 'secrets.json');
  await writeFile(
    script,
    JSON.stringify({
      turns: [
        { calls: [{ tool: 'read_file', args: { path: 'notes.txt' } }] },
        { calls: [{ tool: 'shell', args: { command: 'cat .env notes.txt' } }] },
        { calls: [{ tool: 'grep', args: { pattern: 'AKIA' } }] },
        { text: 'done' },
      ],
    }),
  );
  const result = await warden(
    ['exec', '--json', '--policy', policy, '--model', `script:${script}`, `check the key ${AWS_KEY}`],
    { cwd: fixture.repo, env: { OPENAI_API_KEY: HELD_KEY } },
  );
  assert.equal(result.code, 0, result.stderr);
  const secrets = [HELD_KEY, DOTENV_VALUE, AWS_KEY];
  const outputs = [result.stdout];
  const session = jsonEvents(result.stdout)[0]?.session ?? '';
  const show = await warden(['audit', 'show', session, '--decrypt'], { cwd: fixture.repo });
  assert.equal(show.code, 0, show.stderr);
  outputs.push(show.stdout);
  const shown = await warden(['sessions', 'show', session, '--json', '--events'], { cwd: fixture.repo });
  outputs.push(shown.stdout);
  outputs.push(await readFile(join(fixture.repo, '.warden', 'audit', `${session}.audit.jsonl`), 'utf8'));
  for (const text of outputs)
    for (const secret of secrets) assert.ok(!text.includes(secret), `${secret} leaked`);
  // The model can still reason about the key: it kept a stable name.
  assert.match(result.stdout, /«secret:aws-access-key#1»/);
  // The files holding the known values are masked and asked about: named, never read.
  assert.match(result.stdout, /"source":"notes\.txt","rule":"known-secret-in-file"/);
  assert.match(result.stdout, /"source":"\.env","rule":"known-secret-in-file"/);
});
