import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WardenError } from '../errors.ts';
import { createBwrapSandbox } from './bwrap.ts';
import { detectSandbox } from './detect.ts';

describe('detectSandbox', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'warden-detect-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('names the install command when bwrapPath points at nothing', async () => {
    const error = await detectSandbox({ bwrapPath: path.join(root, 'no-such-bwrap') }).then(
      () => assert.fail('detected a missing binary'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof WardenError);
    assert.equal(error.code, 'sandbox.unavailable');
    assert.match(error.message, /no-such-bwrap/);
    assert.match(error.hint ?? '', /apt-get install bubblewrap/);
  });

  it('names the sysctl to set when bwrap runs but cannot create namespaces', async () => {
    // Stands in for a kernel or container that refuses unprivileged user namespaces.
    const fake = path.join(root, 'bwrap-without-userns');
    writeFileSync(
      fake,
      '#!/bin/sh\ncase "$1" in\n  --version) echo "bubblewrap 0.8.0";;\n  --help) echo "usage";;\n' +
        '  *) echo "bwrap: setting up uid map: Permission denied" >&2; exit 1;;\nesac\n',
    );
    chmodSync(fake, 0o755);
    const error = await detectSandbox({ bwrapPath: fake }).then(
      () => assert.fail('detected a bwrap that cannot sandbox'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof WardenError);
    assert.equal(error.code, 'sandbox.unavailable');
    assert.match(error.message, /setting up uid map: Permission denied/);
    assert.match(error.hint ?? '', /kernel\.unprivileged_userns_clone=1/);
    assert.match(error.hint ?? '', /kernel\.apparmor_restrict_unprivileged_userns=0/);
  });

  it('never falls back to running the command unsandboxed', async () => {
    const workspace = mkdtempSync(path.join(root, 'ws-'));
    const sandbox = createBwrapSandbox({ workspace, bwrapPath: path.join(root, 'no-such-bwrap') });
    await assert.rejects(sandbox.run({ argv: ['touch', 'ran'], timeoutMs: 5000 }), {
      code: 'sandbox.unavailable',
    });
    assert.ok(!existsSync(path.join(workspace, 'ran')));
  });

  const missing = spawnSync('bwrap', ['--version']).error ? 'bubblewrap (bwrap) is not installed' : false;
  it('finds a working bubblewrap on this machine and what it supports', { skip: missing }, async () => {
    const info = await detectSandbox();
    assert.ok(path.isAbsolute(info.path));
    assert.match(info.version, /^bubblewrap \d/);
    assert.ok(info.layout.system.some((e) => e.path === '/usr' && e.kind === 'dir'));
    assert.ok(!info.layout.etc.includes('/etc/shadow'));
  });
});
