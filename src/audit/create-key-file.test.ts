import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLocalKeyWrapper } from './key-wrapper.ts';
import { createLocalSigner } from './signer.ts';

test('many sessions starting at once on a fresh key directory all get the one key, never a half-written file', async () => {
  for (let round = 0; round < 5; round++) {
    const keyDir = mkdtempSync(join(tmpdir(), 'warden-keys-'));
    const wrappers = await Promise.all(Array.from({ length: 40 }, () => createLocalKeyWrapper({ keyDir })));
    const sealed = await wrappers[0]?.newDataKey('s1');
    assert.ok(sealed);
    for (const wrapper of wrappers)
      assert.deepEqual(await wrapper.unwrap(sealed.wrapped, 's1'), sealed.dataKey);
    const signers = await Promise.all(Array.from({ length: 20 }, () => createLocalSigner({ keyDir })));
    assert.equal(new Set(signers.map((signer) => signer.keyId)).size, 1);
  }
});
