import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { jsonEvents, permissivePolicy, sampleRepo, warden } from './cli.ts';
import { leakedIn, shownForms } from './secret-forms.ts';
import { client, type Served, type ServerWorld, serverWorld, startServe, waitFor } from './server.ts';

// Everything Warden writes down passes the redactor: read as raw bytes (the SQLite database, its
// write-ahead log, the audit files), none of the forms of a key it holds is there.

const HELD = 'wQ7xK2mZr9LpV4sT8nB3cY6d';
const FORMS = shownForms(HELD);
const ALL = FORMS.map((form) => form.shown).join(' | ');

/** Every file under `dir` (the store's .db, -wal and -shm, the audit logs), as bytes. */
async function rawFiles(dir: string): Promise<Array<[string, Buffer]>> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return Promise.all(
    files.map(async (entry): Promise<[string, Buffer]> => {
      const path = join(entry.parentPath, entry.name);
      return [path.slice(dir.length + 1), await readFile(path)];
    }),
  );
}

function assertNoForm(files: Array<[string, Buffer]>): void {
  for (const [name, bytes] of files)
    assert.deepEqual(leakedIn(bytes, FORMS), [], `a form of the key is in ${name}`);
}

test('warden exec: the session checkpoint, events, report and audit hold no form of a held key, read from the raw files', async () => {
  const fixture = await sampleRepo();
  try {
    const script = join(fixture.dir, 'forms.json');
    // A hostile model that knows the key says it in every form, and has commands print each one.
    await writeFile(
      script,
      JSON.stringify({
        turns: [
          ...FORMS.map((form) => ({
            text: `here it is, ${form.name}: ${form.shown}`,
            calls: [{ tool: 'shell', args: { command: `echo '${form.shown}'` } }],
          })),
          { calls: [{ tool: 'write_file', args: { path: 'leak.txt', content: ALL } }] },
          { text: `done: ${ALL}` },
        ],
      }),
    );
    const result = await warden(
      [
        'exec',
        '--json',
        '--policy',
        await permissivePolicy(fixture.dir),
        '--model',
        `script:${script}`,
        `use ${ALL}`,
      ],
      { cwd: fixture.repo, env: { DEPLOY_TOKEN: HELD } },
    );
    assert.equal(result.code, 0, result.stderr);
    const events = jsonEvents(result.stdout);
    const echoed = events.filter((e) => e.type === 'tool.finished' && e.tool === 'shell');
    assert.equal(echoed.length, FORMS.length, 'every command ran');
    assert.ok(
      echoed.every((e) => e.type === 'tool.finished' && e.ok && /«secret:deploy-token#1»/.test(e.output)),
    );
    assert.deepEqual(leakedIn(Buffer.from(result.stdout), FORMS), [], 'the events as printed');

    const files = await rawFiles(join(fixture.repo, '.warden'));
    assert.ok(files.some(([name]) => name === 'warden.db'));
    assert.ok(files.some(([name]) => name.startsWith('audit/') && name.endsWith('.audit.jsonl')));
    assertNoForm(files);
    const session = events[0]?.session ?? '';
    const shown = await warden(['audit', 'show', session, '--decrypt'], { cwd: fixture.repo });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /«secret:deploy-token#1»/);
    assert.deepEqual(leakedIn(Buffer.from(shown.stdout), FORMS), [], 'the audit log, decrypted');
    const stored = await warden(['sessions', 'show', session, '--json', '--events'], { cwd: fixture.repo });
    assert.deepEqual(leakedIn(Buffer.from(stored.stdout), FORMS), [], 'the session as shown');
  } finally {
    await fixture.cleanup();
  }
});

let world: ServerWorld;
let served: Served;
before(async () => {
  world = await serverWorld();
  served = await startServe(world, { DEPLOY_TOKEN: HELD });
});
after(async () => {
  if (served?.child.exitCode === null) {
    served.child.kill('SIGTERM');
    await served.exited;
  }
  await world?.cleanup();
});

test('warden serve: tasks, approvals, steering, sessions and audit hold no form of a held key, in the raw database and WAL files', async () => {
  const admin = client(served.url, served.adminToken);
  const repo = await world.repo('forms');
  const model = await world.script('forms', [
    // `sleep` is in no list of the default policy: a question for a person, with the command in it.
    { text: `first: ${ALL}`, calls: [{ tool: 'shell', args: { command: `sleep 0 && echo '${ALL}'` } }] },
    { text: `second: ${ALL}`, calls: [{ tool: 'shell', args: { command: `echo '${ALL}'` } }] },
    { text: `done: ${ALL}` },
  ]);
  const created = await admin('POST', '/v1/tasks', { repository: repo, instruction: `use ${ALL}`, model });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id as string;
  const approval = await waitFor(
    'the question',
    async () => (await admin('GET', `/v1/approvals?status=pending&taskId=${id}`)).body.approvals[0],
    20_000,
  );
  assert.match(approval.summary, /«secret:deploy-token#1»/);
  assert.equal((await admin('POST', `/v1/tasks/${id}/messages`, { text: `also ${ALL}` })).status, 202);
  assert.equal((await admin('POST', `/v1/approvals/${approval.id}`, { decision: 'allow' })).status, 200);
  const task = await waitFor(
    'the task to end',
    async () => {
      const { body } = await admin('GET', `/v1/tasks/${id}`);
      return ['succeeded', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
    },
    20_000,
  );
  assert.equal(task.status, 'succeeded', JSON.stringify(task.error));
  // While the server runs, its databases' write-ahead logs hold the latest writes.
  const running = await rawFiles(world.data);
  assert.ok(
    running.some(([name]) => name === 'server.db-wal') && running.some(([name]) => name === 'warden.db-wal'),
  );
  assertNoForm(running);
  served.child.kill('SIGTERM');
  await served.exited;
  assertNoForm(await rawFiles(world.data));
  assert.ok(existsSync(join(world.data, 'server.db')));
});
