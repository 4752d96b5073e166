/**
 * The real third-party clients, pinned as dev dependencies, against the gateway whose upstream
 * is the scripted model: Codex CLI over the Responses API, Claude Code over the Messages API.
 * Each runs one tool call and a final answer, which proves the wire format the binaries parse,
 * not just what we believe it is. No network: both get loopback URLs and telemetry off.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startTestGateway } from '../src/gateway/testing/gateway-fixture.ts';

const BIN = new URL('../node_modules/.bin/', import.meta.url).pathname;

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(BIN, command), args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('real agents through the gateway', { concurrency: true }, () => {
  it('Codex CLI runs a scripted exec_command and finishes, over /v1/responses', {
    skip: !existsSync(join(BIN, 'codex')),
  }, async () => {
    const t = await startTestGateway({
      scripts: {
        'codex.json': [
          {
            text: 'Writing the file.',
            calls: [{ tool: 'exec_command', args: { cmd: 'echo made-by-codex > out.txt' } }],
          },
          { text: 'Done: wrote out.txt.' },
        ],
      },
      default: 'script:codex.json',
    });
    after(() => t.close());
    const home = join(t.dir, 'home');
    const work = join(t.dir, 'work');
    mkdirSync(join(home, '.codex'), { recursive: true });
    mkdirSync(work);
    writeFileSync(
      join(home, '.codex', 'config.toml'),
      [
        'model = "gpt-5-codex"',
        'model_provider = "warden"',
        '[model_providers.warden]',
        'name = "Warden gateway"',
        `base_url = "${t.gateway.openaiBaseUrl}"`,
        'env_key = "WARDEN_GATEWAY_KEY"',
        'wire_api = "responses"',
        '[analytics]',
        'enabled = false',
      ].join('\n'),
    );
    const result = await run(
      'codex',
      ['exec', '--skip-git-repo-check', '-s', 'danger-full-access', 'write out.txt'],
      { cwd: work, env: { HOME: home, CODEX_HOME: join(home, '.codex'), WARDEN_GATEWAY_KEY: t.key } },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(join(work, 'out.txt'), 'utf8'), 'made-by-codex\n');
    assert.match(result.stdout, /Done: wrote out\.txt\./);
    const calls = t.records.filter((call) => call.api === 'openai.responses');
    assert.equal(calls.length, 2, JSON.stringify(t.records));
    assert.ok(calls.every((call) => call.status === 200 && call.owner === 'tester' && call.stream));
  });

  it('Claude Code runs a scripted Bash call and finishes, over /v1/messages', {
    skip: !existsSync(join(BIN, 'claude')),
  }, async () => {
    const t = await startTestGateway({
      scripts: {
        'claude.json': [
          {
            text: 'Writing the file.',
            calls: [
              { tool: 'Bash', args: { command: 'echo made-by-claude > out.txt', description: 'write' } },
            ],
          },
          { text: 'Done: wrote out.txt.' },
        ],
      },
      default: 'script:claude.json',
    });
    after(() => t.close());
    const home = join(t.dir, 'home');
    const work = join(t.dir, 'work');
    mkdirSync(home);
    mkdirSync(work);
    const result = await run('claude', ['-p', 'write out.txt', '--allowedTools', 'Bash'], {
      cwd: work,
      env: {
        HOME: home,
        ANTHROPIC_BASE_URL: t.gateway.url,
        ANTHROPIC_API_KEY: t.key,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_ERROR_REPORTING: '1',
      },
    });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.equal(readFileSync(join(work, 'out.txt'), 'utf8'), 'made-by-claude\n');
    assert.match(result.stdout, /Done: wrote out\.txt\./);
    const calls = t.records.filter((call) => call.api === 'anthropic.messages');
    assert.equal(calls.length, 2, JSON.stringify(t.records));
    assert.ok(calls.every((call) => call.status === 200 && call.owner === 'tester'));
  });
});
