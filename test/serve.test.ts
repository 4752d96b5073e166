import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import {
  client,
  readSse,
  type Served,
  type ServerWorld,
  serverWorld,
  startServe,
  waitFor,
} from './server.ts';

let world: ServerWorld;
let served: Served;
let admin: ReturnType<typeof client>;

before(async () => {
  world = await serverWorld();
  served = await startServe(world);
  assert.ok(served.adminToken, `the first start prints the admin token:\n${served.output()}`);
  admin = client(served.url, served.adminToken);
});

after(async () => {
  if (served?.child.exitCode !== null) return world?.cleanup();
  served.child.kill('SIGTERM');
  assert.equal(await served?.exited, 0, 'SIGTERM drains and exits 0');
  assert.doesNotMatch(served.output(), /internal error/, 'no request ended in a 5xx');
  await world?.cleanup();
});

const FIX_SUM = [
  { text: 'Running the tests.', calls: [{ tool: 'shell', args: { command: 'npm test' } }] },
  {
    calls: [
      {
        tool: 'edit_file',
        args: { path: 'src/sum.js', old_string: 'return a - b;', new_string: 'return a + b;' },
      },
    ],
  },
  { text: 'Fixed sum().' },
];

async function taskStatus(id: string, wanted: string) {
  return waitFor(`task ${id} to be ${wanted}`, async () => {
    const { body } = await admin('GET', `/v1/tasks/${id}`);
    return body.status === wanted ? body : undefined;
  });
}

test('a task runs to completion; its events stream over SSE and resume from Last-Event-ID', async () => {
  const repo = await world.repo('fix');
  const model = await world.script('fix-sum', FIX_SUM);
  const created = await admin('POST', '/v1/tasks', { repository: repo, instruction: 'fix the tests', model });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.status, 'queued');
  const id = created.body.id;

  const stream = await readSse(`${served.url}/v1/tasks/${id}/events`, served.adminToken as string);
  const seqs = stream.events.map((e) => e.seq);
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => i + 1),
    'history then live, contiguous from 1, no duplicates',
  );
  assert.deepEqual(
    stream.messages.filter((m) => m.event === undefined).map((m) => m.id),
    seqs,
    'id: is the sequence number',
  );
  assert.equal(stream.events[0]?.type, 'session.started');
  assert.equal(stream.events.at(-1)?.type, 'session.finished');
  assert.deepEqual(stream.messages.at(-1), { event: 'end', data: { status: 'succeeded' } });

  const resumed = await readSse(`${served.url}/v1/tasks/${id}/events`, served.adminToken as string, {
    'last-event-id': '3',
  });
  assert.deepEqual(
    resumed.events.map((e) => e.seq),
    seqs.slice(3),
    'resumes after the given id',
  );
  const byQuery = await admin('GET', `/v1/tasks/${id}/events?format=json&after=${seqs.length - 2}`);
  assert.deepEqual(
    byQuery.body.events.map((e: { seq: number }) => e.seq),
    seqs.slice(-2),
  );

  const task = await admin('GET', `/v1/tasks/${id}`);
  assert.equal(task.body.status, 'succeeded');
  assert.ok(task.body.tokens > 0 && task.body.durationMs >= 0);
  assert.equal(task.body.report.status, 'finished');
  assert.deepEqual(
    task.body.report.filesChanged.map((f: { path: string }) => f.path),
    ['src/sum.js'],
  );
  const report = await admin('GET', `/v1/tasks/${id}/report`);
  assert.equal(report.body.summary, 'Fixed sum().');
  const session = await admin('GET', `/v1/tasks/${id}/session`);
  assert.equal(session.status, 200, JSON.stringify(session.body));
  assert.equal(session.body.id, id);
  assert.equal(session.body.status, 'finished');
  assert.equal(session.body.runs, 1);
  assert.equal(session.body.checkpoint.turns, task.body.report.turns);
  assert.ok(session.body.checkpoint.messages > 0 && session.body.checkpoint.usage.inputTokens > 0);
  const verify = await admin('GET', `/v1/tasks/${id}/audit/verify`);
  assert.equal(verify.body.ok, true, JSON.stringify(verify.body));
  assert.ok(verify.body.records > stream.events.length);
  const log = await fetch(`${served.url}/v1/tasks/${id}/audit`, {
    headers: { authorization: `Bearer ${served.adminToken}` },
  });
  assert.equal(log.headers.get('content-type'), 'application/x-ndjson');
  assert.equal((await log.text()).trim().split('\n').length, verify.body.records);
  assert.ok(
    existsSync(join(repo, '.warden')),
    'the state directory exists, so the sandbox holds it read-only',
  );
  assert.ok(
    !existsSync(join(repo, '.warden', 'warden.db')),
    "the server's records are not in the repository",
  );
});

test('a task that hits an ask waits for approval, and proceeds once an approver allows it', async () => {
  const repo = await world.repo('ask');
  // `sleep` is in no list of the default policy: a person decides.
  const model = await world.script('ask', [
    { calls: [{ tool: 'shell', args: { command: 'sleep 0 && echo approved-run' } }] },
    { text: 'done' },
  ]);
  const { body: task } = await admin('POST', '/v1/tasks', { repository: repo, instruction: 'x', model });
  await taskStatus(task.id, 'waiting_approval');
  const pending = await admin('GET', `/v1/approvals?status=pending&taskId=${task.id}`);
  assert.equal(pending.body.approvals.length, 1);
  const [approval] = pending.body.approvals;
  assert.match(approval.summary, /sleep 0/);

  // A viewer may see the question but not answer it; an approver of the team may.
  await admin('POST', '/v1/users', { id: 'vera', team: 'default', role: 'viewer' });
  await admin('POST', '/v1/users', { id: 'abe', team: 'default', role: 'approver' });
  const viewer = client(served.url, (await admin('POST', '/v1/tokens', { user: 'vera' })).body.token);
  const approver = client(served.url, (await admin('POST', '/v1/tokens', { user: 'abe' })).body.token);
  assert.equal((await viewer('POST', `/v1/approvals/${approval.id}`, { decision: 'allow' })).status, 403);
  const decided = await approver('POST', `/v1/approvals/${approval.id}`, { decision: 'allow' });
  assert.equal(decided.status, 200, JSON.stringify(decided.body));
  assert.equal(decided.body.decidedBy, 'abe');
  assert.equal((await approver('POST', `/v1/approvals/${approval.id}`, { decision: 'deny' })).status, 409);

  await taskStatus(task.id, 'succeeded');
  const { body } = await admin('GET', `/v1/tasks/${task.id}/events?format=json`);
  const resolved = body.events.find((e: { type: string }) => e.type === 'approval.resolved');
  assert.deepEqual([resolved.decision, resolved.by], ['allow', 'abe']);
  const ran = body.events.find((e: { type: string }) => e.type === 'tool.finished');
  assert.equal(ran.ok, true);
  assert.match(ran.output, /approved-run/);
});

test('a steering message reaches the running agent before its next model request, and is recorded', async () => {
  const repo = await world.repo('steer');
  const model = await world.script('steer', [
    { calls: [{ tool: 'shell', args: { command: 'sleep 1' } }] },
    { text: 'done' },
  ]);
  const { body: task } = await admin('POST', '/v1/tasks', {
    repository: repo,
    instruction: 'x',
    model,
    policy: 'permissive',
  });
  await waitFor('the command to start', async () => {
    const { body } = await admin('GET', `/v1/tasks/${task.id}/events?format=json`);
    return body.events.some((e: { type: string }) => e.type === 'tool.started');
  });
  const sent = await admin('POST', `/v1/tasks/${task.id}/messages`, { text: 'also update the README' });
  assert.equal(sent.status, 202);
  await taskStatus(task.id, 'succeeded');
  const { body } = await admin('GET', `/v1/tasks/${task.id}/events?format=json`);
  const types = body.events.map((e: { type: string }) => e.type);
  const steered = body.events.find((e: { type: string }) => e.type === 'user.message');
  assert.deepEqual([steered.text, steered.from], ['also update the README', 'admin']);
  const requests = body.events.filter((e: { type: string }) => e.type === 'model.request');
  assert.ok(types.indexOf('user.message') < types.lastIndexOf('model.request'), 'before the next request');
  // The first request held the task; the next one the task, the reply, the tool result and the message.
  assert.deepEqual(
    requests.map((r: { messages: number }) => r.messages),
    [1, 4],
  );
  const audit = await fetch(`${served.url}/v1/tasks/${task.id}/audit`, {
    headers: { authorization: `Bearer ${served.adminToken}` },
  });
  assert.match(await audit.text(), /"type":"user\.message"/, 'the audit log records it');
  assert.equal((await admin('POST', `/v1/tasks/${task.id}/messages`, { text: 'late' })).status, 409);
});

test('cancel stops a long task promptly and cleanly', async () => {
  const repo = await world.repo('cancel');
  const model = await world.script('long', [
    { calls: [{ tool: 'shell', args: { command: 'sleep 60' } }] },
    { text: 'never' },
  ]);
  const { body: task } = await admin('POST', '/v1/tasks', {
    repository: repo,
    instruction: 'x',
    model,
    policy: 'permissive',
  });
  await waitFor('the command to start', async () => {
    const { body } = await admin('GET', `/v1/tasks/${task.id}/events?format=json`);
    return body.events.some((e: { type: string }) => e.type === 'tool.started');
  });
  const started = Date.now();
  assert.equal((await admin('POST', `/v1/tasks/${task.id}/cancel`)).status, 202);
  const cancelled = await taskStatus(task.id, 'cancelled');
  assert.ok(Date.now() - started < 5000, 'stopped well before the command would have ended');
  assert.equal(cancelled.report.status, 'cancelled');
  const { body } = await admin('GET', `/v1/tasks/${task.id}/events?format=json`);
  assert.equal(body.events.at(-1).type, 'session.finished');
  assert.equal((await admin('GET', `/v1/tasks/${task.id}/audit/verify`)).body.ok, true);
  assert.equal(
    (await admin('POST', `/v1/tasks/${task.id}/cancel`)).status,
    409,
    'an ended task cannot be cancelled',
  );
});

test('roles: a viewer cannot start tasks (403) but reads them; other teams see nothing', async () => {
  const repo = await world.repo('roles');
  const model = await world.script('quick', [{ text: 'ok' }]);
  await admin('POST', '/v1/teams', { id: 'blue' });
  await admin('POST', '/v1/users', { id: 'val', team: 'default', role: 'viewer' });
  await admin('POST', '/v1/users', { id: 'bo', team: 'blue', role: 'operator' });
  const viewer = client(served.url, (await admin('POST', '/v1/tokens', { user: 'val' })).body.token);
  const blue = client(served.url, (await admin('POST', '/v1/tokens', { user: 'bo' })).body.token);

  const refused = await viewer('POST', '/v1/tasks', { repository: repo, instruction: 'x', model });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.code, 'auth.forbidden');
  assert.match(refused.body.error.message, /val \(viewer of team "default"\) may not start/);

  const { body: task } = await admin('POST', '/v1/tasks', { repository: repo, instruction: 'x', model });
  assert.equal((await viewer('GET', `/v1/tasks/${task.id}`)).status, 200);
  assert.equal((await blue('GET', `/v1/tasks/${task.id}`)).status, 404, "another team's task is not there");
  assert.ok(!(await blue('GET', '/v1/tasks')).body.tasks.some((t: { id: string }) => t.id === task.id));
  assert.equal((await blue('POST', `/v1/tasks/${task.id}/cancel`)).status, 404);
  assert.equal(
    (await viewer('POST', '/v1/tokens', { user: 'val' })).status,
    403,
    'only an admin issues tokens',
  );
  assert.equal((await client(served.url, 'wdn_0000000000000000_x')('GET', '/v1/tasks')).status, 401);
  const revoked = (await admin('POST', '/v1/tokens', { user: 'val' })).body;
  assert.equal((await admin('DELETE', `/v1/tokens/${revoked.id}`)).status, 204);
  assert.equal((await client(served.url, revoked.token)('GET', '/v1/tasks')).status, 401);
});

test('a team budget stops a running task cleanly and refuses the next one', async () => {
  const repo = await world.repo('budget');
  const model = await world.script('budget', FIX_SUM);
  await admin('POST', '/v1/teams', { id: 'tiny', budget: { tokens: 500 } });
  await admin('POST', '/v1/users', { id: 'tim', team: 'tiny', role: 'operator' });
  const tim = client(served.url, (await admin('POST', '/v1/tokens', { user: 'tim' })).body.token);
  const { body: task } = await tim('POST', '/v1/tasks', { repository: repo, instruction: 'x', model });
  const failed = await taskStatus(task.id, 'failed');
  assert.equal(failed.error.code, 'budget.exhausted');
  assert.equal(failed.report.turns, 1, 'stopped at the first turn boundary after the budget was spent');
  const next = await tim('POST', '/v1/tasks', { repository: repo, instruction: 'x', model });
  assert.equal(next.status, 409);
  assert.equal(next.body.error.code, 'budget.exhausted');
});

test('bad input gets a 4xx naming the field, never a 5xx', async () => {
  const repo = await world.repo('bad');
  const model = await world.script('bad', [{ text: 'ok' }]);
  const cases: Array<[unknown, number, string]> = [
    [{}, 400, 'repository'],
    [{ repository: repo, model }, 400, 'instruction'],
    [{ repository: repo, instruction: 'x', model, limits: { turns: 0 } }, 400, 'limits.turns'],
    [{ repository: repo, instruction: 'x', model, limits: { turns: 'many' } }, 400, 'limits.turns'],
    [{ repository: repo, instruction: 'x', model, colour: 'red' }, 400, 'colour'],
    [{ repository: '/etc', instruction: 'x', model }, 400, 'repository'],
    [{ repository: `${repo}/src`, instruction: 'x', model }, 400, 'repository'],
    [{ repository: repo, instruction: 'x', model: 'openai:gpt-5' }, 400, 'model'],
    [{ repository: repo, instruction: 'x', model: `script:${world.scripts}/missing.json` }, 400, 'model'],
    [{ repository: repo, instruction: 'x', model, policy: '../../etc/passwd' }, 400, 'policy'],
    [{ repository: repo, instruction: 'x', model, policy: 'nope' }, 400, 'policy'],
    ['[1, 2]', 400, 'body'],
    ['{"repository": ', 400, 'body'],
  ];
  for (const [body, status, field] of cases) {
    const answer = await admin('POST', '/v1/tasks', body);
    assert.equal(answer.status, status, `${JSON.stringify(body)} → ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.error.field, field, JSON.stringify(answer.body));
    assert.ok(answer.body.error.message.length > 0);
  }
  assert.equal((await admin('GET', '/v1/tasks?limit=0')).body.error.field, 'limit');
  assert.equal((await admin('GET', '/v1/tasks/no such id')).status, 400);
  assert.equal((await admin('POST', '/v1/approvals/a1', { decision: 'maybe' })).body.error.field, 'decision');
  const unknown = await admin('GET', '/v1/nothing-here');
  assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'not_found']);

  const field = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string()),
    fc.object(),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.record(
          {
            repository: fc.oneof(field, fc.constant(repo), fc.constant('/')),
            instruction: field,
            model: fc.oneof(field, fc.constant(model)),
            policy: fc.oneof(field, fc.constant('default')),
            limits: fc.oneof(
              field,
              fc.record({ turns: field, tokens: field, cost: field, wallTimeSeconds: field }),
            ),
          },
          { requiredKeys: [] },
        ),
        fc.jsonValue(),
      ),
      async (body) => {
        const answer = await admin('POST', '/v1/tasks', body);
        if (answer.status === 201) return; // a valid task by chance is fine
        assert.ok(answer.status >= 400 && answer.status < 500, `${JSON.stringify(body)} → ${answer.status}`);
        assert.equal(typeof answer.body.error.code, 'string');
      },
    ),
    { numRuns: 150 },
  );
});

test('the OpenAPI document is served, and models and policies are listed for a client to choose', async () => {
  const spec = (await fetch(`${served.url}/openapi.json`).then((r) => r.json())) as {
    openapi: string;
    paths: Record<string, Record<string, unknown>>;
  };
  assert.equal(spec.openapi, '3.1.0');
  assert.ok(spec.paths['/v1/tasks']?.post);
  const models = await admin('GET', '/v1/models');
  assert.deepEqual(models.body.models, [{ id: `script:${world.scripts}/*`, pattern: true }]);
  const policies = await admin('GET', '/v1/policies');
  assert.deepEqual(
    policies.body.policies.map((p: { name: string }) => p.name),
    ['default', 'permissive'],
  );
  assert.match(policies.body.policies[0].summary, /default deny/);
});
