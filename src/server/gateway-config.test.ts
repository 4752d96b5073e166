import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isWardenError } from '../errors.ts';
import { loadServerConfig } from './config.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-gateway-config-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function load(text: string) {
  const file = join(dir, 'server.yaml');
  await writeFile(file, text);
  return { file, load: () => loadServerConfig(file) };
}

function refusal(fn: () => unknown): { message: string; where: string | undefined } {
  try {
    fn();
  } catch (error) {
    assert.ok(isWardenError(error), String(error));
    assert.equal(error.code, 'server.config');
    return { message: error.message, where: error.where };
  }
  assert.fail('the config was accepted');
}

test('without a gateway: section the gateway is off', async () => {
  const { load: read } = await load('models: []\n');
  assert.equal(read().gateway, undefined);
});

test('routes are read with script paths relative to the file, and each target remembers its line', async () => {
  const { file, load: read } = await load(
    [
      'models: []',
      'gateway:',
      '  default: openai:gpt-5.5',
      '  aliases:',
      '    "claude-*": script:scripts/claude.json',
      '  models: [ollama:qwen2.5-coder]',
      '',
    ].join('\n'),
  );
  const gateway = read().gateway;
  assert.deepEqual(
    { ...gateway, where: undefined },
    {
      default: 'openai:gpt-5.5',
      aliases: { 'claude-*': `script:${join(dir, 'scripts/claude.json')}` },
      models: ['ollama:qwen2.5-coder'],
      where: undefined,
    },
  );
  assert.equal(gateway?.where['openai:gpt-5.5'], `${file}:3:3`);
  assert.equal(gateway?.where['ollama:qwen2.5-coder'], `${file}:6:12`);
});

test('a misspelt key, a wrong type and an empty section are refused at file:line', async () => {
  const misspelt = await load('models: []\ngateway:\n  defualt: openai:gpt-5.5\n');
  const one = refusal(misspelt.load);
  assert.match(one.message, /"gateway.defualt" is not a known key/);
  assert.equal(one.where, `${misspelt.file}:3:3`);

  const wrong = await load('gateway:\n  default: openai:gpt-5.5\n  aliases: [a, b]\n');
  const two = refusal(wrong.load);
  assert.match(two.message, /^gateway\.aliases: /);
  assert.equal(two.where, `${wrong.file}:3:3`);

  const empty = await load('gateway:\n');
  const three = refusal(empty.load);
  assert.match(three.message, /routes no model/);
  assert.equal(three.where, `${empty.file}:1:1`);
});
