import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isWardenError } from '../errors.ts';
import { CONFIG_TEMPLATE, loadServerConfig, modelAllowed, policyNames } from './config.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-config-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('a first start writes the commented template and allows nothing yet', () => {
  const file = join(dir, 'fresh.yaml');
  const config = loadServerConfig(file);
  assert.ok(existsSync(file));
  assert.equal(readFileSync(file, 'utf8'), CONFIG_TEMPLATE);
  assert.deepEqual([config.repositories, config.models, config.concurrency], [[], [], 2]);
  assert.deepEqual(policyNames(config), ['default']);
});

test('paths are relative to the file; roots must exist; --concurrency overrides', async () => {
  await mkdir(join(dir, 'repos'));
  const file = join(dir, 'server.yaml');
  await writeFile(
    file,
    'repositories: [repos]\nmodels: ["script:scripts/*", "openai:gpt-5.5"]\npolicies: { strict: strict.yaml }\nconcurrency: 3\n',
  );
  const config = loadServerConfig(file, { concurrency: 8 });
  assert.deepEqual(config.repositories, [join(dir, 'repos')]);
  assert.deepEqual(config.models, [`script:${join(dir, 'scripts')}/*`, 'openai:gpt-5.5']);
  assert.equal(config.policies.strict, join(dir, 'strict.yaml'));
  assert.equal(config.concurrency, 8);
  assert.deepEqual(policyNames(config), ['default', 'strict']);

  await writeFile(file, 'repositories: [missing]\n');
  assert.throws(
    () => loadServerConfig(file),
    (e) => isWardenError(e) && /repositories\[0\]: .*missing does not exist/.test(e.message),
  );
  await writeFile(file, 'concurrency: many\n');
  assert.throws(
    () => loadServerConfig(file),
    (e) => isWardenError(e) && e.message.startsWith('concurrency:'),
  );
  await writeFile(file, 'colour: red\n');
  assert.throws(
    () => loadServerConfig(file),
    (e) => isWardenError(e) && e.code === 'server.config',
  );
});

test('a model is offered when listed exactly or under a pattern, never by climbing out of it', () => {
  const config = { models: ['script:/s/*', 'openai:gpt-5.5'] } as Parameters<typeof modelAllowed>[0];
  assert.equal(modelAllowed(config, 'openai:gpt-5.5'), true);
  assert.equal(modelAllowed(config, 'openai:gpt-5.5-pro'), false);
  assert.equal(modelAllowed(config, 'script:/s/fix.json'), true);
  assert.equal(modelAllowed(config, 'script:/s/../etc/passwd'), false);
  assert.equal(modelAllowed(config, 'script:/other.json'), false);
});

test('repository URL prefixes are checked as URLs at load; clone settings have defaults', async () => {
  const file = join(dir, 'urls.yaml');
  await writeFile(file, 'repository_urls: ["https://GIT.example.com/team/"]\nclone: { keep: true }\n');
  const config = loadServerConfig(file);
  assert.deepEqual(
    config.repositoryUrls.map((p) => p.text),
    ['https://git.example.com/team/'],
  );
  assert.deepEqual(config.clone, { depth: 1, timeoutMs: 600_000, keep: true });
  for (const [bad, message] of [
    ['https://x:ghp_1@git.example.com/', /repository_urls\[0\]: .*carries credentials/],
    ['ssh://git.example.com/', /repository_urls\[0\]: .*does not clone/],
    [`file://${dir}/nope`, /does not exist/],
  ] as const) {
    await writeFile(file, `repository_urls: [${JSON.stringify(bad)}]\n`);
    assert.throws(
      () => loadServerConfig(file),
      (e) => isWardenError(e) && message.test(e.message),
      bad,
    );
  }
});

test('mcp_servers: turns the MCP gateway on, with calls per minute per key; an error names its line', async () => {
  const file = join(dir, 'mcp.yaml');
  await writeFile(
    file,
    'mcp_servers:\n  jira: { url: "https://mcp.example.com/mcp" }\nmcp_gateway: { calls_per_minute: 30 }\n',
  );
  const config = loadServerConfig(file);
  assert.deepEqual(
    config.mcp?.servers.map((server) => [server.name, server.transport]),
    [['jira', 'http']],
  );
  assert.equal(config.mcp?.callsPerMinute, 30);
  assert.equal(loadServerConfig(join(dir, 'fresh.yaml')).mcp, undefined);

  await writeFile(file, 'models: []\nmcp_servers:\n  Jira_2: { url: "https://mcp.example.com/mcp" }\n');
  assert.throws(
    () => loadServerConfig(file),
    (error) =>
      isWardenError(error) &&
      /mcp\.yaml:3:3/.test(error.where ?? '') &&
      /"mcp_servers\.Jira_2"/.test(error.message),
  );
});
