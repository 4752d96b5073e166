import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { validate } from '@cedar-policy/cedar-wasm/nodejs';
import { CEDAR_SCHEMA } from './cedar-schema.ts';
import { compilePolicy } from './compile.ts';
import { compileToPolicy } from './engine.ts';
import { loadPolicy } from './load.ts';
import { describeMcpCall, MAX_ARGUMENT_TEXT } from './mcp-arguments.ts';
import { parsePolicyFile } from './policy-file.ts';

async function policyFrom(mcp: string) {
  const parsed = parsePolicyFile(`version: 1\nmcp:\n${mcp}`, 'test.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.describe()).join('\n'));
  return compileToPolicy(parsed.file, 'test.yaml');
}

/** The three examples of the issue, and an ask. */
const ISSUE = `  allow:
    - github.get_*
    - tool: github.create_pull_request
      when: { base: "warden/*" }
    - db.query
  ask: [github.merge_*]
  deny:
    - jira.delete_*
    - tool: db.query
      unless: { sql: "SELECT *" }
`;

const call = (server: string, tool: string, args: Record<string, unknown> = {}) =>
  ({ kind: 'mcp.call', server, tool, args }) as const;

test('the compiled MCP rules validate against the Cedar schema, with no rule found impossible', async () => {
  const policy = await policyFrom(`${ISSUE}    - tool: github.create_issue
      when: { labels.0: bug, draft: false, count: [1, 2.5] }
      unless: { "a\\"b": 'x" || true || "' }
`);
  const staticPolicies = Object.fromEntries(compilePolicy(policy.file).map((r) => [r.id, r.text]));
  const answer = validate({ schema: CEDAR_SCHEMA, policies: { staticPolicies } });
  assert.equal(answer.type, 'success', JSON.stringify(answer));
  if (answer.type === 'success') {
    assert.deepEqual(answer.validationErrors, []);
    assert.deepEqual(answer.validationWarnings, []);
  }
});

test('the issue: pull requests only into warden/*, queries only SELECT, never jira.delete_*', async () => {
  const policy = await policyFrom(ISSUE);
  const judged = async (server: string, tool: string, args: Record<string, unknown> = {}) => {
    const d = await policy.decide(call(server, tool, args));
    return [d.decision, d.policies];
  };
  assert.deepEqual(await judged('github', 'create_pull_request', { base: 'warden/fix', head: 'x' }), [
    'allow',
    ['mcp.allow[1]'],
  ]);
  assert.deepEqual(await judged('github', 'create_pull_request', { base: 'main' }), [
    'ask',
    ['default.mcp.unmatched'],
  ]);
  assert.deepEqual(await judged('github', 'create_pull_request', {}), ['ask', ['default.mcp.unmatched']]);
  assert.deepEqual(await judged('github', 'get_issue', { number: 1 }), ['allow', ['mcp.allow[0]']]);
  assert.deepEqual(await judged('db', 'query', { sql: 'SELECT * FROM t' }), ['allow', ['mcp.allow[2]']]);
  assert.deepEqual(await judged('db', 'query', { sql: 'DELETE FROM t' }), ['deny', ['mcp.deny[1]']]);
  assert.deepEqual(await judged('db', 'query', {}), ['deny', ['mcp.deny[1]']]);
  assert.deepEqual(await judged('db', 'query', { sql: ['SELECT 1'] }), ['deny', ['mcp.deny[1]']]);
  assert.deepEqual(await judged('jira', 'delete_issue', { id: 'X-1' }), ['deny', ['mcp.deny[0]']]);
  assert.deepEqual(await judged('jira', 'create_issue'), ['ask', ['default.mcp.unmatched']]);
  assert.deepEqual(await judged('github', 'merge_pull_request'), ['ask', ['mcp.ask[0]']]);
});

test('reasons name the call, the rule and its conditions', async () => {
  const policy = await policyFrom(ISSUE);
  const reason = async (a: ReturnType<typeof call>) => (await policy.decide(a)).reason;
  assert.equal(
    await reason(call('github', 'create_pull_request', { base: 'warden/x' })),
    'call github.create_pull_request: allowed by mcp.allow[1] (github.create_pull_request when base like "warden/*")',
  );
  assert.equal(
    await reason(call('db', 'query', { sql: 'DROP TABLE t' })),
    'call db.query: denied by mcp.deny[1] (db.query unless sql like "SELECT *")',
  );
  assert.equal(
    await reason(call('slack', 'post_message')),
    'call slack.post_message: matches no rule, so a person decides',
  );
});

test('deny beats ask beats allow, whatever the order of the lists', async () => {
  const policy = await policyFrom(`  deny: [github.delete_*]
  ask: [github.*_repo]
  allow: [github.*]
`);
  const verdict = async (tool: string) => (await policy.decide(call('github', tool))).decision;
  assert.equal(await verdict('delete_repo'), 'deny');
  assert.equal(await verdict('create_repo'), 'ask');
  assert.equal(await verdict('get_issue'), 'allow');
});

test('letter case: an allow names a tool exactly; ask and deny cover every spelling', async () => {
  const policy = await policyFrom('  allow: [jira.get_issue, jira.*]\n  deny: [jira.delete_*]\n');
  const verdict = async (server: string, tool: string) => (await policy.decide(call(server, tool))).decision;
  for (const tool of ['delete_issue', 'Delete_Issue', 'DELETE_ISSUE'])
    assert.equal(await verdict('jira', tool), 'deny');
  const exact = await policyFrom('  allow: [jira.get_issue]\n');
  assert.equal((await exact.decide(call('jira', 'Get_Issue'))).decision, 'ask');
  // A server's name is lower case by configuration: any other spelling is not a server.
  assert.deepEqual(
    [
      (await policy.decide(call('Jira', 'get_issue'))).decision,
      (await policy.decide(call('ji.ra', 'x'))).decision,
    ],
    ['deny', 'deny'],
  );
});

test('tool names with dots and slashes are matched whole; the server is never confused with the tool', async () => {
  const policy = await policyFrom('  allow: ["fs.read.file", "fs.repos/*/issues"]\n  deny: ["*.admin/*"]\n');
  const verdict = async (server: string, tool: string) => (await policy.decide(call(server, tool))).decision;
  assert.equal(await verdict('fs', 'read.file'), 'allow');
  assert.equal(await verdict('fs', 'read.files'), 'ask');
  assert.equal(await verdict('fs', 'repos/a/b/issues'), 'allow');
  assert.equal(await verdict('fs', 'admin/users'), 'deny');
  // `fs.read` + tool `file` is not the tool `read.file` of `fs`: no such server name can exist.
  assert.equal(await verdict('fs.read', 'file'), 'deny');
});

test('names the protocol does not allow are refused before any rule', async () => {
  const policy = await policyFrom('  allow: ["*.*"]\n');
  for (const [server, tool] of [
    ['github', ''],
    ['github', 'x\ny'],
    ['github', 'x\u2028y'],
    ['github', 'x'.repeat(129)],
    ['', 'x'],
    ['a_b', 'x'],
  ]) {
    const d = await policy.decide(call(server as string, tool as string));
    assert.equal(d.decision, 'deny', `${server}.${tool}`);
    assert.doesNotMatch(d.reason, /[\n\u2028]/);
  }
});

test('arguments are judged as they go on the wire; what is not a JSON object is refused', async () => {
  const policy = await policyFrom('  allow: ["*.*"]\n');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  let deep: unknown = 'x';
  for (let i = 0; i < 100; i++) deep = { d: deep };
  for (const args of [cyclic, { n: 10n }, deep, [1, 2], null]) {
    const d = await policy.decide(call('db', 'query', args as Record<string, unknown>));
    assert.equal(d.decision, 'deny');
    assert.match(d.reason, /^call db\.query: the arguments (are not|nest deeper)/);
  }
  // undefined is dropped and NaN is null, as JSON.stringify sends them.
  const wire = await policyFrom(
    '  deny:\n    - tool: db.query\n      when: { limit: "null" }\n  allow: ["*.*"]\n',
  );
  assert.equal((await wire.decide(call('db', 'query', { limit: Number.NaN }))).decision, 'deny');
  assert.equal((await wire.decide(call('db', 'query', { limit: undefined }))).decision, 'allow');
});

test('nested arguments by dotted path, arrays by index, lists and objects as canonical JSON', async () => {
  const policy = await policyFrom(`  allow:
    - tool: github.create_pull_request
      when: { head.ref: "warden/*", labels.0: ["bug", "chore"] }
  deny:
    - tool: github.create_pull_request
      when: { labels: "*secret*" }
`);
  const verdict = async (args: Record<string, unknown>) =>
    (await policy.decide(call('github', 'create_pull_request', args))).decision;
  assert.equal(await verdict({ head: { ref: 'warden/x' }, labels: ['bug', 'ui'] }), 'allow');
  assert.equal(await verdict({ head: { ref: 'main' }, labels: ['bug'] }), 'ask');
  assert.equal(await verdict({ head: { ref: 'warden/x' }, labels: ['ui', 'bug'] }), 'ask');
  assert.equal(await verdict({ head: { ref: 'warden/x' }, labels: ['bug', 'top-secret'] }), 'deny');
  assert.equal(await verdict({ head: 'warden/x', labels: ['bug'] }), 'ask');
});

test('numbers and true/false: typed where a match grants, every coercible spelling where a match refuses', async () => {
  const policy = await policyFrom(`  allow:
    - tool: gh.merge
      when: { dry_run: true, max: [1, 2] }
    - gh.push
    - gh.get_issue
  deny:
    - tool: gh.push
      when: { force: true }
    - tool: gh.get_issue
      when: { id: 1 }
`);
  const verdict = async (tool: string, args: Record<string, unknown>) =>
    (await policy.decide(call('gh', tool, args))).decision;
  assert.equal(await verdict('merge', { dry_run: true, max: 2 }), 'allow');
  assert.equal(await verdict('merge', { dry_run: true, max: 2.0 }), 'allow');
  assert.equal(await verdict('merge', { dry_run: 'true', max: 2 }), 'ask');
  assert.equal(await verdict('merge', { dry_run: true, max: '2' }), 'ask');
  assert.equal(await verdict('push', { force: true }), 'deny');
  // What pydantic 2 (FastMCP) reads as True and as 1: the red team's spellings.
  for (const force of ['true', 'True', 'yes', 1, 'on', ['t']])
    assert.equal(await verdict('push', { force }), 'deny', JSON.stringify(force));
  for (const id of [1, '01', ' 1', '1.0', true, '1e0', '+1', '1_0e-1'])
    assert.equal(await verdict('get_issue', { id }), 'deny', JSON.stringify(id));
  assert.equal(await verdict('push', { force: false }), 'allow');
  assert.equal(await verdict('push', { force: 0 }), 'allow');
  assert.equal(await verdict('get_issue', { id: 2 }), 'allow');
  assert.equal(await verdict('get_issue', { id: '12' }), 'allow');
});

test('a key with a dot beside a nested key: one path, two values, refused', async () => {
  const policy = await policyFrom(`  allow:
    - tool: github.create_pull_request
      when: { head.ref: "warden/*" }
  deny:
    - tool: github.create_pull_request
      when: { base.ref: main }
`);
  const decide = (args: Record<string, unknown>) =>
    policy.decide(call('github', 'create_pull_request', args));
  // Either spelling alone is the same argument to the policy.
  assert.equal((await decide({ 'head.ref': 'warden/x' })).decision, 'allow');
  assert.equal((await decide({ 'base.ref': 'main' })).decision, 'deny');
  assert.equal((await decide({ head: { ref: 'warden/x' }, 'head.ref': 'warden/x' })).decision, 'allow');
  // Two values for a path a rule names: the deny cannot be dodged, the allow cannot be borrowed.
  for (const args of [
    { base: { ref: 'main' }, 'base.ref': 'dev' },
    { base: { ref: 'dev' }, 'base.ref': 'main' },
    { head: { ref: 'main' }, 'head.ref': 'warden/x' },
    { head: { 'ref.x': 1, ref: 'main' }, 'head.ref': 'warden/x' },
  ]) {
    const d = await decide(args);
    assert.deepEqual([d.decision, d.policies], ['deny', ['default.mcp.ambiguous']], JSON.stringify(args));
  }
  // A collision on a path no rule names does not matter.
  assert.equal((await decide({ head: { ref: 'warden/x' }, x: { y: 1 }, 'x.y': 2 })).decision, 'allow');
});

test('a value a rule names that is too long to judge counts as absent, and never allows', async () => {
  const policy = await policyFrom(`  allow:
    - tool: db.query
      when: { sql: "SELECT *" }
  deny:
    - tool: db.query
      when: { sql: "*DROP*" }
    - tool: db.exec
      unless: { sql: "SELECT *" }
  ask:
    - tool: db.query
      when: { note: "*" }
`);
  const long = `SELECT ${'x'.repeat(MAX_ARGUMENT_TEXT)}`;
  const q = await policy.decide(call('db', 'query', { sql: long }));
  assert.deepEqual([q.decision, q.policies], ['ask', ['default.mcp.unmatched']]);
  const dropped = await policy.decide(call('db', 'query', { sql: `SELECT 1; DROP t; ${long}` }));
  assert.notEqual(dropped.decision, 'allow');
  const e = await policy.decide(call('db', 'exec', { sql: long }));
  assert.equal(e.decision, 'deny');
  const bigNote = await policy.decide(
    call('db', 'query', { sql: 'SELECT 1', note: 'x'.repeat(MAX_ARGUMENT_TEXT + 1) }),
  );
  assert.deepEqual([bigNote.decision, bigNote.policies], ['ask', ['mcp.allow[0]', 'default.mcp.unjudged']]);
  assert.match(bigNote.reason, /argument "note" is longer than 64 KiB/);
  // An argument no rule names can be as long as it likes.
  const body = await policy.decide(
    call('db', 'query', { sql: 'SELECT 1', body: 'x'.repeat(MAX_ARGUMENT_TEXT * 2) }),
  );
  assert.equal(body.decision, 'allow');
});

test('quotes and backslashes in paths and patterns cannot break out of the Cedar text', async () => {
  const policy = await policyFrom(String.raw`  allow:
    - tool: x.y
      when: { 'a"b': 'v" || true || "', 'c\d': '\*' }
`);
  const verdict = async (args: Record<string, unknown>) =>
    (await policy.decide(call('x', 'y', args))).decision;
  // A backslash is a character like any other; `*` stays the only wildcard.
  assert.equal(await verdict({ 'a"b': 'v" || true || "', 'c\\d': '\\x' }), 'allow');
  assert.equal(await verdict({ 'a"b': 'v" || true || "', 'c\\d': 'x' }), 'ask');
  assert.equal(await verdict({ 'a"b': 'anything', 'c\\d': '\\*' }), 'ask');
  assert.equal(await verdict({ a: 'v" || true || "', 'c\\d': '\\*' }), 'ask');
});

test('the default policy names no MCP tool: every call is asked', async () => {
  const policy = await loadPolicy();
  const d = await policy.decide(call('github', 'create_issue', { title: 'x' }));
  assert.deepEqual([d.decision, d.policies], ['ask', ['default.mcp.unmatched']]);
});

test('one line per call; the key tells different arguments apart and equal ones together', () => {
  const a = describeMcpCall({ server: 'github', tool: 'create_issue', args: { title: 'x', body: 'y\nz' } });
  const b = describeMcpCall({ server: 'github', tool: 'create_issue', args: { body: 'y\nz', title: 'x' } });
  const c = describeMcpCall({ server: 'github', tool: 'create_issue', args: { body: 'y\nz', title: 'X' } });
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.match(a, /^call github\.create_issue \{"body":"y\\nz","title":"x"\} \(arguments [0-9a-f]{16}\)$/);
  const long = describeMcpCall({
    server: 's',
    tool: 't\u2028',
    args: { body: 'x'.repeat(10_000), z: '\u2029' },
  });
  assert.doesNotMatch(long, /[\n\u2028\u2029]/);
  assert.ok(long.length < 250);
});

test("the README's mcp example decides as its comments say", async () => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### MCP tools'));
  const yaml = /```yaml\nmcp:\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const policy = await policyFrom(yaml);
  const verdict = async (server: string, tool: string, args: Record<string, unknown>) =>
    (await policy.decide(call(server, tool, args))).decision;
  assert.equal(await verdict('github', 'get_issue', {}), 'allow');
  assert.equal(await verdict('github', 'create_pull_request', { base: 'warden/fix' }), 'allow');
  assert.equal(await verdict('github', 'create_pull_request', { base: 'main' }), 'ask');
  assert.equal(await verdict('github', 'create_issue', { labels: ['incident'] }), 'ask');
  assert.equal(await verdict('jira', 'Delete_Issue', {}), 'deny');
  assert.equal(await verdict('db', 'query', { sql: 'DELETE FROM t' }), 'deny');
  assert.equal(await verdict('db', 'query', {}), 'deny');
  assert.equal(await verdict('db', 'query', { sql: 'SELECT 1' }), 'ask');
});

test('like compares text, not SQL: the README’s SELECT * lets a second statement through, its safer patterns do not', async () => {
  const sql = (policy: Awaited<ReturnType<typeof policyFrom>>, text: string) =>
    policy.decide(call('db', 'query', { sql: text })).then((d) => d.decision);
  const startsWith = await policyFrom(
    '  allow: [db.query]\n  deny:\n    - tool: db.query\n      unless: { sql: "SELECT *" }\n',
  );
  assert.equal(await sql(startsWith, 'SELECT 1; DROP TABLE users'), 'allow');
  const safer = await policyFrom(`  allow: [db.query]
  deny:
    - tool: db.query
      unless: { sql: "SELECT *" }
    - tool: db.query
      when: { sql: ["*;*", "*--*", "*/*"] }
`);
  for (const attack of ['SELECT 1; DROP TABLE users', 'SELECT 1 --\nDROP', 'SELECT/**/1'])
    assert.equal(await sql(safer, attack), 'deny', attack);
  assert.equal(await sql(safer, 'SELECT id FROM issues'), 'allow');
  const exact = await policyFrom(`  allow:
    - tool: db.query
      when: { sql: ["SELECT id, title FROM issues WHERE open"] }
`);
  assert.equal(await sql(exact, 'SELECT id, title FROM issues WHERE open'), 'allow');
  assert.equal(await sql(exact, 'SELECT id, title FROM issues WHERE open; DROP TABLE users'), 'ask');
});
