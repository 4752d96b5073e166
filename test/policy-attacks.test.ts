import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { EventOf } from '../src/agent/events.ts';
import { sampleRepo } from './cli.ts';
import { attack, type Run, shell } from './scripted-attack.ts';

// The policy is the first line of defence: these attacks run through the real `warden exec` under
// policies written for each one, and each must fail at the policy or the sandbox — and be recorded.

interface Target {
  port: number;
  /** TCP connections the server accepted: a refused request must never reach it. */
  connections: number;
  server: Server;
}

async function startTarget(body: string): Promise<Target> {
  const server = createServer((_, res) => res.end(body));
  const target: Target = { port: 0, connections: 0, server };
  server.on('connection', () => {
    target.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.port = (server.address() as AddressInfo).port;
  return target;
}

let fixture: Awaited<ReturnType<typeof sampleRepo>>;
let allowed: Target;
let unlisted: Target;
before(async () => {
  fixture = await sampleRepo();
  allowed = await startTarget('hello from the allowed host');
  unlisted = await startTarget('exfiltrated');
});
after(async () => {
  for (const target of [allowed, unlisted]) {
    target.server.closeAllConnections();
    await new Promise((resolve) => target.server.close(resolve));
  }
  await fixture.cleanup();
});

const netRequests = (run: Run) =>
  run.events.filter((e): e is EventOf<'net.request'> => e.type === 'net.request');

test('network: the listed host answers, an unlisted one is refused before it is reached, DNS fails; all recorded', async () => {
  const run = await attack(
    fixture,
    'network',
    `version: 1
files: { read: ["*"], write: ["*"] }
commands:
  allow: ["curl *", "getent *"]
network:
  allow: ["127.0.0.1:${allowed.port}"]
`,
    [
      shell(`curl -s http://127.0.0.1:${allowed.port}/`),
      shell(`curl -sS --fail http://127.0.0.1:${unlisted.port}/`),
      shell('getent hosts example.com'),
    ],
  );
  assert.equal(run.code, 0, run.stderr);
  const [ok, refused, dns] = [run.call(0).finished, run.call(1).finished, run.call(2).finished];
  assert.equal(ok?.command?.exitCode, 0, ok?.output);
  assert.match(ok?.output ?? '', /hello from the allowed host/);

  assert.notEqual(refused?.command?.exitCode, 0);
  assert.match(refused?.output ?? '', /403/, 'the proxy answered in place of the host');
  assert.doesNotMatch(refused?.output ?? '', /exfiltrated/);
  assert.equal(unlisted.connections, 0, 'the unlisted server saw no connection');

  assert.notEqual(dns?.command?.exitCode, 0, 'no name resolves inside the sandbox');
  assert.doesNotMatch(dns?.output ?? '', /\d+\.\d+\.\d+\.\d+/);

  const records = netRequests(run);
  const pass = records.find((r) => r.port === allowed.port);
  const blocked = records.find((r) => r.port === unlisted.port);
  assert.deepEqual(pass && { host: pass.host, method: pass.method, allowed: pass.allowed }, {
    host: '127.0.0.1',
    method: 'GET',
    allowed: true,
  });
  assert.ok((pass?.bytes ?? 0) > 0);
  assert.deepEqual(blocked && { host: blocked.host, method: blocked.method, allowed: blocked.allowed }, {
    host: '127.0.0.1',
    method: 'GET',
    allowed: false,
  });
  // Write-ahead: the allowed request's intent is recorded before it is made; a refused one has none.
  const intents = run.events.filter((e) => e.type === 'net.requested');
  assert.deepEqual(
    intents.map((e) => e.type === 'net.requested' && e.port),
    [allowed.port],
  );
  assert.ok((intents[0]?.seq ?? Infinity) < (pass?.seq ?? 0));
});

const BYPASS_POLICY = `version: 1
files: { read: ["*"], write: ["*"] }
commands:
  allow: ["ls*", "echo *", "cat *", "find *"]
  deny: ["curl *"]
`;

for (const [name, command] of [
  ['command substitution', 'echo $(curl http://127.0.0.1:PORT/)'],
  ['find -exec', 'find . -exec curl http://127.0.0.1:PORT/ \\;'],
  ['a pipe into sh -c', "ls | sh -c 'curl http://127.0.0.1:PORT/'"],
  ['the arguments of sh -c', `sh -c '"$0" "$@"' curl http://127.0.0.1:PORT/`],
] as const) {
  test(`policy bypass through ${name} is denied by the curl rule and never started`, async () => {
    const before = allowed.connections;
    const run = await attack(fixture, `bypass-${name.replace(/\W+/g, '-')}`, BYPASS_POLICY, [
      shell(command.replace('PORT', String(allowed.port))),
    ]);
    assert.equal(run.code, 0, run.stderr);
    const { decided, started, finished } = run.call(0);
    const denial = decided.find((d) => d.decision === 'deny');
    assert.ok(denial, 'a deny decision is recorded');
    assert.deepEqual(denial.policies, ['commands.deny[0]']);
    assert.match(denial.reason, /curl/);
    assert.equal(started, false, 'the command never started');
    assert.equal(finished?.ok, false);
    assert.match(finished?.output ?? '', /denied by policy \(commands\.deny\[0\]\)/);
    assert.equal(allowed.connections, before, 'the server saw nothing');
  });
}

test('git push --force is denied even when the policy allows git and pushing every branch', async () => {
  const run = await attack(
    fixture,
    'force-push',
    `version: 1
files: { read: ["*"], write: ["*"] }
commands:
  allow: ["git *"]
git:
  push: ["*"]
`,
    [
      shell('git push --force origin main'),
      shell('git push origin +main'),
      shell('git status --short && echo git-still-runs'),
    ],
  );
  assert.equal(run.code, 0, run.stderr);
  for (const n of [0, 1]) {
    const { decided, started, finished } = run.call(n);
    const denial = decided.find((d) => d.decision === 'deny');
    assert.ok(denial, `push ${n} is denied`);
    // A built-in rule no policy file can remove.
    assert.match(denial.policies.join(','), /^default\.commands\.deny\[\d+\]$/);
    assert.equal(started, false);
    assert.equal(finished?.ok, false);
  }
  assert.match(run.call(2).finished?.output ?? '', /git-still-runs/, 'the policy did grant git');
});

test('a fork bomb and a 5 GB file hit the limits; the session goes on', async () => {
  const run = await attack(
    fixture,
    'resources',
    `version: 1
files: { read: ["*"], write: ["*"] }
commands:
  allow: ["*"]
limits: { processes: 64, file_size: 10MiB, command_time: 20s }
`,
    [
      shell("bash -c ':(){ :|:& };:; sleep 60'", 3000),
      shell('echo alive'),
      shell('head -c 5G /dev/zero > big'),
    ],
  );
  assert.equal(run.code, 0, run.stderr);
  const bomb = run.call(0).finished;
  assert.ok(bomb, 'the fork bomb is recorded');
  assert.equal(bomb.ok, false);
  assert.equal(bomb.command?.timedOut, true);
  assert.match(bomb.output, /fork: .*Resource temporarily unavailable/, 'the process limit held');
  assert.ok(bomb.durationMs < 15_000, `ended in ${bomb.durationMs} ms`);

  const alive = run.call(1).finished;
  assert.equal(alive?.command?.exitCode, 0, alive?.output);
  assert.match(alive?.output ?? '', /alive/);

  const big = run.call(2).finished;
  // A shell call that ran is `ok` whatever its exit status; the status tells what happened.
  assert.notEqual(big?.command?.exitCode, 0);
  assert.match(big?.output ?? '', /File size limit exceeded/);
  const path = join(fixture.repo, 'big');
  assert.ok(!existsSync(path) || statSync(path).size <= 10 * 1024 * 1024, 'big is at most 10 MiB');
});

const ASK_POLICY = `version: 1
files: { read: ["*"], write: ["*"] }
commands:
  allow: ["echo *"]
`;

test('headless --approvals deny: a command that would need a human is not run', async () => {
  const run = await attack(
    fixture,
    'approvals-deny',
    ASK_POLICY,
    [shell('touch asked-deny')],
    ['--approvals', 'deny'],
  );
  assert.equal(run.code, 0, run.stderr);
  const { decided, started, finished } = run.call(0);
  // The command, then the file it makes, judged as a write.
  assert.deepEqual(
    decided.map((d) => [d.decision, d.policies]),
    [
      ['ask', ['default.commands.unmatched']],
      ['allow', ['files.write[0]']],
    ],
  );
  assert.equal(started, false);
  assert.equal(finished?.ok, false);
  assert.match(finished?.output ?? '', /not approved/);
  assert.equal(existsSync(join(fixture.repo, 'asked-deny')), false);
});

test('headless --approvals fail: the session ends with exit 1 and approval.required', async () => {
  const run = await attack(
    fixture,
    'approvals-fail',
    ASK_POLICY,
    [shell('touch asked-fail'), shell('echo after')],
    ['--approvals', 'fail'],
  );
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.call(0).started, false);
  const report = run.events.find(
    (e): e is EventOf<'session.finished'> => e.type === 'session.finished',
  )?.report;
  assert.equal(report?.status, 'failed');
  assert.equal(report?.error?.code, 'approval.required');
  assert.equal(existsSync(join(fixture.repo, 'asked-fail')), false);
  assert.equal(
    run.events.some((e) => e.type === 'tool.requested' && JSON.stringify(e.args).includes('after')),
    false,
    'nothing after the failed approval was attempted',
  );
});
