import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { checkoutForGrading } from './graded-checkout.ts';

// The contestant's change, whatever its files are called, reaches the fresh checkout byte for byte;
// what the base ignores, and every timestamp, does not.

const GIT = ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false'];

/** A path segment: spaces, quotes, backslashes, colons, globs, non-ASCII, a newline; never `.git`. */
const segment = fc
  .stringMatching(/^[a-zA-Z0-9 "'\\:*?[\]é\u00e9\u4e2d\n_-]{1,12}$/)
  .filter((name) => name !== '.' && name !== '..' && name.toLowerCase() !== '.git' && name !== 'ignored');

describe('the fresh checkout the grader grades', () => {
  let dir: string;
  let count = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'warden-graded-checkout-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A repository at a base commit that ignores `ignored/`. */
  const base = () => {
    const root = join(dir, String(++count), 'ws');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, '.gitignore'), 'ignored/\n');
    writeFileSync(join(root, 'kept.txt'), 'base\n');
    execFileSync('git', ['init', '-q'], { cwd: root });
    execFileSync('git', [...GIT, 'add', '-A'], { cwd: root });
    execFileSync('git', [...GIT, 'commit', '-qm', 'base'], { cwd: root });
    return {
      root,
      commit: execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(),
    };
  };

  it('every file the contestant adds or changes arrives, byte for byte; ignored files and mtimes do not', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.array(segment, { minLength: 1, maxLength: 3 }), {
          minLength: 1,
          maxLength: 6,
          selector: (parts) => parts[0],
        }),
        fc.uint8Array({ maxLength: 64 }),
        async (paths, bytes) => {
          const { root, commit } = base();
          const files = paths.map((parts) => parts.join('/'));
          for (const file of files) {
            mkdirSync(dirname(join(root, file)), { recursive: true });
            writeFileSync(join(root, file), Buffer.concat([Buffer.from(file), Buffer.from(bytes)]));
          }
          writeFileSync(join(root, 'kept.txt'), 'changed\n');
          mkdirSync(join(root, 'ignored'));
          writeFileSync(join(root, 'ignored/build'), 'stale');
          utimesSync(join(root, 'kept.txt'), new Date('2099-01-01'), new Date('2099-01-01'));
          const scratch = mkdtempSync(join(dir, 'scratch-'));
          const graded = await checkoutForGrading(root, {
            baseCommit: commit,
            scratch,
            setup: async () => {},
          });
          assert.equal(graded.dropped, undefined);
          for (const file of files) {
            assert.deepEqual(
              readFileSync(join(root, file)),
              Buffer.concat([Buffer.from(file), Buffer.from(bytes)]),
              JSON.stringify(file),
            );
          }
          assert.equal(readFileSync(join(root, 'kept.txt'), 'utf8'), 'changed\n');
          assert.ok(statSync(join(root, 'kept.txt')).mtime.getFullYear() < 2099);
          assert.equal(existsSync(join(root, 'ignored')), false);
          assert.equal(
            readFileSync(join(graded.left, 'ignored/build'), 'utf8'),
            'stale',
            'the work tree moved aside',
          );
        },
      ),
      { numRuns: 15 },
    );
  });
});
