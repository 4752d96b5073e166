import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sqliteEvalStore } from '../src/eval/store.ts';
import type { EvalSummary } from '../src/eval/summary.ts';
import type { TrialRecord } from '../src/eval/types.ts';
import { WARDEN, warden } from './cli.ts';

/**
 * `warden eval` end to end, as a team runs it: the offline suite Warden ships, three scripted
 * contestants of different skill, a run killed with kill -9 halfway and resumed, then the report —
 * every trial graded as evals/offline/expected.json says, every statistic as computed by hand.
 */

const ROOT = resolve(import.meta.dirname, '..');
const SUITE = join(ROOT, 'evals/offline/suite.jsonl');
const CONTESTANTS = ['solver', 'half', 'breaker'];
const MODELS = CONTESTANTS.map((name) => `script:${join(ROOT, 'evals/offline/contestants', name)}`);
const TIMEOUT_MS = 300_000;

type Expected = Record<string, Record<string, string>>;

describe('warden eval on the offline suite: killed, resumed, graded', { timeout: TIMEOUT_MS * 2 }, () => {
  let home: string;
  let dir: string;
  let runId: string;
  let beforeKill: TrialRecord[];
  let resumed: { code: number | null; stdout: string; stderr: string };
  const cli = (args: string[]) => warden(args, { cwd: home, timeoutMs: TIMEOUT_MS, env: { HOME: home } });

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'warden-eval-'));
    dir = join(home, 'evals');
    // The first run is killed (kill -9) once a dozen trials are done: no goodbye, no cleanup.
    const child = spawn(
      process.execPath,
      [WARDEN, 'eval', 'run', SUITE, '--models', MODELS.join(','), '--dir', dir, '--concurrency', '2'],
      { cwd: home, env: { PATH: process.env.PATH, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    const killed = new Promise<void>((resolveKill, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString();
        if (/\[12\/42\]/.test(err)) child.kill('SIGKILL');
      });
      child.on('exit', (_code, signal) =>
        signal === 'SIGKILL'
          ? resolveKill()
          : reject(new Error(`the run ended before it was killed:\n${err}`)),
      );
    });
    await killed;
    runId = /evaluation (e[\w-]+)/.exec(err)?.[1] ?? '';
    const store = sqliteEvalStore(join(dir, 'evals.db'));
    beforeKill = await store.trials(runId);
    await store.close();
    resumed = await cli(['eval', 'resume', runId.slice(0, 12), '--dir', dir]);
  });
  after(() => rm(home, { recursive: true, force: true }));

  it('resumes the killed run: finished trials are kept as they were, the rest run once more', async () => {
    assert.equal(resumed.code, 0, resumed.stderr);
    const store = sqliteEvalStore(join(dir, 'evals.db'));
    const after_ = await store.trials(runId);
    await store.close();
    const key = (t: TrialRecord) => `${t.instanceId}/${t.contestant}/${t.repeat}`;
    const done = beforeKill.filter((t) => t.status === 'done');
    assert.ok(done.length >= 12, `${done.length} trials were done before the kill`);
    assert.ok(done.length < 42, 'the kill came before the end');
    const now = new Map(after_.map((t) => [key(t), t]));
    for (const trial of done) {
      assert.deepEqual(now.get(key(trial)), trial, `${key(trial)} was not recomputed`);
    }
    assert.ok(after_.every((t) => t.status === 'done'));
    const interrupted = beforeKill.filter((t) => t.status === 'running');
    assert.ok(interrupted.length > 0, 'a trial was running when the process was killed');
    for (const trial of interrupted) assert.equal(now.get(key(trial))?.attempts, trial.attempts + 1);
    // The resume ran only what was left.
    const ran = (resumed.stderr.match(/^\[\d+\/42\]/gm) ?? []).length;
    assert.equal(ran, 42 - done.length);
  });

  it('grades every trial as the contestant earned: solved, unsolved and broken', async () => {
    const expected = JSON.parse(
      await readFile(join(ROOT, 'evals/offline/expected.json'), 'utf8'),
    ) as Expected;
    const { stdout } = await cli(['eval', 'report', runId, '--dir', dir, '--json']);
    const summary = JSON.parse(stdout) as EvalSummary;
    for (const instance of summary.instances) {
      CONTESTANTS.forEach((name, index) => {
        assert.deepEqual(
          instance.outcomes[index],
          [expected[name]?.[instance.id]],
          `${name} on ${instance.id}`,
        );
      });
    }
  });

  it('computes the statistics a person would by hand', async () => {
    const { stdout } = await cli(['eval', 'report', runId, '--dir', dir, '--json']);
    const summary = JSON.parse(stdout) as EvalSummary;
    const [solver, half, breaker] = summary.contestants;
    // solver 14/14; half 7/14; breaker 5/14 resolved and 5 broken (expected.json).
    assert.deepEqual([solver?.resolved.count, half?.resolved.count, breaker?.resolved.count], [14, 7, 5]);
    assert.equal(breaker?.outcomes.broken, 5);
    // The scripts stay within the default policy: nothing of theirs was asked about or denied.
    for (const c of summary.contestants) assert.deepEqual([c.asks.total, c.denials.total], [0, 0], c.label);
    // Wilson, z = 1.959964, z² = 3.841459: for 14/14 the low end is n / (n + z²) = 14 / 17.841459 = 0.784689.
    assert.ok(Math.abs((solver?.resolved.low ?? 0) - 0.784689) < 1e-6);
    assert.equal(solver?.resolved.high, 1);
    // 7/14: centre 0.5; half-width z·√(0.25/14 + z²/784) / (1 + z²/14) = 1.959964 × 0.150855 / 1.274390 = 0.232013.
    assert.ok(Math.abs((half?.resolved.low ?? 0) - (0.5 - 0.232013)) < 1e-5);
    assert.ok(Math.abs((half?.resolved.high ?? 0) - (0.5 + 0.232013)) < 1e-5);
    // McNemar, exact: solver vs half, 7 only-solver pairs and none the other way: p = 2 × 0.5^7 = 0.015625.
    const pair = (a: number, b: number) => summary.pairs.find((p) => p.a === a && p.b === b);
    assert.equal(pair(0, 1)?.mcnemar.pValue, 0.015625);
    // solver vs breaker: 9 and 0, p = 2 × 0.5^9 = 0.00390625.
    assert.equal(pair(0, 2)?.mcnemar.pValue, 0.00390625);
    // half vs breaker: 4 and 2, p = 2 × P(X ≤ 2 | n = 6) = 2 × (1 + 6 + 15) / 64 = 0.6875.
    assert.equal(pair(1, 2)?.mcnemar.pValue, 0.6875);
    assert.deepEqual(pair(1, 2)?.instancesOnlyB, ['utf8-c-1', 'timecalc-sh-1']);
  });

  it('prints the table, an HTML report, and the list of runs', async () => {
    const table = await cli(['eval', 'report', runId, '--dir', dir]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /A\s+14\/14\s+14\s+100\.0%\s+78\.5–100\.0%/);
    assert.match(table.stdout, /A vs B\s+only A 7 · only B 0/);
    const file = join(home, 'report.html');
    const html = await cli(['eval', 'report', runId, '--dir', dir, '--html', file]);
    assert.equal(html.code, 0, html.stderr);
    const page = await readFile(file, 'utf8');
    assert.match(page, /<svg/);
    assert.match(page, /timecalc-sh-1/);
    assert.doesNotMatch(page, /(src|href)="https?:/);
    // Every contestant's session left a signed audit log, intact.
    const audit = await cli(['audit', 'verify', '--audit-dir', join(dir, runId, 'audit')]);
    assert.equal(audit.code, 0, audit.stdout + audit.stderr);
    // One per trial, and one more for each session the kill cut short (ended when its trial started over).
    assert.ok((audit.stdout.match(/^intact /gm) ?? []).length >= 42, audit.stdout);
    const list = await cli(['eval', 'list', '--dir', dir]);
    assert.match(list.stdout, new RegExp(`${runId}.*42/42 trials`));
  });
});

describe('warden eval: a SWE-bench Lite instance file, as published', { timeout: TIMEOUT_MS }, () => {
  it('loads with --repos and grades a scripted fix', async () => {
    const { buildFixtureRepository, SWE_BENCH_SUITE } = await import(
      '../src/eval/testing/swe-bench-fixture.ts'
    );
    const home = await mkdtemp(join(tmpdir(), 'warden-eval-swe-'));
    try {
      const repos = join(home, 'repos');
      buildFixtureRepository(repos);
      const line = JSON.parse(await readFile(SWE_BENCH_SUITE, 'utf8')) as {
        instance_id: string;
        patch: string;
      };
      // A contestant that applies the upstream fix; one that only looks.
      const fixer = join(home, 'fixer');
      const idle = join(home, 'idle');
      const { mkdir } = await import('node:fs/promises');
      await mkdir(fixer);
      await mkdir(idle);
      await writeFile(
        join(fixer, `${line.instance_id}.json`),
        JSON.stringify({
          turns: [{ calls: [{ tool: 'apply_patch', args: { patch: line.patch } }] }, { text: 'Fixed.' }],
        }),
      );
      await writeFile(
        join(idle, `${line.instance_id}.json`),
        JSON.stringify({
          turns: [{ calls: [{ tool: 'list_files', args: {} }] }, { text: 'Nothing to do.' }],
        }),
      );
      const result = await warden(
        [
          'eval',
          'run',
          SWE_BENCH_SUITE,
          '--repos',
          repos,
          '--models',
          `script:${fixer},script:${idle}`,
          '--dir',
          join(home, 'evals'),
          '--json',
        ],
        { cwd: home, timeoutMs: TIMEOUT_MS, env: { HOME: home } },
      );
      assert.equal(result.code, 0, result.stderr);
      const summary = JSON.parse(result.stdout) as EvalSummary;
      assert.deepEqual(
        summary.instances.map((i) => i.outcomes),
        [[['resolved'], ['unresolved']]],
      );
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('warden eval: usage errors are one line, exit 2, before anything runs', () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'warden-eval-usage-'));
  });
  after(() => rm(home, { recursive: true, force: true }));
  const cases: Array<[string, string[], RegExp]> = [
    ['no models', ['run', SUITE], /which models should compete/],
    [
      'an unknown agent',
      ['run', SUITE, '--models', MODELS[0] as string, '--agents', 'devin'],
      /no agent "devin".*warden, codex, claude/,
    ],
    ['a missing suite', ['run', join(ROOT, 'nope.jsonl'), '--models', MODELS[0] as string], /nope\.jsonl/],
    [
      'a fractional repeat',
      ['run', SUITE, '--models', MODELS[0] as string, '--repeats', '1.5'],
      /--repeats must be a whole number/,
    ],
    ['a model named twice', ['run', SUITE, '--models', `${MODELS[0]},${MODELS[0]}`], /named twice/],
    ['an unknown run', ['report', 'e2020-nope'], /no evaluation "e2020-nope"/],
    ['an unknown provider', ['run', SUITE, '--models', 'nosuch:model'], /nosuch/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const result = await warden(['eval', ...args, '--dir', join(home, 'evals')], {
        cwd: home,
        env: { HOME: home },
      });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length <= 2, true, result.stderr);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    });
  }
});

const AGENTS: Array<{ agent: string; call: (command: string) => unknown }> = [
  { agent: 'codex', call: (cmd) => ({ calls: [{ tool: 'exec_command', args: { cmd } }] }) },
  {
    agent: 'claude',
    call: (command) => ({ calls: [{ tool: 'Bash', args: { command, description: 'run' } }] }),
  },
];

describe('warden eval --agents codex,claude: third-party contestants, governed as warden wrap governs them', {
  timeout: TIMEOUT_MS,
}, () => {
  for (const { agent, call } of AGENTS) {
    it(`${agent} solves through the gateway, its commands judged and counted, its output kept off the terminal`, async () => {
      const home = await mkdtemp(join(tmpdir(), `warden-eval-${agent}-`));
      try {
        const line = (await readFile(SUITE, 'utf8'))
          .split('\n')
          .find((l) => l.includes('"calendar-js-1"')) as string;
        const instance = { ...JSON.parse(line), repository: join(ROOT, 'evals/offline/repos/calendar-js') };
        await writeFile(join(home, 'suite.jsonl'), `${JSON.stringify(instance)}\n`);
        const source = await readFile(join(ROOT, 'evals/offline/repos/calendar-js/src/date.js'), 'utf8');
        const fixed = source.replace(
          'return year % 4 === 0 && year % 100 !== 0;',
          'return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;',
        );
        assert.notEqual(fixed, source);
        const policy = join(home, 'policy.yaml');
        await writeFile(
          policy,
          'version: 1\nfiles:\n  read: ["*"]\n  write: ["*"]\ncommands:\n  allow: ["*"]\n  deny: ["curl *"]\n',
        );
        const scripts = join(home, agent);
        const { mkdir } = await import('node:fs/promises');
        await mkdir(scripts);
        await writeFile(
          join(scripts, 'calendar-js-1.json'),
          JSON.stringify({
            turns: [
              call('cat src/date.js'),
              call('curl -s http://127.0.0.1:9/'),
              call(`cat > src/date.js <<'FIXED'\n${fixed}FIXED`),
              call('node --test'),
              { text: 'Fixed isLeapYear.' },
            ],
          }),
        );
        const result = await warden(
          [
            'eval',
            'run',
            join(home, 'suite.jsonl'),
            '--agents',
            agent,
            '--models',
            `script:${scripts}`,
            '--policy',
            policy,
            '--dir',
            join(home, 'evals'),
            '--json',
          ],
          {
            cwd: home,
            timeoutMs: TIMEOUT_MS,
            env: { HOME: home, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}` },
          },
        );
        assert.equal(result.code, 0, result.stderr);
        const summary = JSON.parse(result.stdout) as EvalSummary;
        assert.deepEqual(summary.instances[0]?.outcomes, [['resolved']]);
        const [contestant] = summary.contestants;
        assert.equal(contestant?.label, `${agent}/script:${scripts}`);
        assert.equal(contestant?.denials.total, 1, 'curl was denied by the policy and counted');
        assert.ok((contestant?.tokens.input.total ?? 0) > 0, 'metered at the gateway');
        // The agent printed its answer; none of it reached Warden's output.
        assert.doesNotMatch(result.stdout + result.stderr, /Fixed isLeapYear|tokens used/);
      } finally {
        await rm(home, { recursive: true, force: true });
      }
    });
  }
});

describe('warden eval: a trial killed in the middle of its session', { timeout: TIMEOUT_MS }, () => {
  it("starts over, and the abandoned session's audit log is ended and signed, not left cut off", async () => {
    const home = await mkdtemp(join(tmpdir(), 'warden-eval-abandon-'));
    try {
      const line = (await readFile(SUITE, 'utf8'))
        .split('\n')
        .find((l) => l.includes('"calendar-js-1"')) as string;
      const instance = { ...JSON.parse(line), repository: join(ROOT, 'evals/offline/repos/calendar-js') };
      await writeFile(join(home, 'suite.jsonl'), `${JSON.stringify(instance)}\n`);
      const scripts = join(home, 'slow');
      const { mkdir } = await import('node:fs/promises');
      await mkdir(scripts);
      // A visible test that takes its time: the process is killed while the contestant waits for it.
      const slow =
        'import { test } from "node:test";\ntest("slow", () => new Promise((r) => setTimeout(r, 4000)));\n';
      await writeFile(
        join(scripts, 'calendar-js-1.json'),
        JSON.stringify({
          turns: [
            { calls: [{ tool: 'write_file', args: { path: 'test/slow.test.js', content: slow } }] },
            { calls: [{ tool: 'shell', args: { command: 'node --test test/slow.test.js' } }] },
            { text: 'Done waiting.' },
          ],
        }),
      );
      const dir = join(home, 'evals');
      const args = ['eval', 'run', join(home, 'suite.jsonl'), '--models', `script:${scripts}`, '--dir', dir];
      const child = spawn(process.execPath, [WARDEN, ...args], {
        cwd: home,
        env: { PATH: process.env.PATH, HOME: home },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString();
      });
      const exited = new Promise((done) => child.on('exit', done));
      const started = Date.now();
      const auditDir = () => join(dir, /evaluation (e[\w-]+)/.exec(err)?.[1] ?? 'none', 'audit');
      // Killed once the session's command is running: its log holds the intent, not the end.
      for (;;) {
        const log = readdirSafe(auditDir())[0];
        const text = log ? await readFile(join(auditDir(), log), 'utf8') : '';
        if (/"type":"tool\.started"/.test(text) && !/"type":"session\.finished"/.test(text)) break;
        assert.ok(Date.now() - started < 60_000, `the session never reached its command:\n${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGKILL');
      await exited;
      const cut = await warden(['audit', 'verify', '--audit-dir', auditDir()], {
        cwd: home,
        env: { HOME: home },
      });
      assert.equal(cut.code, 1);
      assert.match(cut.stdout, /truncated/);

      const resumed = await warden(
        ['eval', 'resume', /evaluation (e[\w-]+)/.exec(err)?.[1] as string, '--dir', dir],
        {
          cwd: home,
          env: { HOME: home },
          timeoutMs: TIMEOUT_MS,
        },
      );
      assert.equal(resumed.code, 0, resumed.stderr);
      const verified = await warden(['audit', 'verify', '--audit-dir', auditDir()], {
        cwd: home,
        env: { HOME: home },
      });
      assert.equal(verified.code, 0, verified.stdout);
      assert.equal(
        (verified.stdout.match(/^intact /gm) ?? []).length,
        2,
        'the abandoned session and the new one',
      );
      for (const log of readdirSafe(auditDir())) {
        assert.match(
          await readFile(join(auditDir(), log), 'utf8'),
          /"type":"session\.finished"/,
          `${log} ends its session`,
        );
      }
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.endsWith('.audit.jsonl'));
  } catch {
    return [];
  }
}
