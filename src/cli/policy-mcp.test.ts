import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseAction } from './policy.ts';
import { runMain } from './testing/run-main.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-policy-mcp-'));
  await writeFile(
    join(dir, 'mcp.yaml'),
    `version: 1
mcp:
  allow:
    - tool: github.create_pull_request
      when: { base: "warden/*" }
  deny: [jira.delete_*]
`,
  );
  await writeFile(join(dir, 'bad.yaml'), 'version: 1\nmcp:\n  allow: ["GitHub.x", "github"]\n');
});
after(() => rm(dir, { recursive: true, force: true }));

function run(...argv: string[]) {
  return runMain(['policy', ...argv], { cwd: dir });
}

test('policy test judges an MCP call with its arguments', async () => {
  const allowed = await run('test', 'mcp.yaml', 'mcp: github.create_pull_request {"base": "warden/x"}');
  assert.equal(allowed.code, 0);
  assert.match(
    allowed.out,
    /^ALLOW {2}call github\.create_pull_request: allowed by mcp\.allow\[0\] \(github\.create_pull_request when base like "warden\/\*"\)\npolicies: mcp\.allow\[0\]\n$/,
  );
  const json = JSON.parse((await run('test', 'mcp.yaml', 'mcp: jira.delete_issue', '--json')).out);
  assert.deepEqual([json.decision, json.policies, json.action.args], ['deny', ['mcp.deny[0]'], {}]);
});

test('policy test --expect: as expected exits 0, otherwise 1 naming both', async () => {
  const pass = await run(
    'test',
    'mcp.yaml',
    'mcp: github.create_pull_request {"base":"main"}',
    '--expect',
    'ask',
  );
  assert.equal(pass.code, 0);
  assert.match(pass.out, /as expected \(ask\)/);
  const fail = await run(
    'test',
    'mcp.yaml',
    'mcp: github.create_pull_request {"base":"main"}',
    '--expect',
    'allow',
  );
  assert.equal(fail.code, 1);
  assert.match(fail.out, /NOT AS EXPECTED: expected allow, got ask/);
  const json = JSON.parse(
    (await run('test', 'mcp.yaml', 'mcp: jira.delete_x', '--expect=deny', '--json')).out,
  );
  assert.deepEqual([json.expected, json.pass], ['deny', true]);
  const bad = await run('test', 'mcp.yaml', 'mcp: jira.x', '--expect', 'yes');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--expect must be allow, ask or deny/);
});

test('policy check and explain cover the mcp section', async () => {
  const check = await run('check', 'bad.yaml');
  assert.equal(check.code, 1);
  assert.match(check.out, /^bad\.yaml:3:11: "mcp\.allow\[0\]" has "GitHub" before the dot/);
  assert.match(check.out, /\nbad\.yaml:3:23: "mcp\.allow\[1\]" must be server\.tool/);
  const explain = await run('explain', 'mcp.yaml');
  assert.match(explain.out, /call: +github\.create_pull_request when base like "warden\/\*"\n/);
  assert.match(explain.out, /never: +jira\.delete_\*\n/);
});

test('MCP actions are read as written; bad ones are usage errors', () => {
  assert.deepEqual(parseAction('mcp: github.create_pull_request {"base": "main", "head": {"ref": "x"}}'), {
    kind: 'mcp.call',
    server: 'github',
    tool: 'create_pull_request',
    args: { base: 'main', head: { ref: 'x' } },
  });
  assert.deepEqual(parseAction('mcp: fs.read/file.txt'), {
    kind: 'mcp.call',
    server: 'fs',
    tool: 'read/file.txt',
    args: {},
  });
  for (const bad of [
    'mcp:',
    'mcp: github',
    'mcp: github.',
    'mcp: .x',
    'mcp: a.b {x}',
    'mcp: a.b [1]',
    'mcp: a.b null',
  ])
    assert.throws(() => parseAction(bad), /cannot read the action|not JSON|not a JSON object/, bad);
});
