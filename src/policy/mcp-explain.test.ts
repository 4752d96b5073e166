import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileToPolicy } from './engine.ts';
import { explainPolicy } from './explain.ts';
import { loadPolicy } from './load.ts';
import { parsePolicyFile } from './policy-file.ts';

async function explained(mcp: string) {
  const parsed = parsePolicyFile(`version: 1\nmcp:\n${mcp}`, 'test.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.describe()).join('\n'));
  return explainPolicy(await compileToPolicy(parsed.file, 'test.yaml'));
}

test('the summary lists the mcp rules as a person reads them', async () => {
  const { text, warnings } = await explained(`  allow:
    - github.get_*
    - tool: github.create_pull_request
      when: { base: "warden/*" }
  deny:
    - jira.delete_*
    - tool: db.query
      unless: { sql: "SELECT *" }
`);
  assert.match(
    text,
    /\n {2}call: +github\.get_\*; github\.create_pull_request when base like "warden\/\*"\n/,
  );
  assert.match(text, /\n {2}ask first: +nothing listed\n/);
  assert.match(text, /\n {2}never: +jira\.delete_\*; db\.query unless sql like "SELECT \*"\n/);
  assert.deepEqual(warnings, []);
});

test('the default policy: no MCP tool is called without asking', async () => {
  const { text } = explainPolicy(await loadPolicy());
  assert.match(text, /\n {2}call: +nothing without asking\n/);
});

test('broad MCP grants are warned about and scored; an allow an ask or deny always covers is named', async () => {
  const { warnings, breadth } = await explained(
    `  allow:
    - "*.*"
    - github.*
    - tool: github.create_pull_request
      when: { base: "warden/*" }
    - jira.Delete_Issue_x
    - tool: jira.*
      when: { x: "1" }
  ask: [github.create_*]
  deny:
    - "*.delete_*"
    - tool: jira.get_*
      when: { id: "1" }
`,
  );
  assert.deepEqual(
    warnings.map((w) => [w.rule, w.weight]),
    [
      ['mcp.allow[0]', 30],
      ['mcp.allow[1]', 10],
      ['mcp.allow[2]', 0],
      ['mcp.allow[3]', 0],
    ],
  );
  assert.match(
    warnings[2]?.message ?? '',
    /mcp\.ask\[0\] \(github\.create_\*\) asks about every call it would allow/,
  );
  assert.match(warnings[3]?.message ?? '', /mcp\.deny\[0\] \(\*\.delete_\*\) denies/);
  assert.equal(breadth, 40);
});
