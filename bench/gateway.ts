/**
 * The model gateway's cost: the same loopback upstream (speaking OpenAI's Responses stream) called
 * directly and through the gateway (auth, routing, redaction, the AI SDK client, re-encoding),
 * in the same run — added latency p50/p99, time to first byte, and throughput.
 */
import { startTestGateway } from '../src/gateway/testing/gateway-fixture.ts';
import { responsesStream } from '../src/models/testing/openai-responses-stream.ts';
import { startLoopbackServer } from '../src/models/testing/sse-server.ts';
import { percentile, printTable } from './stats.ts';

const BODY = JSON.stringify({
  model: 'gpt-5',
  stream: true,
  instructions: 'You are a coding agent.',
  input: [{ role: 'user', content: [{ type: 'input_text', text: 'Fix the failing test in src/sum.js.' }] }],
  tools: [
    {
      type: 'function',
      name: 'read_file',
      description: 'Read a file',
      parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
    },
  ],
});

interface Timing {
  ttfbMs: number;
  totalMs: number;
}

/** One streamed request read to its end: time to the first body byte, and to the last. */
async function timed(url: string, key: string): Promise<Timing> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: BODY,
  });
  if (response.status !== 200 || response.body === null) throw new Error(`${url}: HTTP ${response.status}`);
  const reader = response.body.getReader();
  let ttfbMs = 0;
  for (;;) {
    const { done } = await reader.read();
    if (ttfbMs === 0) ttfbMs = performance.now() - started;
    if (done) break;
  }
  return { ttfbMs, totalMs: performance.now() - started };
}

async function sequential(url: string, key: string, count: number): Promise<Timing[]> {
  const out: Timing[] = [];
  for (let i = 0; i < count; i++) out.push(await timed(url, key));
  return out;
}

/** Requests per second with `workers` clients each sending `perWorker` requests back to back. */
async function throughput(url: string, key: string, workers: number, perWorker: number): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: workers }, () => sequential(url, key, perWorker)));
  return (workers * perWorker) / ((performance.now() - started) / 1000);
}

export async function benchGateway(runs: number): Promise<void> {
  const upstream = await startLoopbackServer(() => responsesStream());
  const t = await startTestGateway({
    default: 'openai:gpt-5',
    env: { OPENAI_API_KEY: 'sk-bench-upstream-key' },
    config: { providers: { openai: { base_url: `${upstream.url}/v1` } } },
  });
  try {
    const direct = `${upstream.url}/v1/responses`;
    const gateway = `${t.gateway.openaiBaseUrl}/responses`;
    const samples = Math.max(50, runs * 30);
    // Warm both paths (JIT, sockets) before measuring; then interleave so drift hits both alike.
    await sequential(direct, 'sk-bench', 20);
    await sequential(gateway, t.key, 20);
    const directTimes: Timing[] = [];
    const gatewayTimes: Timing[] = [];
    for (let i = 0; i < samples; i++) {
      directTimes.push(await timed(direct, 'sk-bench'));
      gatewayTimes.push(await timed(gateway, t.key));
    }
    const p = (times: Timing[], field: keyof Timing, q: number) =>
      percentile(
        times.map((time) => time[field]),
        q,
      );
    const rows = (['totalMs', 'ttfbMs'] as const).flatMap((field) =>
      [50, 99].map((q) => ({
        name: `${field === 'totalMs' ? 'streamed request' : 'time to first byte'} p${q}`,
        value: p(gatewayTimes, field, q),
        unit: 'ms',
        baseline: p(directTimes, field, q),
        baselineName: 'upstream direct',
      })),
    );
    printTable(`model gateway: one Responses stream with a tool call (${samples} requests each, ms)`, rows);
    console.log(
      `  added latency p50 ${(p(gatewayTimes, 'totalMs', 50) - p(directTimes, 'totalMs', 50)).toFixed(2)} ms,` +
        ` p99 ${(p(gatewayTimes, 'totalMs', 99) - p(directTimes, 'totalMs', 99)).toFixed(2)} ms`,
    );

    const workers = 8;
    const perWorker = Math.max(10, runs * 5);
    const directRate = await throughput(direct, 'sk-bench', workers, perWorker);
    const gatewayRate = await throughput(gateway, t.key, workers, perWorker);
    printTable(`model gateway throughput (${workers} concurrent clients, requests/s)`, [
      {
        name: 'streamed requests through the gateway',
        value: gatewayRate,
        unit: 'rq/s',
        baseline: directRate,
        baselineName: 'upstream direct',
      },
    ]);
  } finally {
    await t.close();
    await upstream.close();
  }
}
