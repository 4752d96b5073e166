import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { type HttpMcpServer, startHttpMcpServer } from '../src/mcp/testing/http-mcp-server.ts';
import { client, type Served, type ServerWorld, serverWorld, startServe, waitFor } from './server.ts';

/**
 * MCP tools in a served task: the policy's ask becomes an approval in the API, answered there by a
 * person of the team; only then does the call reach the server. A denied call never does.
 */
let world: ServerWorld;
let served: Served;
let mcp: HttpMcpServer;
let admin: ReturnType<typeof client>;
const calls: Array<{ tool: string; args: unknown }> = [];

before(async () => {
  world = await serverWorld();
  mcp = await startHttpMcpServer({
    accepts: () => true,
    tools: (server) => {
      for (const name of ['label_issue', 'delete_issue'])
        server.registerTool(
          name,
          { description: `${name.replace('_', ' ')}.`, inputSchema: { id: z.number() } },
          async (args) => {
            calls.push({ tool: name, args });
            return { content: [{ type: 'text' as const, text: `${name} ${args.id} done` }] };
          },
        );
    },
  });
  await writeFile(
    join(world.dir, 'mcp.policy.yaml'),
    'version: 1\nfiles: { read: ["*"] }\nmcp:\n  ask: [tracker.label_*]\n  deny: [tracker.delete_*]\n',
  );
  // The operator configures the servers the server's tasks use, in server.yaml.
  const yaml = await readFile(join(world.data, 'server.yaml'), 'utf8');
  const policies = `policies: { mcp: ${JSON.stringify(join(world.dir, 'mcp.policy.yaml'))}, `;
  await writeFile(
    join(world.data, 'server.yaml'),
    `${yaml.replace(/^policies: \{ /m, policies)}\nmcp_servers:\n  tracker:\n    url: ${mcp.url}\n`,
  );
  served = await startServe(world);
  admin = client(served.url, served.adminToken);
});

after(async () => {
  served?.child.kill('SIGTERM');
  await served?.exited;
  await mcp?.close();
  await world?.cleanup();
});

test('an MCP call the policy asks about waits for an approval through the API; a denied one never reaches the server', async () => {
  const repo = await world.repo('mcp');
  const model = await world.script('mcp', [
    { calls: [{ tool: 'tracker__label_issue', args: { id: 4 } }] },
    { calls: [{ tool: 'tracker__delete_issue', args: { id: 4 } }] },
    { text: 'done' },
  ]);
  const created = await admin('POST', '/v1/tasks', {
    repository: repo,
    instruction: 'triage',
    model,
    policy: 'mcp',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;
  await waitFor('the approval', async () => {
    const { body } = await admin('GET', `/v1/tasks/${id}`);
    return body.status === 'waiting_approval' ? body : undefined;
  });
  assert.deepEqual(calls, [], 'nothing reaches the server before a person answers');
  const pending = await admin('GET', `/v1/approvals?status=pending&taskId=${id}`);
  const [approval] = pending.body.approvals;
  assert.match(approval.summary, /call tracker\.label_issue/);
  assert.match(approval.reason, /mcp\.ask\[0\]/);
  const decided = await admin('POST', `/v1/approvals/${approval.id}`, { decision: 'allow' });
  assert.equal(decided.status, 200, JSON.stringify(decided.body));

  const done = await waitFor('the task to finish', async () => {
    const { body } = await admin('GET', `/v1/tasks/${id}`);
    return ['succeeded', 'failed'].includes(body.status) ? body : undefined;
  });
  assert.equal(done.status, 'succeeded', JSON.stringify(done));
  assert.deepEqual(calls, [{ tool: 'label_issue', args: { id: 4 } }]);
  const { body } = await admin('GET', `/v1/tasks/${id}/events?format=json`);
  const decisions = body.events
    .filter((e: { type: string }) => e.type === 'policy.decided')
    .map((e: { tool: string; decision: string }) => [e.tool, e.decision]);
  assert.deepEqual(decisions, [
    ['tracker__label_issue', 'ask'],
    ['tracker__delete_issue', 'deny'],
  ]);
  const server = body.events.find((e: { type: string }) => e.type === 'mcp.server');
  assert.equal(server?.status, 'connected');
});
