import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { isWardenError } from '../errors.ts';
import { parseGitHubConfig, routeOf } from './config.ts';

async function read(text: string) {
  const dir = await mkdtemp(join(tmpdir(), 'github-config-'));
  const file = join(dir, 'server.yaml');
  await writeFile(file, text);
  try {
    return parseGitHubConfig(parse(text).github, file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('github: routes repositories to teams and policies; the first match wins; owner/* matches the rest', async () => {
  const config = await read(`github:
  app_id: 42
  private_key_file: keys/app.pem
  repositories:
    - { repository: Acme/API, team: backend, policy: strict }
    - { repository: acme/*, team: platform }
`);
  assert.ok(config);
  assert.equal(config.appId, '42');
  assert.match(config.privateKeyFile, /\/keys\/app\.pem$/);
  assert.equal(config.webhookSecretEnv, 'WARDEN_GITHUB_WEBHOOK_SECRET');
  assert.equal(routeOf(config, 'acme/api')?.team, 'backend');
  assert.equal(routeOf(config, 'ACME/web')?.policy, 'default');
  assert.equal(routeOf(config, 'other/api'), undefined);
  assert.equal(await read('models: []\n'), undefined);
});

test('a wrong github: section names the key and its line', async () => {
  const cases: Array<[string, RegExp, RegExp]> = [
    [
      'github:\n  app_id: 1\n  private_key_file: k\n  repositories: []\n',
      /repositories names at least one/,
      /:4:/,
    ],
    [
      'github:\n  app_id: 1\n  private_key_file: k\n  secret: x\n  repositories: [{repository: a/b, team: t}]\n',
      /"github\.secret" is not a known key/,
      /:4:/,
    ],
    [
      'github:\n  app_id: 1\n  private_key_file: k\n  repositories:\n    - { repository: "a/b/c", team: t }\n',
      /owner\/name or owner\/\*/,
      /:5:/,
    ],
    [
      'github:\n  app_id: one\n  private_key_file: k\n  repositories: [{repository: a/b, team: t}]\n',
      /app_id/,
      /:2:/,
    ],
  ];
  for (const [text, message, line] of cases) {
    await assert.rejects(read(text), (error) => {
      assert.ok(isWardenError(error));
      assert.match(error.message, message);
      assert.match(error.describe(), line);
      return true;
    });
  }
});
