import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createBwrapSandbox } from './bwrap.ts';
import type { Sandbox } from './types.ts';

// Skipped only when bubblewrap is not installed at all; if it is installed but cannot build the
// sandbox, these tests must fail, not skip (CI installs it).
const missing = spawnSync('bwrap', ['--version']).error ? 'bubblewrap (bwrap) is not installed' : false;

describe('bubblewrap sandbox: what a hostile command can observe', { skip: missing }, () => {
  let root: string;
  let workspace: string;
  let sandbox: Sandbox;
  const sh = (script: string, extra: { env?: Record<string, string> } = {}) =>
    sandbox.run({ argv: ['bash', '-c', script], timeoutMs: 15_000, ...extra });

  before(() => {
    root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'warden-bwrap-')));
    workspace = path.join(root, 'ws');
    mkdirSync(workspace);
    sandbox = createBwrapSandbox({ workspace });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('writes inside the workspace land on the host', async () => {
    const result = await sh('echo hello > out.txt && mkdir -p sub && echo nested > sub/file');
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(readFileSync(path.join(workspace, 'out.txt'), 'utf8'), 'hello\n');
    assert.equal(readFileSync(path.join(workspace, 'sub/file'), 'utf8'), 'nested\n');
  });

  it('cannot write anywhere outside the workspace, directly or through a symlink', async () => {
    const targets = [
      '/etc/x',
      '/usr/x',
      '/x',
      '$HOME/../x',
      '/tmp/../x',
      'link/escaped',
      '/proc/x',
      '/dev/x',
    ];
    const script = [
      'ln -s /etc link',
      ...targets.map((t) => `(echo owned > "${t}") 2>/dev/null && echo "WROTE ${t}"`),
      'true',
    ].join('\n');
    const result = await sh(script);
    assert.equal(result.stdout, '');
    assert.ok(!existsSync('/etc/x') && !existsSync('/usr/x') && !existsSync('/etc/escaped'));
  });

  it("cannot reach the workspace's parent on the host", async () => {
    writeFileSync(path.join(root, 'sibling-secret'), 'next to the workspace\n');
    // This workspace lies under /tmp, so inside the sandbox its parent is part of the sandbox's
    // own scratch tmpfs: the write may succeed there, and must never reach the host's directory.
    const result = await sh(`echo owned > ${root}/escaped; ls -A ${root}; cat ${root}/sibling-secret`);
    assert.ok(!existsSync(path.join(root, 'escaped')), 'the host directory above the workspace was written');
    assert.doesNotMatch(result.stdout, /sibling-secret|next to the workspace/);
  });

  it('gets an empty HOME of its own, and sees no host home, /root or credential directory', async () => {
    // A stand-in for the user's home with secrets, somewhere the sandbox is not given.
    const fakeHome = path.join(root, 'home');
    mkdirSync(path.join(fakeHome, '.aws'), { recursive: true });
    writeFileSync(path.join(fakeHome, '.aws/credentials'), 'aws_secret_access_key=LEAKED\n');
    const result = await sh(
      [
        'echo "HOME=$HOME"',
        'echo "home-entries=$(ls -A "$HOME" | wc -l)"',
        'echo "slash-home=$(ls -A /home)"',
        `cat ${fakeHome}/.aws/credentials 2>/dev/null`,
        `cat ${path.resolve('package.json')} 2>/dev/null`,
        'for p in /root /root/.ssh /var /run /etc/shadow /etc/ssh /etc/ssl/private /etc/npmrc /etc/gitconfig; do',
        '  test -e "$p" && echo "VISIBLE $p"',
        'done; true',
      ].join('\n'),
    );
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(
      result.stdout,
      'HOME=/home/warden\nhome-entries=0\nslash-home=warden\n',
      'no secret, no Warden source, no host path',
    );
  });

  it('has no network: a server on the host loopback is unreachable and sees nothing', async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const result = await sh(`exec 3<>/dev/tcp/127.0.0.1/${port} && echo CONNECTED`);
      assert.notEqual(result.exitCode, 0);
      assert.doesNotMatch(result.stdout, /CONNECTED/);
      assert.equal(connections, 0);
    } finally {
      server.close();
    }
  });

  it('still has a loopback of its own, so a project can test against a local server', async () => {
    const script = `const s=require('net').createServer(c=>c.end('pong')).listen(0,'localhost',()=>{
      require('net').connect(s.address().port,'localhost').on('data',d=>{console.log(String(d));s.close()})})`;
    const result = await sandbox.run({ argv: ['node', '-e', script], timeoutMs: 15_000 });
    assert.equal(result.stdout, 'pong\n', result.stderr);
  });

  it("does not see Warden's environment, and drops LD_PRELOAD and NODE_OPTIONS passed with the request", async () => {
    process.env.WARDEN_TEST_SECRET = 'sk-warden-test-secret';
    try {
      const result = await sandbox.run({
        argv: ['env'],
        env: { LD_PRELOAD: '/tmp/evil.so', NODE_OPTIONS: '--require /tmp/evil.js', PROJECT_FLAG: 'on' },
        timeoutMs: 15_000,
      });
      assert.equal(result.exitCode, 0, result.stderr);
      assert.doesNotMatch(result.stdout, /sk-warden-test-secret|WARDEN_TEST_SECRET/);
      assert.doesNotMatch(result.stdout, /^(LD_PRELOAD|NODE_OPTIONS)=/m);
      assert.match(result.stdout, /^PROJECT_FLAG=on$/m);
      assert.match(result.stdout, /^HOME=\/home\/warden$/m);
    } finally {
      delete process.env.WARDEN_TEST_SECRET;
    }
  });

  it("runs Warden's own Node as `node`", async () => {
    const result = await sandbox.run({ argv: ['node', '-v'], timeoutMs: 15_000 });
    assert.equal(result.stdout.trim(), process.version);
  });

  it('sees only its own processes: /proc/1 is the sandbox init and its environ holds no host secret', async () => {
    process.env.WARDEN_TEST_SECRET = 'sk-warden-test-secret';
    try {
      const result = await sh(
        'echo "comm=$(cat /proc/1/comm)"; tr "\\0" "\\n" < /proc/1/environ; ls /proc | grep -c "^[0-9]"',
      );
      assert.equal(result.exitCode, 0, result.stderr);
      assert.match(result.stdout, /^comm=bwrap$/m);
      assert.doesNotMatch(result.stdout, /sk-warden-test-secret|^PATH=\/root/m);
      const count = Number(result.stdout.trim().split('\n').at(-1));
      assert.ok(count < 10, `the sandbox sees ${count} processes`);
    } finally {
      delete process.env.WARDEN_TEST_SECRET;
    }
  });

  it('runs as an unprivileged user with no capabilities and cannot nest user namespaces', async () => {
    const result = await sh(
      'id -u; grep CapEff /proc/self/status; unshare -U true 2>/dev/null && echo NESTED; true',
    );
    assert.equal(result.stdout, '1000\nCapEff:\t0000000000000000\n');
  });

  it('leaks no descriptor Warden inherited without close-on-exec', async () => {
    // A parent that left descriptor 40 open on a host file (shell redirections are not
    // close-on-exec; Node itself closes low ones on exec), then started Warden.
    const hostFile = path.join(root, 'host-only-file');
    writeFileSync(hostFile, 'host data\n');
    const bwrapUrl = pathToFileURL(path.resolve('src/sandbox/bwrap.ts')).href;
    const code = `
      const { createBwrapSandbox } = await import(${JSON.stringify(bwrapUrl)});
      const sandbox = createBwrapSandbox({ workspace: ${JSON.stringify(workspace)} });
      const result = await sandbox.run({ argv: ['bash', '-c', 'readlink /proc/self/fd/40; cat <&40'], timeoutMs: 15000 });
      process.stdout.write(result.stdout);`;
    const child = spawn(
      'bash',
      ['-c', 'exec 40<"$0"; exec "$1" --input-type=module -e "$2"', hostFile, process.execPath, code],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
    });
    await new Promise((resolve) => child.on('close', resolve));
    assert.equal(out, '/dev/null\n');
  });
});
