/**
 * The interactive UI against the plain live view, in the same pseudo-terminal harness the screen
 * tests use: how long a typed key takes to show on the screen while a model's reply streams (a
 * loopback OpenAI-compatible server streaming a long markdown answer), and how long a resumed
 * 2,000-event session takes to be on the screen. The plain view's keystrokes are echoed by the
 * terminal itself; its resume is the same events drawn by `warden exec`'s live view.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { forTerminal } from '../src/cli/terminal.ts';
import { jsonEvents, sampleRepo, warden } from '../test/cli.ts';
import { spawnScreen, type TuiScreen } from '../test/tui-screen.ts';
import { percentile, printTable } from './stats.ts';

/** On the UI's screen once it is ready for a message. */
const TUI_READY = '● ready';

const KEYSTROKES = 40;
const KEY_GAP_MS = 60;
/** Letters the streamed reply and the screen's frame never hold: found only where they were typed. */
const TYPED = 'QXZW';
const SESSION_EVENTS = 2000;

export async function benchTui(runs: number): Promise<void> {
  const keyRuns = Math.max(1, Math.min(3, Math.round(runs / 4)));
  const resumeRuns = Math.max(1, Math.min(5, Math.round(runs / 2)));
  const { dir, repo, cleanup } = await sampleRepo();
  const model = await startSlowModel();
  try {
    await mkdir(join(dir, 'home', '.config', 'warden'), { recursive: true });
    await writeFile(
      join(dir, 'home', '.config', 'warden', 'warden.config.yaml'),
      `providers:\n  compat:\n    bench: { base_url: "${model.url}/v1" }\n`,
    );
    const modelId = 'compat:bench/slow';

    const tui: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < keyRuns; i++) {
      tui.push(...(await keystrokes(await spawnScreen(['--model', modelId], { cwd: repo }), model, 'tui')));
      plain.push(
        ...(await keystrokes(
          await spawnScreen(['exec', '--model', modelId, 'explain the repository'], { cwd: repo }),
          model,
          'plain',
        )),
      );
    }
    printTable(`keystroke to screen while a reply streams (ms, ${tui.length} keys)`, [
      row(
        'interactive UI p50',
        percentile(tui, 50),
        'plain live view (terminal echo) p50',
        percentile(plain, 50),
      ),
      row(
        'interactive UI p99',
        percentile(tui, 99),
        'plain live view (terminal echo) p99',
        percentile(plain, 99),
      ),
    ]);

    const session = await recordLongSession(dir, repo);
    const tuiResume: number[] = [];
    const plainResume: number[] = [];
    const tuiEmpty: number[] = [];
    for (let i = 0; i < resumeRuns; i++) {
      tuiEmpty.push(await timeToScreen(['--model', modelId], repo, [TUI_READY]));
      tuiResume.push(
        await timeToScreen(['--model', modelId, '--resume', session.id], repo, [TUI_READY, 'END-OF-HISTORY']),
      );
      plainResume.push(
        await timeToScreen(
          [new URL('./replay-plain.ts', import.meta.url).pathname, repo, session.id],
          repo,
          [/^replayed$/m],
          process.execPath,
        ),
      );
    }
    printTable(`a resumed ${session.events}-event session on the screen (ms, median of ${resumeRuns})`, [
      row(
        'interactive UI, start to history shown',
        percentile(tuiResume, 50),
        'plain live view (read + draw only)',
        percentile(plainResume, 50),
      ),
      row(
        'interactive UI, start to history shown',
        percentile(tuiResume, 50),
        'the UI started with no history',
        percentile(tuiEmpty, 50),
      ),
    ]);
  } finally {
    await model.close();
    await cleanup();
  }
}

function row(name: string, value: number, baselineName: string, baseline: number) {
  return { name, value, unit: 'ms', baseline, baselineName };
}

/** Sends a message, and once the reply streams types keys one by one, timing each to the screen. */
async function keystrokes(screen: TuiScreen, model: SlowModel, kind: 'tui' | 'plain'): Promise<number[]> {
  try {
    const streaming = model.nextStream();
    if (kind === 'tui') {
      await screen.waitFor(TUI_READY);
      screen.type('explain the repository');
      screen.press('enter');
    }
    await streaming;
    const latencies: number[] = [];
    for (let i = 0; i < KEYSTROKES; i++) {
      latencies.push(await timeKey(screen, TYPED[i % TYPED.length] as string));
      await new Promise((resolve) => setTimeout(resolve, KEY_GAP_MS));
    }
    return latencies;
  } finally {
    await screen.close();
  }
}

/**
 * From the key's write to the moment the terminal has drawn it: the first output after the key
 * that holds it (escape sequences aside) has been parsed onto the screen. The plain view's echo
 * comes from the terminal; the UI draws the key in its prompt.
 */
function timeKey(screen: TuiScreen, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const from = screen.output().length;
    const started = performance.now();
    const check = () => {
      if (!forTerminal(screen.output().slice(from)).includes(key)) return;
      stop();
      clearTimeout(timer);
      resolve(performance.now() - started);
    };
    const stop = screen.onDraw(check);
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`the key "${key}" did not reach the screen; it shows:\n${screen.text()}`));
    }, 5000);
    screen.type(key);
  });
}

/** From spawning the program to the moment every marker is on its screen together. */
async function timeToScreen(
  args: string[],
  cwd: string,
  markers: (string | RegExp)[],
  file?: string,
): Promise<number> {
  const started = performance.now();
  const screen = await spawnScreen(args, { cwd, rows: 40, ...(file ? { file } : {}) });
  try {
    return await new Promise<number>((resolve, reject) => {
      const check = () => {
        const text = screen.text();
        if (!markers.every((m) => (typeof m === 'string' ? text.includes(m) : m.test(text)))) return;
        stop();
        clearTimeout(timer);
        resolve(performance.now() - started);
      };
      const stop = screen.onDraw(check);
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`${markers.join(', ')} not on the screen after 60 s:\n${screen.text()}`));
      }, 60_000);
    });
  } finally {
    await screen.close();
  }
}

/** A session of about 2,000 events, recorded by `warden exec` with a scripted model (not timed). */
async function recordLongSession(dir: string, repo: string): Promise<{ id: string; events: number }> {
  const calls = 10;
  // A turn of `calls` reads is 2 + 4·calls events.
  const turns = Math.ceil(SESSION_EVENTS / (2 + 4 * calls));
  const script = join(dir, 'long.json');
  await writeFile(
    script,
    JSON.stringify({
      turns: [
        ...Array.from({ length: turns }, (_, turn) => ({
          text: `Reading, round ${turn + 1}.`,
          calls: Array.from({ length: calls }, () => ({ tool: 'read_file', args: { path: 'src/sum.js' } })),
        })),
        { text: 'END-OF-HISTORY' },
      ],
    }),
  );
  const run = await warden(
    ['exec', '--json', '--model', `script:${script}`, '--max-turns', '1000', 'read a lot'],
    {
      cwd: repo,
      env: { HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'home', '.config') },
    },
  );
  if (run.code !== 0) throw new Error(`recording the long session failed:\n${run.stderr}`);
  const events = jsonEvents(run.stdout);
  spawnSync('git', ['checkout', '.'], { cwd: repo });
  return { id: events[0]?.session ?? '', events: events.length };
}

interface SlowModel {
  url: string;
  /** Resolves when the next reply has started streaming. */
  nextStream(): Promise<void>;
  close(): Promise<void>;
}

/** OpenAI chat completions on 127.0.0.1 that stream a long markdown answer, a piece every 12 ms. */
async function startSlowModel(): Promise<SlowModel> {
  const waiting: (() => void)[] = [];
  const pieces = streamedAnswer().match(/[\s\S]{1,16}/g) ?? [];
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', async () => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'slow', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      response.write(chunk({ role: 'assistant', content: '' }));
      for (const waiter of waiting.splice(0)) waiter();
      for (const piece of pieces) {
        if (response.destroyed) return;
        response.write(chunk({ content: piece }));
        await new Promise((resolve) => setTimeout(resolve, 12));
      }
      response.write(chunk({}, 'stop'));
      response.write(
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'slow', choices: [], usage: { prompt_tokens: 100, completion_tokens: 900, total_tokens: 1000 } })}\n\n`,
      );
      response.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    nextStream: () => new Promise((resolve) => waiting.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A long answer with the markdown a real one has: headings, lists, code; lower-case only. */
function streamedAnswer(): string {
  const section = (n: number) =>
    [
      `## part ${n}: how the invoice total is computed`,
      '',
      `the function \`total\` folds the lines with \`sum\`; in part ${n} we look at the edge cases:`,
      '',
      '- an empty invoice has a total of zero',
      '- negative amounts are credit notes and are kept',
      '- amounts are integers in cents, so no rounding happens',
      '',
      '```js',
      'export function total(lines) {',
      '  return lines.reduce((acc, line) => sum(acc, line.amount), 0);',
      '}',
      '```',
      '',
    ].join('\n');
  return Array.from({ length: 12 }, (_, i) => section(i + 1)).join('\n');
}
