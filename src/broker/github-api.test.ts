import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRedactor } from '../guard/redactor.ts';
import {
  MAX_BODY_CHARS,
  MAX_TITLE_CHARS,
  publishableText,
  pullRequestAnswer,
  repositoryRequest,
} from './github-api.ts';

const TOKEN = 'ghs_ApiToken0123456789abcdefABCDEF';

test('the request: the token in the Authorization header only, the text in JSON fields only', () => {
  const request = repositoryRequest('https://api.github.com', { owner: 'acme', repo: 'widget' }, TOKEN, {
    pulls: { title: 'Fix "sum"', body: '$(id)\n`id`', base: 'main', head: 'warden/fix', draft: true },
  });
  assert.equal(request.method, 'POST');
  assert.equal(request.url, 'https://api.github.com/repos/acme/widget/pulls');
  assert.deepEqual(request.headers, {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${TOKEN}`,
    'x-github-api-version': '2022-11-28',
    'user-agent': 'warden-broker',
    'content-type': 'application/json',
  });
  assert.deepEqual(JSON.parse(request.body ?? ''), {
    title: 'Fix "sum"',
    body: '$(id)\n`id`',
    base: 'main',
    head: 'warden/fix',
    draft: true,
  });
  assert.ok(!request.body?.includes(TOKEN));
  const lookup = repositoryRequest(
    'https://ghe.example.com/api/v3',
    { owner: 'a b', repo: 'c' },
    TOKEN,
    'repository',
  );
  assert.equal(lookup.method, 'GET');
  assert.equal(lookup.url, 'https://ghe.example.com/api/v3/repos/a%20b/c');
  assert.equal(lookup.body, undefined);
});

test('title and body are redacted before they are published, then capped', () => {
  const redactor = createRedactor();
  redactor.addKnown([{ value: TOKEN, kind: 'git-credential' }]);
  const redact = (text: string) => redactor.redact(text);
  const text = publishableText(
    { title: `leak ${TOKEN}`, body: `token: ${TOKEN}\naws: AKIAIOSFODNN7EXAMPLE\n` },
    redact,
  );
  assert.ok(!('problem' in text));
  if ('problem' in text) return;
  assert.equal(text.title, 'leak «secret:git-credential#1»');
  assert.match(text.body, /^token: «secret:git-credential#1»\naws: «secret:aws-access-key#1»\n$/);
  const problem = (title: string, body: string) => {
    const checked = publishableText({ title, body }, redact);
    return 'problem' in checked ? checked.problem : undefined;
  };
  assert.equal(problem('x'.repeat(MAX_TITLE_CHARS), 'y'.repeat(MAX_BODY_CHARS)), undefined);
  assert.match(problem('x'.repeat(MAX_TITLE_CHARS + 1), '') ?? '', /title is 257 characters; at most 256/);
  assert.match(problem('t', 'y'.repeat(MAX_BODY_CHARS + 1)) ?? '', /body is 65537 characters/);
  assert.match(problem('two\nlines', '') ?? '', /title has a line break/);
  assert.match(problem('t', 'bell\u0007') ?? '', /body has a control character/);
  assert.equal(problem('t', 'tabs\tand\r\nlines'), undefined);
});

test("the API's answer: the new pull request, or its message with what to do", () => {
  const who = { repository: 'acme/widget', credential: 'github' };
  assert.deepEqual(
    pullRequestAnswer(201, { number: 7, html_url: 'https://github.com/acme/widget/pull/7' }, who),
    {
      ok: true,
      number: 7,
      url: 'https://github.com/acme/widget/pull/7',
    },
  );
  const failed = (status: number, json: unknown) => {
    const answer = pullRequestAnswer(status, json, who);
    return answer.ok ? '' : answer.message;
  };
  assert.equal(
    failed(422, {
      message: 'Validation Failed',
      errors: [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: 'A pull request already exists for acme:warden/fix.',
        },
      ],
    }),
    'Validation Failed: A pull request already exists for acme:warden/fix. — this branch already has an open pull request; push to the branch to update it',
  );
  assert.match(
    failed(422, {
      message: 'Validation Failed',
      errors: [{ message: 'No commits between main and warden/fix' }],
    }),
    /commit and push first$/,
  );
  assert.match(
    failed(422, {
      message: 'Validation Failed',
      errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }],
    }),
    /^Validation Failed: PullRequest head invalid — check that the head branch is pushed/,
  );
  assert.match(
    failed(401, { message: 'Bad credentials' }),
    /^Bad credentials — the API refused credential "github"/,
  );
  assert.match(
    failed(403, { message: 'Resource not accessible by integration' }),
    /may not open pull requests on acme\/widget/,
  );
  assert.match(
    failed(404, { message: 'Not Found' }),
    /acme\/widget was not found, or credential "github" cannot see it/,
  );
  assert.match(failed(302, ''), /redirect, which the broker does not follow/);
  assert.equal(failed(500, '<html>oops</html>'), '<html>oops</html>');
  assert.match(failed(201, {}), /without a pull request number/);
});
