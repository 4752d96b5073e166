import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WardenError } from '../errors.ts';
import { createRedactor } from '../guard/redactor.ts';
import { keepHeadAndTail, splitBudget } from './head-tail.ts';
import { createShellTool } from './shell.ts';
import { fakeSandbox } from './test-workspace.ts';
import type { ToolContext } from './types.ts';

function contextWith(sandbox: ReturnType<typeof fakeSandbox>, progress?: (m: string) => void): ToolContext {
  return {
    workspace: {} as ToolContext['workspace'],
    sandbox,
    signal: new AbortController().signal,
    ...(progress ? { progress } : {}),
  };
}

describe('shell', () => {
  const tool = createShellTool();

  test('runs bash -c through the sandbox with the default timeout and reports exit code, stdout, stderr', async () => {
    const sandbox = fakeSandbox(() => ({
      exitCode: 1,
      stdout: 'ok 1\nnot ok 2\n',
      stderr: 'boom\n',
      durationMs: 42,
    }));
    const progress: string[] = [];
    const result = await tool.execute(
      { command: 'npm test' },
      contextWith(sandbox, (m) => progress.push(m)),
    );
    assert.deepEqual(sandbox.requests[0]?.argv, ['bash', '-c', 'npm test']);
    assert.equal(sandbox.requests[0]?.timeoutMs, 120_000);
    assert.equal(result.output, 'exit code: 1\n[stdout]\nok 1\nnot ok 2\n[stderr]\nboom');
    assert.equal(result.isError, undefined, 'a failing command is a result, not a tool error');
    assert.deepEqual(result.command, { command: 'npm test', exitCode: 1, timedOut: false, durationMs: 42 });
    assert.deepEqual(progress, ['running npm test']);
    assert.equal(result.source, 'shell: npm test', 'command output is labelled as content for the model');
  });

  test('a command with quotes and $() reaches bash as one argv element, untouched', async () => {
    const sandbox = fakeSandbox();
    const command = `echo "$(whoami)" 'a b' ; ls -- -x`;
    await tool.execute({ command }, contextWith(sandbox));
    assert.deepEqual(sandbox.requests[0]?.argv, ['bash', '-c', command]);
  });

  test('a timeout above the maximum is clamped and the model is told', async () => {
    const sandbox = fakeSandbox();
    const result = await tool.execute({ command: 'make', timeout_ms: 900_000 }, contextWith(sandbox));
    assert.equal(sandbox.requests[0]?.timeoutMs, 600_000);
    assert.match(result.output, /\[timeout_ms 900000 is above the maximum of 600000; used 600000\]/);
    assert.equal(result.output.split('\n')[2], '(no output)');
  });

  test('a timeout is stated plainly and is a tool error', async () => {
    const sandbox = fakeSandbox(() => ({
      exitCode: null,
      signal: 'SIGKILL',
      timedOut: true,
      stdout: 'partial\n',
    }));
    const result = await tool.execute({ command: 'sleep 999', timeout_ms: 5_000 }, contextWith(sandbox));
    assert.equal(result.isError, true);
    assert.match(result.output, /^timed out after 5 s and was stopped; pass a larger timeout_ms/);
    assert.match(result.output, /\[stdout\]\npartial/);
    assert.equal(result.command?.timedOut, true);
    assert.equal(result.command?.exitCode, null);
  });

  test('long output keeps the head and the tail with a notice of what was left out', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `test ${i} passed`);
    lines.push('# tests 5000, fail 0');
    const sandbox = fakeSandbox(() => ({ stdout: `${lines.join('\n')}\n` }));
    const result = await tool.execute({ command: 'npm test' }, contextWith(sandbox));
    assert.ok(
      Buffer.byteLength(result.output) <= 30 * 1024 + 200,
      `${Buffer.byteLength(result.output)} bytes`,
    );
    assert.match(result.output, /\[stdout\]\ntest 0 passed\n/);
    assert.match(result.output, /# tests 5000, fail 0$/);
    const omitted = /\[… (\d+) bytes omitted …\]/.exec(result.output);
    assert.ok(omitted, 'a middle notice');
    assert.equal(result.details?.stdoutOmittedBytes, Number(omitted[1]));
  });

  test('a secret across the head/tail cut is redacted whole, leaving no unmatchable half', async () => {
    const token = `ghp_${'Zq9'.repeat(12)}`;
    // One long line, so the head is cut at 40% of the budget, in the middle of the token.
    const stdout = `${'x '.repeat(6_140)}${token} ${'y'.repeat(100_000)}\n`;
    const sandbox = fakeSandbox(() => ({ stdout }));
    const redactor = createRedactor();
    const result = await tool.execute(
      { command: 'cat big.log' },
      { ...contextWith(sandbox), redact: redactor.redact },
    );
    assert.match(result.output, /\[… \d+ bytes omitted …\]/, 'the output was cut');
    assert.ok(!result.output.includes('ghp_Zq9'), 'no fragment of the token survives the cut');
    assert.ok(!redactor.redact(result.output).includes('Zq9Zq9'), 'nor after the model-bound redaction');
  });

  test('a big stdout does not crowd out a small stderr', async () => {
    const sandbox = fakeSandbox(() => ({
      stdout: 'o'.repeat(100_000),
      stderr: 'the real error\n',
      exitCode: 2,
    }));
    const result = await tool.execute({ command: 'build' }, contextWith(sandbox));
    assert.match(result.output, /\[stderr\]\nthe real error$/);
  });

  test('a sandbox refusal comes back as a tool error; other failures throw', async () => {
    const denied = fakeSandbox(() => {
      throw new WardenError('sandbox.unavailable', 'bubblewrap is not installed');
    });
    const result = await tool.execute({ command: 'ls' }, contextWith(denied));
    assert.equal(result.isError, true);
    assert.match(result.output, /the command did not run: bubblewrap is not installed/);
    assert.equal(result.source, undefined, "Warden's own message, not command output");
    const broken = fakeSandbox(() => {
      throw new TypeError('bug');
    });
    await assert.rejects(tool.execute({ command: 'ls' }, contextWith(broken)), TypeError);
  });
});

describe('keepHeadAndTail', () => {
  test('text within the budget is unchanged', () => {
    assert.deepEqual(keepHeadAndTail('short', 100), { text: 'short', omitted: 0 });
  });

  test('never splits a multi-byte character', () => {
    const text = 'é'.repeat(1000);
    const { text: kept, omitted } = keepHeadAndTail(text, 101);
    assert.ok(!kept.includes('\uFFFD'));
    assert.ok(omitted > 0);
    assert.equal(Buffer.byteLength(kept.replace(/\n?\[… \d+ bytes omitted …\]\n/, '')) + omitted, 2000);
  });

  test('cuts at line ends when one is near', () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(3, '0')}`).join('\n');
    const { text: kept } = keepHeadAndTail(text, 200);
    for (const line of kept.split('\n')) assert.match(line, /^line \d{3}$|^\[… \d+ bytes omitted …\]$/);
  });
});

test('splitBudget gives the small stream all it has and the large one the rest', () => {
  assert.deepEqual(splitBudget(10, 20, 100), [10, 20]);
  assert.deepEqual(splitBudget(1000, 10, 100), [90, 10]);
  assert.deepEqual(splitBudget(10, 1000, 100), [10, 90]);
  assert.deepEqual(splitBudget(1000, 1000, 100), [50, 50]);
});
