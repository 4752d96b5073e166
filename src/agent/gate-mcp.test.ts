import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Approver } from '../policy/approvals.ts';
import { compileToPolicy } from '../policy/engine.ts';
import { parsePolicyFile } from '../policy/policy-file.ts';
import { createEventStream } from './event-stream.ts';
import type { WardenEvent } from './events.ts';
import { createGate } from './gate.ts';

test('an MCP call approved for the session covers the same arguments only', async () => {
  const parsed = parsePolicyFile(
    'version: 1\nmcp:\n  deny:\n    - tool: db.query\n      unless: { sql: "SELECT *" }\n',
    'p.yaml',
  );
  if (!parsed.ok) throw new Error('policy');
  const asked: string[] = [];
  const approver: Approver = {
    by: 'test',
    async ask(request) {
      asked.push(request.summary);
      return 'session';
    },
  };
  const events: WardenEvent[] = [];
  const stream = createEventStream('s', [(e) => events.push(e)]);
  const gate = createGate({
    policy: await compileToPolicy(parsed.file, 'p.yaml'),
    approver,
    events: stream,
    workspaceRoot: '/repo',
  });
  const query = (sql: string, extra: Record<string, unknown> = {}) =>
    gate.check({ id: 'c', tool: 'db__query' }, [
      { kind: 'mcp.call', server: 'db', tool: 'query', args: { sql, ...extra } },
    ]);

  assert.deepEqual(await query('SELECT 1'), { allowed: true });
  assert.deepEqual(await query('SELECT 1'), { allowed: true });
  assert.equal(asked.length, 1, 'the same call is asked once');
  assert.deepEqual(await query('SELECT 1', { limit: 5 }), { allowed: true });
  assert.equal(asked.length, 2, 'other arguments are asked again');
  assert.match(asked[0] ?? '', /^call db\.query \{"sql":"SELECT 1"\} \(arguments [0-9a-f]{16}\)$/);

  const dropped = await query('DROP TABLE users');
  assert.equal(dropped.allowed, false);
  assert.match(dropped.allowed ? '' : dropped.output, /denied by policy \(mcp\.deny\[0\]\)/);
  assert.equal(asked.length, 2, 'a denied call is not asked');
  const decided = events.filter((e) => e.type === 'policy.decided');
  assert.deepEqual(
    decided.map((e) => (e.type === 'policy.decided' ? [e.decision, e.policies] : [])),
    [
      ['ask', ['default.mcp.unmatched']],
      ['ask', ['default.mcp.unmatched']],
      ['ask', ['default.mcp.unmatched']],
      ['deny', ['mcp.deny[0]']],
    ],
  );
});
