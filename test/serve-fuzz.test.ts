import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { type FuzzRequest, operationsOf, requestFor } from './openapi-fuzz.ts';
import { client, type Served, type ServerWorld, serverWorld, startServe, waitFor } from './server.ts';

// Every operation of the served OpenAPI document, fuzzed: arbitrary and mutated path parameters,
// query strings, headers and bodies, with an admin token and without one. Bad input is always a
// 4xx `{error: {code, message}}` naming the field; nothing is ever a 5xx.

const RUNS = Number(process.env.WARDEN_FUZZ_RUNS ?? 100);

let world: ServerWorld;
let served: Served;
let doc: Parameters<typeof operationsOf>[0];
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
/** Ids that exist, so that requests reach past "not found" into the handlers. */
const seeds: Record<string, string[]> = {};

before(async () => {
  world = await serverWorld();
  served = await startServe(world);
  const admin = client(served.url, served.adminToken);
  doc = (await admin('GET', '/openapi.json')).body;
  const repo = await world.repo('fuzz');
  const quick = await world.script('quick', [{ text: 'ok' }]);
  const ask = await world.script('ask', [{ calls: [{ tool: 'shell', args: { command: 'sleep 0' } }] }]);
  const done = await admin('POST', '/v1/tasks', { repository: repo, instruction: 'x', model: quick });
  await waitFor('the task to end', async () => {
    const { body } = await admin('GET', `/v1/tasks/${done.body.id}`);
    return body.status === 'succeeded';
  });
  const other = await world.repo('fuzz-ask');
  const parked = await admin('POST', '/v1/tasks', { repository: other, instruction: 'x', model: ask });
  const approval = await waitFor('the approval', async () => {
    const { body } = await admin('GET', `/v1/approvals?taskId=${parked.body.id}`);
    return body.approvals?.[0];
  });
  await admin('POST', '/v1/teams', { id: 'fuzzers' });
  seeds.id = [done.body.id, parked.body.id, approval.id, 'default', 'fuzzers', 'admin', repo];
});

after(async () => {
  agent.destroy();
  if (served?.child.exitCode === null) {
    served.child.kill('SIGTERM');
    await served.exited;
  }
  await world?.cleanup();
});

interface Answer {
  status: number;
  type: string;
  text: string;
}

function send(req: FuzzRequest, retried = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(served.url);
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: req.headers,
        agent,
      },
      (res) => {
        const type = String(res.headers['content-type'] ?? '');
        // A live event stream does not end: its status and first bytes are the answer.
        if (type.startsWith('text/event-stream')) {
          res.destroy();
          resolve({ status: res.statusCode ?? 0, type, text: '' });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      // A kept-alive socket the server closed as it was reused never carried the request (Node's
      // documented keep-alive race): sent again once, on a fresh socket.
      if (!retried && outgoing.reusedSocket && (error.code === 'EPIPE' || error.code === 'ECONNRESET'))
        resolve(send(req, true));
      else reject(error);
    });
    outgoing.setTimeout(10_000, () => outgoing.destroy(new Error(`no answer in 10 s: ${req.note}`)));
    outgoing.end(req.body);
  });
}

async function check(req: FuzzRequest, answer: Answer, authenticated: boolean): Promise<void> {
  const where = `${req.note}\n→ ${answer.status} ${answer.text.slice(0, 300)}`;
  if (answer.status >= 500) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const logged = served.output().split('internal error: ').at(-1)?.slice(0, 1500);
    assert.fail(`a 5xx: ${where}\nthe server's log: ${logged}`);
  }
  if (!authenticated) assert.ok(answer.status >= 400, `without a valid token, refused: ${where}`);
  if (answer.status < 400) return;
  assert.match(answer.type, /^application\/json/, `errors are JSON: ${where}`);
  const body = JSON.parse(answer.text) as { error?: { code?: unknown; message?: unknown; field?: unknown } };
  assert.equal(typeof body.error?.code, 'string', `error.code: ${where}`);
  assert.ok(typeof body.error?.message === 'string' && body.error.message.length > 0, `message: ${where}`);
  // Malformed input names what was wrong: the field, parameter, `body` or `query`.
  if ([400, 413, 415].includes(answer.status)) {
    assert.ok(typeof body.error?.field === 'string' && body.error.field.length > 0, `field: ${where}`);
  }
}

test('every operation in the OpenAPI document, fuzzed with an admin token and without: never a 5xx, always a JSON error naming the field', async () => {
  const operations = operationsOf(doc);
  assert.ok(operations.length >= 15, `the document's operations: ${operations.length}`);
  const token = served.adminToken as string;
  const auth = fc.oneof(
    { weight: 4, arbitrary: fc.constant(`Bearer ${token}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'Bearer',
        'Bearer ',
        `Basic ${token}`,
        `Bearer ${token}x`,
        `Bearer ${token.slice(0, 21)}`,
        'Bearer wdn_0000000000000000_x',
        'Bearer wdn___',
        `bearer ${token}`,
      ),
    },
  );
  for (const op of operations) {
    await fc.assert(
      fc.asyncProperty(requestFor(doc, op, seeds, auth), async (req) => {
        const answer = await send(req);
        // The scheme's case does not matter (RFC 9110 §11.1); the token's does.
        await check(
          req,
          answer,
          req.headers.authorization?.replace(/^bearer /i, 'Bearer ') === `Bearer ${token}`,
        );
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  }
  assert.doesNotMatch(served.output(), /internal error/, 'the server logged no fault of its own');
});

test('bytes that are not HTTP, and headers over 16 KB, get the same JSON error shape', async () => {
  const url = new URL(served.url);
  const raw = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.end(text));
      let answer = '';
      socket.on('data', (chunk) => {
        answer += chunk.toString();
      });
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });
  const cases: Array<[string, number, string]> = [
    ['GARBAGE\r\n\r\n', 400, 'request.malformed'],
    ['GET /v1/tasks HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n', 400, 'request.malformed'],
    [`GET /v1/tasks HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'request.too_large'],
  ];
  for (const [text, status, code] of cases) {
    const answer = await raw(text);
    assert.match(answer, new RegExp(`^HTTP/1.1 ${status} `), answer);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    assert.equal(body.error.code, code);
    assert.ok(body.error.message && body.error.field, answer);
  }
});
