import assert from 'node:assert/strict';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EventOf, WardenEvent } from '../src/agent/events.ts';
import { gitCli } from '../src/broker/testing/git-cli.ts';
import { startChatModelServer } from './chat-model-server.ts';
import { jsonEvents, permissivePolicy, sampleRepo, warden } from './cli.ts';
import { startGitHttpServer } from './git-http-server.ts';

const git = gitCli;
const TOKEN = 'ghs_CheckoutHeader0123456789abcdefXYZ';

function of<T extends WardenEvent['type']>(events: WardenEvent[], type: T): EventOf<T>[] {
  return events.filter((e): e is EventOf<T> => e.type === type);
}

test("actions/checkout's Authorization extraheader reaches no model, event or audit record; the broker pushes with it", async () => {
  const { dir, repo, cleanup } = await sampleRepo();
  const served = join(dir, 'served');
  await mkdir(served);
  git(served, 'init', '-q', '--bare', 'repo.git');
  const bare = join(served, 'repo.git');
  git(repo, 'checkout', '-qb', 'warden/fix');
  const gitServer = await startGitHttpServer({
    projectRoot: served,
    username: 'x-access-token',
    token: TOKEN,
  });
  const origin = `http://127.0.0.1:${gitServer.port}/repo.git`;
  git(repo, 'remote', 'add', 'origin', origin);
  // What actions/checkout (persist-credentials: true) leaves in .git/config.
  const basic = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
  git(
    repo,
    'config',
    `http.http://127.0.0.1:${gitServer.port}/.extraheader`,
    `AUTHORIZATION: basic ${basic}`,
  );
  const model = await startChatModelServer([
    { calls: [{ tool: 'shell', args: { command: 'cat .git/config' } }] },
    {
      calls: [
        {
          tool: 'shell',
          args: { command: 'git config --list --show-origin; echo "$(base64 -w0 .git/config)"' },
        },
      ],
    },
    { calls: [{ tool: 'shell', args: { command: 'git push origin warden/fix' } }] },
    { text: 'done' },
  ]);
  try {
    const configHome = join(dir, 'config');
    await model.writeUserConfig(configHome);
    const policy = join(dir, 'push.policy.yaml');
    await writeFile(
      policy,
      'version: 1\nfiles:\n  read: ["*"]\n  write: ["*"]\ncommands:\n  allow: ["*"]\ngit:\n  push: ["warden/*"]\nsecrets:\n  git-127-0-0-1: ["git.push"]\n',
    );
    const result = await warden(
      ['exec', '--json', '--policy', policy, '--model', model.modelId, 'look around'],
      {
        cwd: repo,
        env: { XDG_CONFIG_HOME: configHome },
      },
    );
    assert.equal(result.code, 0, result.stderr);
    const events = jsonEvents(result.stdout);
    const flagged = of(events, 'guard.flagged');
    assert.equal(flagged[0]?.rule, 'credential-in-http-header');
    assert.match(flagged[0]?.detail ?? '', /moved to Warden's broker as "git-127-0-0-1"/);
    const finished = of(events, 'tool.finished');
    assert.ok(finished[0]?.output.includes(`url = ${origin}`), 'the agent read .git/config');

    const push = finished[2];
    assert.equal(push?.ok, true, push?.output);
    assert.deepEqual(push?.details?.brokered, { remote: 'origin', credential: 'git-127-0-0-1' });
    assert.equal(git(bare, 'rev-parse', 'refs/heads/warden/fix'), git(repo, 'rev-parse', 'warden/fix'));

    const session = events[0]?.session ?? '';
    const raw = await readFile(join(repo, '.warden', 'audit', `${session}.audit.jsonl`), 'utf8');
    const shown = await warden(['audit', 'show', session, '--decrypt'], { cwd: repo });
    assert.equal(shown.code, 0, shown.stderr);
    const places: Array<[string, string]> = [
      ['events', result.stdout],
      ['audit log', raw],
      ['audit show --decrypt', shown.stdout],
      ['.git/config', await readFile(join(repo, '.git', 'config'), 'utf8')],
      ...model.bodies().map((body, i): [string, string] => [`model request ${i + 1}`, body]),
    ];
    assert.equal(model.bodies().length, 4);
    for (const [place, text] of places)
      for (const secret of [TOKEN, basic, basic.replace(/=+$/, '')])
        assert.ok(!text.includes(secret), `${secret} leaked into ${place}`);
  } finally {
    await model.close();
    await gitServer.close();
    await cleanup();
  }
});

test("a filter driver the agent defines in an included workspace config never runs on the host through Warden's own git", async () => {
  const { dir, repo, cleanup } = await sampleRepo();
  try {
    const marker = join(dir, 'ran-on-host');
    // The user's repository config includes a file of the working tree (a "shared config" habit).
    git(repo, 'config', 'include.path', '../.gitconfig');
    // Quoted: a bare `;` would start a comment in a git config file.
    const config = `[filter "snap"]\n\tclean = "touch ${marker}; cat"\n\trequired = true\n[diff "snap"]\n\ttextconv = "touch ${marker}; cat"\n`;
    const script = join(dir, 'filter.json');
    await writeFile(
      script,
      JSON.stringify({
        turns: [
          { calls: [{ tool: 'write_file', args: { path: '.gitconfig', content: config } }] },
          {
            calls: [
              { tool: 'shell', args: { command: "printf '* filter=snap diff=snap\\n' > .gitattributes" } },
            ],
          },
          { calls: [{ tool: 'shell', args: { command: 'echo changed >> README.md' } }] },
          { calls: [{ tool: 'write_file', args: { path: 'NEW.md', content: 'new\n' } }] },
          { text: 'done' },
        ],
      }),
    );
    const policy = await permissivePolicy(dir);
    const result = await warden(
      ['exec', '--json', '--policy', policy, '--model', `script:${script}`, 'tidy up'],
      {
        cwd: repo,
      },
    );
    assert.equal(result.code, 0, result.stderr);
    const events = jsonEvents(result.stdout);
    assert.ok(
      of(events, 'tool.finished').every((e) => e.ok),
      'every step of the attack ran',
    );
    assert.match(await readFile(join(repo, '.gitattributes'), 'utf8'), /filter=snap/);
    await assert.rejects(access(marker), 'the filter ran on the host');
    // The snapshots still saw the changes, made without the driver.
    const report = of(events, 'session.finished')[0]?.report;
    assert.deepEqual(
      report?.filesChanged.map((f) => f.path),
      ['.gitattributes', '.gitconfig', 'NEW.md', 'README.md'],
    );
  } finally {
    await cleanup();
  }
});
