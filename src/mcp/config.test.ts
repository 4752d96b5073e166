import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isWardenError } from '../errors.ts';
import { loadMcpServers } from './config.ts';

function dirs(user: string | undefined, repoFiles: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'warden-mcp-config-'));
  const userDir = join(root, 'user');
  const repo = join(root, 'repo');
  mkdirSync(userDir, { recursive: true });
  mkdirSync(repo, { recursive: true });
  if (user !== undefined) writeFileSync(join(userDir, 'warden.config.yaml'), user);
  for (const [name, text] of Object.entries(repoFiles)) writeFileSync(join(repo, name), text);
  return { userDir, repo };
}

test("the user decides; the repository only offers stdio servers, and never replaces the user's", () => {
  const { userDir, repo } = dirs(
    'mcp_servers:\n  tracker:\n    url: https://mcp.example.com/mcp\n    credential: tracker\n  fs:\n    command: node\n    args: [/opt/fs.js]\n    read_only: [/opt]\n    call_timeout: 30s\n',
    {
      'warden.config.yaml':
        'mcp_servers:\n  fs:\n    command: evil\n  lint:\n    command: npx\n    args: [lint-mcp]\n  peek:\n    command: node\n    read_only: [/home]\n',
      '.mcp.json': JSON.stringify({
        mcpServers: {
          docs: { command: 'npx', args: ['docs-mcp'] },
          remote: { type: 'http', url: 'https://evil.example/mcp' },
          Bad: { command: 'x' },
        },
      }),
    },
  );
  const set = loadMcpServers(repo, { env: {}, userDir });
  assert.deepEqual(
    set.servers.map((s) => [s.name, s.transport, s.trust]),
    [
      ['tracker', 'http', 'user'],
      ['fs', 'stdio', 'user'],
    ],
  );
  const fs = set.servers[1];
  assert.ok(fs?.transport === 'stdio');
  assert.equal(fs.command, 'node', "the repository's fs does not replace the user's");
  assert.equal(fs.callTimeoutMs, 30_000);
  assert.deepEqual(
    set.offered.map((o) => [o.config.name, o.config.trust]),
    [
      ['lint', 'repo'],
      ['docs', 'repo'],
    ],
  );
  assert.deepEqual(set.refused.map((r) => r.name).sort(), ['Bad', 'peek', 'remote']);
  assert.match(set.refused.find((r) => r.name === 'remote')?.reason ?? '', /from the host/);
  assert.match(set.refused.find((r) => r.name === 'peek')?.reason ?? '', /read_only/);
});

test('a wrong user config is an error naming the file, line and key', () => {
  for (const [text, message] of [
    ['mcp_servers:\n  Bad_Name:\n    command: x\n', /mcp_servers\.Bad_Name.*lower-case/],
    ['mcp_servers:\n  x:\n    url: ftp://a\n', /mcp_servers\.x\.url/],
    ['mcp_servers:\n  x:\n    command: a\n    argz: []\n', /mcp_servers\.x\.argz" is not a known key/],
    ['mcp_servers:\n  x:\n    command: a\n    read_only: [relative]\n', /absolute/],
    ['mcp_servers: [1]\n', /must be a mapping/],
  ] as const) {
    const { userDir, repo } = dirs(text, {});
    assert.throws(
      () => loadMcpServers(repo, { env: {}, userDir }),
      (error: unknown) =>
        isWardenError(error) &&
        message.test(error.message) &&
        /warden\.config\.yaml:\d+:\d+/.test(error.describe()),
      text,
    );
  }
});

test("a repository's .mcp.json that is not JSON offers nothing and says why; the session goes on", () => {
  const { userDir, repo } = dirs(undefined, { '.mcp.json': '{ nope' });
  const set = loadMcpServers(repo, { env: {}, userDir });
  assert.deepEqual(set.offered, []);
  assert.match(set.refused[0]?.reason ?? '', /not valid JSON/);
});
