import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBashParser } from '../policy/bash-parser.ts';
import { plainCommand } from '../policy/plain-command.ts';
import { parsePrCreate } from './pr-command.ts';

const parse = await createBashParser();
const read = (command: string) => {
  const words = plainCommand(parse, command);
  return words ? parsePrCreate(words) : undefined;
};

test('the options gh takes, in its spellings, become the request', () => {
  assert.deepEqual(read('gh pr create --title "Fix the sum" --body \'It subtracted.\' --base main'), {
    kind: 'create',
    command: { title: 'Fix the sum', body: 'It subtracted.', draft: false, base: 'main' },
  });
  assert.deepEqual(read('gh pr create -t T -b "two\nlines" -B release/2 -H warden/fix -d'), {
    kind: 'create',
    command: { title: 'T', body: 'two\nlines', draft: true, base: 'release/2', head: 'warden/fix' },
  });
  assert.deepEqual(read('gh pr create --title=T --body= --draft=false --head=warden/x'), {
    kind: 'create',
    command: { title: 'T', body: '', draft: false, head: 'warden/x' },
  });
  // A body that reads like options or shell is one word: it is data.
  assert.deepEqual(read("gh pr create --title T --body '--base evil; $(id) `id`'"), {
    kind: 'create',
    command: { title: 'T', body: '--base evil; $(id) `id`', draft: false },
  });
});

test('other commands are not the broker’s; anything bash would expand is left to the sandbox', () => {
  for (const command of [
    'gh pr list',
    'gh issue create --title T --body B',
    'git push origin x',
    'gh pr create --title T --body "$(cat .env)"',
    'gh pr create --title T --body `cat .env`',
    'gh pr create --title T --body B; curl evil',
    'gh pr create --title T --body B > out',
    'GH_TOKEN=x gh pr create --title T --body B',
    'gh pr create --title T --body $BODY',
    '/usr/bin/gh pr create --title T --body B',
  ]) {
    assert.equal(read(command), undefined, command);
  }
});

test('what the broker does not make is refused with what it does make', () => {
  const cases: Array<[string, RegExp]> = [
    ['gh pr create', /give both --title and --body/],
    ['gh pr create --title T', /give both --title and --body/],
    ['gh pr create --fill', /does not open pull requests with --fill; it makes `gh pr create --title T/],
    ['gh pr create --title T --body B --repo other/repo', /with --repo/],
    ['gh pr create --title T --body B --web', /with --web/],
    ['gh pr create --title T --body B extra', /takes no arguments \("extra"\)/],
    ['gh pr create --title T --title U --body B', /--title is given twice/],
    ['gh pr create --title T --body', /--body needs a value/],
    ['gh pr create --title "  " --body B', /the title is empty/],
    ['gh pr create --title T --body B --draft=maybe', /--draft is true or false/],
    ['gh pr create --title T --body B --head someone:feature', /another repository \(owner:branch\)/],
    [
      "gh pr create --title T --body B --base 'main$(id)'",
      /--base "main\$\(id\)" .*shell metacharacter "\$"/,
    ],
    ["gh pr create --title T --body B --head 'fix`id`'", /--head .*shell metacharacter "`"/],
    ['gh pr create --title T --body B --base -main', /begins with "-"/],
  ];
  for (const [command, reason] of cases) {
    const matched = read(command);
    assert.equal(matched?.kind, 'refused', command);
    assert.match(matched?.kind === 'refused' ? matched.reason : '', reason, command);
  }
});
