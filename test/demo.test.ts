import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { warden } from './cli.ts';

test('warden demo runs offline, shows the fix and the passing tests, and says the model was scripted', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'warden-demo-test-'));
  try {
    const result = await warden(['demo'], { cwd });
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /The model is scripted/);
    assert.match(out, /\+\s+return a \+ b;/, 'shows the diff');
    assert.match(out, /exit 1/, 'shows the failing run');
    assert.match(out, /pass 2/, 'shows the passing test run');
    assert.match(out, /status\s+finished/);
    assert.match(out, /Audit: \d+ records, hash-chained and signed .* verified intact/);
    assert.match(out, /To run a real one/);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});
