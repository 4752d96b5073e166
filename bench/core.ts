import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventStream } from '../src/agent/event-stream.ts';
import { runSession } from '../src/agent/session.ts';
import { DEMO_REPO } from '../src/cli/demo.ts';
import { loadModelConfig, resolveModel } from '../src/models/index.ts';
import { createBwrapSandbox } from '../src/sandbox/bwrap.ts';
import { createWorkspace } from '../src/sandbox/workspace.ts';
import { builtinTools } from '../src/tools/registry.ts';
import { percentile, printTable } from './stats.ts';
import { timeUntil } from './time-until.ts';

const WARDEN = new URL('../bin/warden.js', import.meta.url).pathname;

export async function benchCore(runs: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-bench-'));
  try {
    const repo = join(dir, 'repo');
    await cp(DEMO_REPO, repo, { recursive: true });
    const oneTurn = join(dir, 'one-turn.json');
    await writeFile(oneTurn, JSON.stringify({ turns: [{ text: 'hello' }] }));

    // Cold start: process start to the first model request, against a bare `node -e` start.
    const node = process.execPath;
    const bare: number[] = [];
    const cold: number[] = [];
    for (let i = 0; i < runs; i++) {
      bare.push(await timeUntil([node, '-e', ''], () => false, dir));
      cold.push(
        await timeUntil(
          [node, WARDEN, 'exec', '--json', '--repo', repo, '--model', `script:${oneTurn}`, 'bench'],
          (line) => line.includes('"type":"model.request"'),
          dir,
        ),
      );
    }
    printTable('warden exec cold start (ms, median of runs)', [
      {
        name: 'start → first model request',
        value: percentile(cold, 50),
        unit: 'ms',
        baseline: percentile(bare, 50),
        baselineName: 'node -e ""',
      },
    ]);

    // Loop overhead: N shell calls through the agent loop vs the same command through the sandbox directly.
    const calls = 40;
    const script = join(dir, 'many-calls.json');
    await writeFile(
      script,
      JSON.stringify({
        turns: Array.from({ length: calls }, () => ({
          calls: [{ tool: 'shell', args: { command: 'true' } }],
        })),
      }),
    );
    const sandbox = await createBwrapSandbox({ workspace: repo });
    const workspace = await createWorkspace(repo);
    // The first run also checks that bubblewrap works; that is start-up, not per-call cost.
    await sandbox.run({ argv: ['bash', '-c', 'true'], timeoutMs: 10_000 });
    const direct: number[] = [];
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      await sandbox.run({ argv: ['bash', '-c', 'true'], timeoutMs: 10_000 });
      direct.push(performance.now() - t);
    }
    const unsandboxed: number[] = [];
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      await new Promise((resolve) => spawn('bash', ['-c', 'true']).on('exit', resolve));
      unsandboxed.push(performance.now() - t);
    }
    const model = resolveModel(`script:${script}`, {
      config: loadModelConfig(repo, { env: {} }),
      env: {},
      cwd: dir,
    });
    const started = performance.now();
    const report = await runSession({
      task: 'bench',
      model,
      tools: builtinTools(),
      workspace,
      sandbox,
      system: 'bench',
      events: createEventStream('bench', []),
      limits: { maxTurns: calls + 2 },
    });
    const perCall = (performance.now() - started) / report.toolCalls;
    const directMean = direct.reduce((a, b) => a + b, 0) / direct.length;
    const bareMean = unsandboxed.reduce((a, b) => a + b, 0) / unsandboxed.length;
    printTable(`agent loop per tool call (${report.toolCalls} shell calls, ms, mean)`, [
      {
        name: 'loop: model turn + shell `true` in sandbox',
        value: perCall,
        unit: 'ms',
        baseline: directMean,
        baselineName: 'sandbox.run',
      },
      {
        name: 'loop: model turn + shell `true` in sandbox',
        value: perCall,
        unit: 'ms',
        baseline: bareMean,
        baselineName: 'bare spawn',
      },
      {
        name: 'loop overhead above sandbox.run',
        value: perCall - directMean,
        unit: 'ms',
        baseline: bareMean,
        baselineName: 'bare spawn',
      },
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
