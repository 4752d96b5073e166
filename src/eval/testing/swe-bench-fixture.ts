import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** test/fixtures/swe-bench-lite: one instance in SWE-bench Lite's JSONL, and its project's files. */
export const SWE_BENCH_FIXTURE = resolve(import.meta.dirname, '../../../test/fixtures/swe-bench-lite');
export const SWE_BENCH_SUITE = join(SWE_BENCH_FIXTURE, 'instances.jsonl');

export interface FixtureRepository {
  /** The clone's directory: `REPOS/warden-fixtures__humanize`, as SWE-bench's tooling names them. */
  dir: string;
  base: string;
  /** The upstream fix (the instance's `patch` and `test_patch`), committed after the base. */
  fix: string;
}

function identity(date: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Dana Reyes',
    GIT_AUTHOR_EMAIL: 'dana@example.org',
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: 'Dana Reyes',
    GIT_COMMITTER_EMAIL: 'dana@example.org',
    GIT_COMMITTER_DATE: date,
  };
}

/**
 * The instance's repository, built under `repos` as its history went: the release (the instance's
 * `base_commit`: the same id on every machine, from fixed names and dates), then the fix.
 */
export function buildFixtureRepository(repos: string): FixtureRepository {
  const dir = join(repos, 'warden-fixtures__humanize');
  mkdirSync(dir, { recursive: true });
  cpSync(join(SWE_BENCH_FIXTURE, 'repo'), dir, { recursive: true });
  const run = (args: string[], date: string) =>
    execFileSync('git', args, { cwd: dir, env: identity(date), encoding: 'utf8' }).trim();
  run(['init', '--quiet', '--template=', '--initial-branch=main'], '');
  run(['add', '--all'], '');
  run(['commit', '--quiet', '-m', 'Release 4.6.0'], '2023-03-14T09:21:07Z');
  const base = run(['rev-parse', 'HEAD'], '');
  const line = JSON.parse(readFileSync(SWE_BENCH_SUITE, 'utf8')) as { patch: string; test_patch: string };
  for (const [name, patch] of [
    ['fix.diff', line.patch],
    ['test.diff', line.test_patch],
  ] as const) {
    writeFileSync(join(repos, name), patch);
    run(['apply', join(repos, name)], '');
  }
  run(
    ['commit', '--quiet', '--all', '-m', 'Fix naturalsize at exactly one unit (#98)'],
    '2023-03-15T16:02:44Z',
  );
  return { dir, base, fix: run(['rev-parse', 'HEAD'], '') };
}
