import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mcpArgumentPaths, mcpRules } from './mcp-section.ts';
import { parsePolicyFile } from './policy-file.ts';

function errorsOf(text: string): string[] {
  const parsed = parsePolicyFile(`version: 1\n${text}`, 'policy.yaml');
  assert.equal(parsed.ok, false, 'expected the file to be rejected');
  return parsed.ok ? [] : parsed.errors.map((e) => e.describe());
}

describe('mcp: errors name file:line:col, the key and the fix', () => {
  const cases: Array<[string, string, string[]]> = [
    [
      'a pattern without a server',
      'mcp:\n  allow: [create_issue]\n',
      [
        'policy.yaml:3:11: "mcp.allow[0]" must be server.tool, e.g. github.create_issue, github.* or *.delete_* (a server name, a dot, a tool)',
      ],
    ],
    [
      'a server part that is not a server name',
      'mcp:\n  deny: ["GitHub.delete_repo", "git_hub.x"]\n',
      [
        'policy.yaml:3:10: "mcp.deny[0]" has "GitHub" before the dot, not a server name: lower-case letters, digits and -, starting with a letter (* a wildcard)',
        'policy.yaml:3:32: "mcp.deny[1]" has "git_hub" before the dot, not a server name: lower-case letters, digits and -, starting with a letter (* a wildcard)',
      ],
    ],
    [
      'no tool after the dot',
      'mcp:\n  ask: ["github."]\n',
      [
        'policy.yaml:3:9: "mcp.ask[0]" names no tool after the dot: write server.* for every tool of a server',
      ],
    ],
    [
      'a bad tool in the long form',
      'mcp:\n  deny:\n    - tool: db\n      when: { sql: "DROP *" }\n',
      [
        'policy.yaml:4:13: "mcp.deny[0].tool" must be server.tool, e.g. github.create_issue, github.* or *.delete_* (a server name, a dot, a tool)',
      ],
    ],
    [
      'an unknown key in a rule',
      'mcp:\n  deny:\n    - tool: db.query\n      whne: { sql: "DROP *" }\n',
      ['policy.yaml:5:7: "mcp.deny[0].whne" is not a known key — remove it or fix its spelling'],
    ],
    [
      'an unknown list',
      'mcp:\n  permit: [github.get_issue]\n',
      ['policy.yaml:3:3: "mcp.permit" is not a known key — remove it or fix its spelling'],
    ],
    [
      'an empty when',
      'mcp:\n  allow:\n    - tool: db.query\n      when: {}\n',
      ['policy.yaml:5:13: "mcp.allow[0].when" must name at least one argument'],
    ],
    [
      'a rule without a tool',
      'mcp:\n  allow:\n    - when: { base: main }\n',
      ['policy.yaml:4:7: "mcp.allow[0].tool" is required'],
    ],
    [
      'a nested mapping instead of a dotted path',
      'mcp:\n  allow:\n    - tool: github.create_pull_request\n      when: { head: { ref: "warden/*" } }\n',
      [
        'policy.yaml:5:21: "mcp.allow[0].when.head" must be a pattern ("warden/*"), a list of patterns (any of them), a number or true/false; name a nested argument by its dotted path (head.ref)',
      ],
    ],
    [
      'an empty list of patterns',
      'mcp:\n  allow:\n    - tool: github.create_pull_request\n      unless: { base: [] }\n',
      ['policy.yaml:5:23: "mcp.allow[0].unless.base" must not be empty'],
    ],
    [
      'a null condition',
      'mcp:\n  allow:\n    - tool: db.query\n      when: { sql: ~ }\n',
      [
        'policy.yaml:5:20: "mcp.allow[0].when.sql" must be a pattern ("warden/*"), a list of patterns (any of them), a number or true/false; name a nested argument by its dotted path (head.ref)',
      ],
    ],
    [
      'an argument path with a control character',
      'mcp:\n  deny:\n    - tool: db.query\n      when: { "sql\\n": "x" }\n',
      [
        'policy.yaml:5:13: "mcp.deny[0].when" has "sql\\n", not an argument path: name an argument, nested ones by a dotted path (head.ref)',
      ],
    ],
    [
      'a __proto__ argument, which a mapping would silently drop',
      'mcp:\n  allow:\n    - tool: db.query\n      when: { __proto__: x, sql: "SELECT *" }\n',
      ['policy.yaml:5:13: "mcp.allow[0].when" has "__proto__", which cannot be an argument path here'],
    ],
    [
      'a list given as a string',
      'mcp:\n  deny: jira.delete_*\n',
      ['policy.yaml:3:9: "mcp.deny" must be a list of tool patterns or rules'],
    ],
    [
      'a number as a rule',
      'mcp:\n  deny: [3]\n',
      [
        'policy.yaml:3:10: "mcp.deny[0]" must be a tool pattern (server.tool) or a mapping with tool, when, unless',
      ],
    ],
  ];
  for (const [name, text, expected] of cases) test(name, () => assert.deepEqual(errorsOf(text), expected));
});

test('the three examples of the issue parse, in the short and the long form', () => {
  const parsed = parsePolicyFile(
    `version: 1
mcp:
  allow:
    - github.get_*
    - tool: github.create_pull_request
      when: { base: "warden/*" }
    - tool: db.query
      when: { sql: ["SELECT *", "select *"], limit: 10, "head.ref": x }
  deny:
    - jira.delete_*
    - tool: db.query
      unless: { sql: "SELECT *" }
`,
    'p.yaml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.map((e) => e.describe()).join('\n'));
  const rules = mcpRules(parsed.file.mcp);
  assert.deepEqual(
    rules.map((r) => [r.id, r.server, r.tool, r.text]),
    [
      ['mcp.allow[0]', 'github', 'get_*', 'github.get_*'],
      [
        'mcp.allow[1]',
        'github',
        'create_pull_request',
        'github.create_pull_request when base like "warden/*"',
      ],
      [
        'mcp.allow[2]',
        'db',
        'query',
        'db.query when sql like "SELECT *" or "select *" and limit is 10 and head.ref like "x"',
      ],
      ['mcp.deny[0]', 'jira', 'delete_*', 'jira.delete_*'],
      ['mcp.deny[1]', 'db', 'query', 'db.query unless sql like "SELECT *"'],
    ],
  );
  assert.deepEqual([...mcpArgumentPaths(parsed.file.mcp)].sort(), ['base', 'head.ref', 'limit', 'sql']);
});

test('a tool name may hold dots and slashes: the server is what comes before the first dot', () => {
  const parsed = parsePolicyFile(
    'version: 1\nmcp: { allow: ["fs.read.file", "*.repos/*/issues"] }\n',
    'p.yaml',
  );
  assert.ok(parsed.ok);
  assert.deepEqual(
    mcpRules(parsed.file.mcp).map((r) => [r.server, r.tool]),
    [
      ['fs', 'read.file'],
      ['*', 'repos/*/issues'],
    ],
  );
});
