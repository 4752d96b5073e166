import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { EventOf } from '../src/agent/events.ts';
import { treeUsage } from '../src/sandbox/disk-usage.ts';
import { jsonEvents, sampleRepo, warden } from './cli.ts';

// A model told to fill the disk: its command is stopped at the workspace's cap (`limits.disk`), the
// session goes on to the next turn, and the report says which limit stopped what.

let fixture: Awaited<ReturnType<typeof sampleRepo>>;
before(async () => {
  fixture = await sampleRepo();
});
after(() => fixture.cleanup());

const MiB = 2 ** 20;

test('a command that writes past limits.disk is stopped, the files stay bounded, the session goes on', async () => {
  const policy = join(fixture.dir, 'disk.policy.yaml');
  await writeFile(
    policy,
    'version: 1\nfiles: { read: ["*"], write: ["*"] }\ncommands: { allow: ["*"] }\nlimits: { disk: 16MiB, file_size: 1GiB }\n',
  );
  const before = (await treeUsage(fixture.repo, ['.warden'])).bytes;
  const attempt = 1024; // MiB, in 1 MiB files: far past the cap
  const script = join(fixture.dir, 'fill-disk.json');
  await writeFile(
    script,
    JSON.stringify({
      turns: [
        {
          calls: [
            {
              tool: 'shell',
              // split's output files are not read by the policy (a loop's `> fill$i` would be asked).
              args: { command: `head -c ${attempt * MiB} /dev/zero | split -b ${MiB} - fill` },
            },
          ],
        },
        { calls: [{ tool: 'shell', args: { command: 'rm -f fill* && echo cleaned up' } }] },
        { text: 'done' },
      ],
    }),
  );
  const result = await warden(
    ['exec', '--json', '--policy', policy, '--model', `script:${script}`, 'fill the disk'],
    {
      cwd: fixture.repo,
    },
  );
  assert.equal(result.code, 0, result.stderr);
  const events = jsonEvents(result.stdout);
  const finished = events.filter((e): e is EventOf<'tool.finished'> => e.type === 'tool.finished');
  assert.equal(finished.length, 2, 'both turns ran');

  const [fill, cleanup] = finished;
  assert.equal(fill?.ok, false);
  assert.equal(fill?.command?.limit, 'disk');
  assert.match(
    fill?.output ?? '',
    /^stopped by the disk limit: the workspace passed its limit \(limits\.disk; [\d.]+ MiB used of 16 MiB\)/,
  );
  assert.match(cleanup?.output ?? '', /cleaned up/);
  assert.equal(cleanup?.command?.exitCode, 0);
  assert.equal(cleanup?.command?.limit, undefined);

  const report = events.find((e): e is EventOf<'session.finished'> => e.type === 'session.finished')?.report;
  assert.equal(report?.status, 'finished');
  assert.deepEqual(
    report?.commands.map((c) => c.limit ?? 'none'),
    ['disk', 'none'],
  );
  // The files it wrote were removed by turn 2; what the stop let through is what the model saw.
  const seen = Number(/([\d.]+) MiB used/.exec(fill?.output ?? '')?.[1]) * MiB;
  assert.ok(seen < (attempt * MiB) / 4, `stopped at ${seen} bytes of ${attempt} MiB attempted`);
  assert.ok((await treeUsage(fixture.repo, ['.warden'])).bytes <= before + MiB, 'cleaned up');
});

test('warden wrap: an agent that writes past limits.disk is stopped, and the report says why', async () => {
  const policy = join(fixture.dir, 'disk-wrap.policy.yaml');
  await writeFile(
    policy,
    'version: 1\nfiles: { read: ["*"], write: ["*"] }\ncommands: { allow: ["*"] }\nlimits: { disk: 16MiB }\n',
  );
  const script = join(fixture.dir, 'wrap-script.json');
  await writeFile(script, JSON.stringify({ turns: [{ text: 'done' }] }));
  const agent = `head -c ${1024 * MiB} /dev/zero | split -b ${MiB} - wrapfill; echo finished`;
  const result = await warden(
    [
      'wrap',
      '--profile',
      'generic',
      '--model',
      `script:${script}`,
      '--policy',
      policy,
      '--',
      'bash',
      '-c',
      agent,
    ],
    { cwd: fixture.repo, timeoutMs: 60_000 },
  );
  assert.equal(result.code, 1);
  assert.doesNotMatch(result.stdout, /finished/);
  assert.match(
    result.stderr,
    /limit: .*\nwarden: the workspace passed its disk limit \(limits\.disk; [\d.]+ MiB used of 16 MiB\) and bash was stopped/,
  );
  const used = (await treeUsage(fixture.repo, ['.warden'])).bytes;
  assert.ok(used < 256 * MiB, `stopped at ${used} bytes of 1 GiB attempted`);
});
