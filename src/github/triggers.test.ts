import assert from 'node:assert/strict';
import { test } from 'node:test';
import examples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import fc from 'fast-check';
import type { GitHubConfig } from './config.ts';
import { commandRequest, triggerOf } from './triggers.ts';

const config: GitHubConfig = {
  appId: '1',
  privateKeyFile: '/dev/null',
  webhookSecretEnv: 'S',
  apiUrl: 'https://api.github.com',
  webUrl: 'https://github.com',
  label: 'warden',
  command: '/warden',
  runCi: false,
  repositories: [],
};

const installed = (payload: object) => ({ ...payload, installation: { id: 42, node_id: 'x' } });

test("every one of GitHub's published example payloads is read without throwing; only the two triggers start work", () => {
  let read = 0;
  for (const { name, examples: list } of examples as Array<{ name: string; examples: object[] }>) {
    for (const example of list) {
      const result = triggerOf(name, installed(example), config);
      read++;
      if ('trigger' in result) {
        assert.ok(name === 'issues' || name === 'issue_comment', name);
      } else {
        assert.equal(typeof result.ignored, 'string');
      }
    }
  }
  assert.ok(read > 300, `only ${read} examples`);
});

test('issues.labeled starts work only for the configured label; issue_comment.created only for the command', () => {
  const issues = (examples as Array<{ name: string; examples: Array<Record<string, unknown>> }>).find(
    (e) => e.name === 'issues',
  );
  const labeled = issues?.examples.find((e) => e.action === 'labeled');
  assert.ok(labeled);
  const as = (label: string) =>
    triggerOf('issues', installed({ ...labeled, label: { name: label } }), config);
  const yes = as('Warden');
  assert.ok('trigger' in yes && yes.trigger.kind === 'label' && yes.trigger.installationId === 42);
  assert.ok('ignored' in as('bug'));

  const comments = (examples as Array<{ name: string; examples: Array<Record<string, unknown>> }>).find(
    (e) => e.name === 'issue_comment',
  );
  const created = comments?.examples.find((e) => e.action === 'created') as Record<string, unknown>;
  const said = (body: string, sender: object = created.sender as object) =>
    triggerOf(
      'issue_comment',
      installed({ ...created, sender, comment: { ...(created.comment as object), body } }),
      config,
    );
  const asked = said('/warden fix the flaky test\nand add one for it');
  assert.ok('trigger' in asked);
  assert.equal(asked.trigger.request, 'fix the flaky test\nand add one for it');
  assert.ok('ignored' in said('please /warden fix it'), 'the command must open the comment');
  assert.ok('ignored' in said('/wardenx fix it'), 'the command word must stand alone');
  assert.ok(
    'ignored' in said('/warden go', { login: 'warden[bot]', type: 'Bot' }),
    "bots (Warden's own comments) never start work",
  );
  assert.ok(
    'ignored' in
      triggerOf(
        'issue_comment',
        { ...created, comment: { ...(created.comment as object), body: '/warden x' } },
        config,
      ),
    'no installation',
  );
});

test('commandRequest: the request is everything after a standalone command word at the start', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), (lead, rest) => {
      const text = `${lead}/warden${rest}`;
      const got = commandRequest(text, '/warden');
      const opens = lead.trim() === '' && (rest === '' || /^\s/.test(rest));
      assert.equal(got === undefined, !opens, JSON.stringify(text));
      if (got !== undefined) assert.equal(got, rest.trim());
    }),
  );
});
