import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { EventOf } from '../src/agent/events.ts';
import { DEMO_SCRIPT } from '../src/cli/demo.ts';
import { jsonEvents, permissivePolicy, repoTestsPass, sampleRepo, WARDEN, warden } from './cli.ts';

let fixture: Awaited<ReturnType<typeof sampleRepo>>;
before(async () => {
  fixture = await sampleRepo();
});
after(() => fixture.cleanup());

test('warden exec with a scripted model fixes the failing test and exits 0', async () => {
  assert.equal(repoTestsPass(fixture.repo), false, 'the sample starts broken');
  const result = await warden(
    ['exec', '--json', '--model', `script:${DEMO_SCRIPT}`, 'fix the failing test'],
    {
      cwd: fixture.repo,
    },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(repoTestsPass(fixture.repo), true, "the repository's own tests pass afterwards");

  const events = jsonEvents(result.stdout);
  assert.equal(events[0]?.type, 'session.started');
  const finished = events.at(-1) as EventOf<'session.finished'>;
  assert.equal(finished.type, 'session.finished');
  const { report } = finished;
  assert.equal(report.status, 'finished');
  assert.deepEqual(report.filesChanged, [{ path: 'src/sum.js', kind: 'modified', added: 1, removed: 1 }]);
  assert.deepEqual(
    report.commands.map((c) => [c.command, c.exitCode]),
    [
      ['npm test', 1],
      ['npm test', 0],
    ],
  );
  assert.ok(report.tokens.inputTokens > 0 && report.tokens.outputTokens > 0, 'scripted usage is counted');
  assert.match(report.summary, /Fixed: sum\(\)/);
  const change = events.find((e) => e.type === 'file.changed') as EventOf<'file.changed'>;
  assert.match(change.diff, /-\s+return a - b;\n\+\s+return a \+ b;/);
  for (const type of ['model.request', 'model.response', 'tool.requested', 'tool.started', 'tool.finished']) {
    assert.ok(
      events.some((e) => e.type === type),
      `emits ${type}`,
    );
  }

  const list = await warden(['sessions', 'list'], { cwd: fixture.repo });
  assert.equal(list.code, 0);
  assert.ok(list.stdout.includes(finished.session));
  const show = await warden(['sessions', 'show', finished.session.slice(0, 12), '--json', '--events'], {
    cwd: fixture.repo,
  });
  const shown = JSON.parse(show.stdout);
  assert.equal(shown.status, 'finished');
  assert.equal(shown.events.length, events.length, 'every event was stored');

  // Resume: same session, the conversation and sequence numbers continue.
  const followUp = join(fixture.dir, 'follow-up.json');
  await writeFile(followUp, JSON.stringify({ turns: [{ text: 'Nothing else needed.' }] }));
  const resumed = await warden(
    ['exec', '--json', '--resume', finished.session, '--model', `script:${followUp}`, 'anything else?'],
    { cwd: fixture.repo },
  );
  assert.equal(resumed.code, 0, resumed.stderr);
  const more = jsonEvents(resumed.stdout);
  assert.equal(more[0]?.session, finished.session);
  assert.equal(more[0]?.seq, (finished.seq ?? 0) + 1);
  const request = more.find((e) => e.type === 'model.request') as EventOf<'model.request'>;
  assert.ok(request.messages > 5, 'the resumed request carries the earlier conversation');
});

test('a malformed call goes back to the model as a tool error, not a crash', async () => {
  const script = join(fixture.dir, 'malformed.json');
  await writeFile(
    script,
    JSON.stringify({
      turns: [
        { calls: [{ tool: 'edit_file', raw_args: '{"path": "src/sum.js", "old_string": ' }] },
        { calls: [{ tool: 'delete_everything', args: {} }] },
        { calls: [{ tool: 'read_file', args: { path: 42 } }] },
        { text: 'I could not make a valid call.' },
      ],
    }),
  );
  const result = await warden(['exec', '--json', '--model', `script:${script}`, 'try things'], {
    cwd: fixture.repo,
  });
  assert.equal(result.code, 0, result.stderr);
  const finishedCalls = jsonEvents(result.stdout).filter(
    (e) => e.type === 'tool.finished',
  ) as EventOf<'tool.finished'>[];
  assert.equal(finishedCalls.length, 3);
  assert.ok(finishedCalls.every((e) => !e.ok));
  assert.match(finishedCalls[0]?.output ?? '', /invalid arguments for edit_file/);
  assert.match(finishedCalls[1]?.output ?? '', /unknown tool "delete_everything"/);
  assert.match(finishedCalls[2]?.output ?? '', /invalid arguments for read_file/);
});

test('a real provider without its key exits 2 with a one-line fix', async () => {
  const result = await warden(['exec', '--model', 'openai:gpt-5.5', 'fix it'], { cwd: fixture.repo });
  assert.equal(result.code, 2);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0] ?? '', /OPENAI_API_KEY/);
});

test('sessions list in a repository Warden never ran in says so and creates nothing', async () => {
  const { repo, cleanup } = await sampleRepo();
  try {
    const result = await warden(['sessions', 'list'], { cwd: repo });
    assert.equal(result.code, 0);
    assert.match(result.stdout, /no sessions yet/);
    assert.equal(existsSync(join(repo, '.warden')), false);
  } finally {
    await cleanup();
  }
});

test('usage errors exit 2 and say what to do', async () => {
  const noTask = await warden(['exec', '--model', `script:${DEMO_SCRIPT}`], { cwd: fixture.repo });
  assert.equal(noTask.code, 2);
  assert.match(noTask.stderr, /no task given/);
  const badFlag = await warden(['exec', '--max-turns', 'lots', 'x'], { cwd: fixture.repo });
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /--max-turns must be a positive number/);
  const unknownModel = await warden(['exec', '--model', 'nosuch:model', 'x'], { cwd: fixture.repo });
  assert.equal(unknownModel.code, 2);
  const unknown = await warden(['frobnicate'], { cwd: fixture.repo });
  assert.equal(unknown.code, 2);
});

test('hitting a limit ends with a report and exit 1', async () => {
  const result = await warden(
    ['exec', '--json', '--max-turns', '2', '--model', `script:${DEMO_SCRIPT}`, 'fix it'],
    {
      cwd: fixture.repo,
    },
  );
  assert.equal(result.code, 1);
  const last = jsonEvents(result.stdout).at(-1) as EventOf<'session.finished'>;
  assert.equal(last.report.status, 'limit');
  assert.equal(last.report.turns, 2);
});

test('without bubblewrap, exec refuses to run anything and says how to fix it', async () => {
  const result = await warden(['exec', '--model', `script:${DEMO_SCRIPT}`, 'fix it'], {
    cwd: fixture.repo,
    env: { PATH: '/nonexistent' },
  });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /apt-get install bubblewrap/);
  assert.equal(result.stdout, '', 'no session started');
});

test('a session killed with kill -9 mid-command resumes, its events continuing without a clash', async () => {
  const slow = join(fixture.dir, 'slow.json');
  await writeFile(
    slow,
    JSON.stringify({ turns: [{ calls: [{ tool: 'shell', args: { command: 'sleep 30' } }] }] }),
  );
  const policy = await permissivePolicy(fixture.dir);
  const child = spawn(
    process.execPath,
    [WARDEN, 'exec', '--json', '--policy', policy, '--model', `script:${slow}`, 'take your time'],
    {
      cwd: fixture.repo,
      env: { PATH: process.env.PATH ?? '', HOME: fixture.dir },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  let seen = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('"type":"tool.started"')) resolve();
    });
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('close', resolve));
  const killed = jsonEvents(seen.slice(0, seen.lastIndexOf('\n') + 1));
  const session = killed[0]?.session ?? '';

  // The crash shows in the audit log as a cut tail, never as an intact log.
  const crashed = await warden(['audit', 'verify', session], { cwd: fixture.repo });
  assert.equal(crashed.code, 1);
  assert.match(crashed.stdout, /BROKEN .*(truncated|torn-tail)/);

  const followUp = join(fixture.dir, 'after-kill.json');
  await writeFile(followUp, JSON.stringify({ turns: [{ text: 'Picked up where it stopped.' }] }));
  const resumed = await warden(
    ['exec', '--json', '--resume', session, '--model', `script:${followUp}`, 'go on'],
    {
      cwd: fixture.repo,
    },
  );
  assert.equal(resumed.code, 0, resumed.stderr);
  const events = jsonEvents(resumed.stdout);
  assert.equal(events[0]?.session, session);
  assert.equal(
    events[0]?.seq,
    (killed.at(-1)?.seq ?? 0) + 1,
    'numbering continues after the last stored event',
  );
  const request = events.find((e) => e.type === 'model.request') as EventOf<'model.request'>;
  assert.ok(request.messages >= 2, 'the original task is carried over');
  // Resuming records the recovery and continues the chain to a signed close.
  const recovered = await warden(['audit', 'verify', session], { cwd: fixture.repo });
  assert.equal(recovered.code, 0, recovered.stdout);
});

test('the report counts files changed by commands, not only by the file tools', async () => {
  const { dir, repo, cleanup } = await sampleRepo();
  try {
    const script = join(dir, 'by-shell.json');
    await writeFile(
      script,
      JSON.stringify({
        turns: [
          {
            calls: [
              {
                tool: 'shell',
                args: {
                  command:
                    "sed -i 's/a - b/a + b/' src/sum.js && printf 'x\\n' > NOTES.md && mv README.md README.txt",
                },
              },
            ],
          },
          { text: 'done with sed' },
        ],
      }),
    );
    const policy = await permissivePolicy(dir);
    const result = await warden(
      ['exec', '--json', '--policy', policy, '--model', `script:${script}`, 'fix it with sed'],
      {
        cwd: repo,
      },
    );
    assert.equal(result.code, 0, result.stderr);
    const { report } = jsonEvents(result.stdout).at(-1) as EventOf<'session.finished'>;
    assert.deepEqual(report.filesChanged, [
      { path: 'NOTES.md', kind: 'added', added: 1, removed: 0 },
      { path: 'README.txt', kind: 'moved', from: 'README.md', added: 0, removed: 0 },
      { path: 'src/sum.js', kind: 'modified', added: 1, removed: 1 },
    ]);
    assert.deepEqual(report.diffStat, { files: 3, added: 2, removed: 1 });
    assert.equal(repoTestsPass(repo), true);
  } finally {
    await cleanup();
  }
});

test('credentials rejected on the first model call exit 2 with one line, after a recorded report', async () => {
  const script = join(fixture.dir, 'rejected.json');
  await writeFile(
    script,
    JSON.stringify({ turns: [{ error: { status: 401, message: 'invalid x-api-key' } }] }),
  );
  const result = await warden(['exec', '--json', '--model', `script:${script}`, 'x'], { cwd: fixture.repo });
  assert.equal(result.code, 2);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  const { report } = jsonEvents(result.stdout).at(-1) as EventOf<'session.finished'>;
  assert.equal(report.status, 'failed');
  assert.equal(report.error?.code, 'model.auth');
});

test('when the reader of --json goes away, the session stops recorded instead of dying mid-write', async () => {
  const slow = join(fixture.dir, 'slow-pipe.json');
  await writeFile(
    slow,
    // Two long steps: the closed pipe is noticed at the first write after step one, and the
    // session must then stop during step two rather than run on.
    JSON.stringify({
      turns: [
        { calls: [{ tool: 'shell', args: { command: 'sleep 2' } }] },
        { calls: [{ tool: 'shell', args: { command: 'sleep 30' } }] },
        { text: 'should not get here' },
      ],
    }),
  );
  const policy = await permissivePolicy(fixture.dir);
  const child = spawn(
    process.execPath,
    [WARDEN, 'exec', '--json', '--policy', policy, '--model', `script:${slow}`, 'pipe'],
    {
      cwd: fixture.repo,
      env: { PATH: process.env.PATH ?? '', HOME: fixture.dir },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  let seen = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('"type":"tool.started"')) resolve();
    });
  });
  child.stdout.destroy();
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 1, 'not finished: cancelled');
  const session = jsonEvents(seen.slice(0, seen.indexOf('\n') + 1))[0]?.session ?? '';
  const show = await warden(['sessions', 'show', session, '--json'], { cwd: fixture.repo });
  assert.equal(JSON.parse(show.stdout).status, 'cancelled');
});
