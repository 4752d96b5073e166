import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/** Runs git as a test's setup step, with an identity for commits; fails the test when git does. */
export function gitCli(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
    cwd,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}
