import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { lastErrorLines } from './server-stderr.ts';

describe('lastErrorLines', () => {
  it('quotes the error of a Node crash, not its stack frames, caret or version banner', () => {
    const stderr = [
      'file:///opt/mcp/db/index.js:12',
      "  throw new Error('DATABASE_URL is not set');",
      '  ^',
      '',
      'Error: DATABASE_URL is not set',
      '    at file:///opt/mcp/db/index.js:12:9',
      '    at ModuleJob.run (node:internal/modules/esm/module_job:271:25)',
      '',
      'Node.js v24.11.1',
      '',
    ].join('\n');
    assert.equal(
      lastErrorLines(stderr),
      "file:///opt/mcp/db/index.js:12 | throw new Error('DATABASE_URL is not set'); | Error: DATABASE_URL is not set",
    );
  });

  it('keeps the last line of a Python traceback', () => {
    const stderr =
      'Traceback (most recent call last):\n  File "server.py", line 3, in <module>\nKeyError: \'TOKEN\'\n';
    assert.match(lastErrorLines(stderr), /KeyError: 'TOKEN'$/);
  });

  it('is always one bounded line without control characters, whatever the server wrote', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 4000 }), (stderr) => {
        const quoted = lastErrorLines(stderr);
        assert.ok(quoted.length <= 500);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be absent
        assert.doesNotMatch(quoted, /[\u0000-\u001f\u007f-\u009f]/);
      }),
    );
  });
});
