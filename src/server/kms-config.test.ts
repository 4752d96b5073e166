import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadServerConfig } from './config.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-kms-config-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function load(yaml: string) {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, yaml);
  return { file, load: () => loadServerConfig(file) };
}

test('audit_keys: puts either key in KMS, each remembering its line; without it both keys are files', async () => {
  assert.equal((await load('models: []\n')).load().auditKeys, undefined);
  const { file, load: read } = await load(
    [
      'models: []',
      'audit_keys:',
      '  signer: { kms_key_id: alias/warden-audit, region: eu-west-1 }',
      '  key_wrapper:',
      '    kms_key_id: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      '    endpoint: https://kms-fips.eu-west-1.amazonaws.com',
      '',
    ].join('\n'),
  );
  assert.deepEqual(read().auditKeys, {
    signer: { keyId: 'alias/warden-audit', region: 'eu-west-1', where: `${file}:3:3` },
    keyWrapper: {
      keyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      endpoint: 'https://kms-fips.eu-west-1.amazonaws.com',
      where: `${file}:4:3`,
    },
  });
  const signerOnly = await load('audit_keys:\n  signer: { kms_key_id: k }\n');
  assert.deepEqual(Object.keys(signerOnly.load().auditKeys ?? {}), ['signer']);
});

test('a mistake in audit_keys: is one line naming file, line and key', async () => {
  const cases: Array<[string, RegExp]> = [
    [
      'audit_keys:\n  signer: { key_id: k }\n',
      /audit_keys\.signer\.kms_key_id names a key id, key ARN or alias/,
    ],
    [
      'audit_keys:\n  signer: { kms_key_id: k, key_id: k }\n',
      /"audit_keys\.signer\.key_id" is not a known key/,
    ],
    ['audit_keys:\n  signer: { kms_key_id: "" }\n', /audit_keys\.signer\.kms_key_id names a key id/],
    ['audit_keys:\n  key_wrapper: { kms_key_id: k, region: Ireland }\n', /region is an AWS region/],
    ['audit_keys:\n  wrapper: { kms_key_id: k }\n', /"audit_keys\.wrapper" is not a known key/],
    ['audit_keys:\n  signer: { kms_key_id: k, endpoint: "not a url" }\n', /audit_keys\.signer\.endpoint/],
  ];
  for (const [yaml, message] of cases) {
    const { file, load: read } = await load(yaml);
    assert.throws(read, (error: Error & { where?: string; code?: string }) => {
      assert.equal(error.code, 'server.config');
      assert.match(error.message, message);
      assert.match(error.where ?? '', new RegExp(`^${file.replaceAll('.', '\\.')}:2:`));
      return true;
    });
  }
});
