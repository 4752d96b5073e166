import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtinTools, nestedDeeperThan, parseToolArgs, toolSpecs } from './registry.ts';
import type { AnyTool } from './types.ts';

const tools = builtinTools();
const byName = (name: string): AnyTool => {
  const tool = tools.find((t) => t.name === name);
  assert.ok(tool, name);
  return tool;
};

test('the built-in tools are the public seven', () => {
  assert.deepEqual(
    tools.map((t) => t.name),
    ['read_file', 'write_file', 'edit_file', 'apply_patch', 'list_files', 'grep', 'shell'],
  );
});

test('specs carry a JSON Schema per tool with the contract fields, described, and no extra fields allowed', () => {
  const specs = toolSpecs(tools);
  const expected: Record<string, { required: string[]; optional: string[] }> = {
    read_file: { required: ['path'], optional: ['offset', 'limit'] },
    write_file: { required: ['path', 'content'], optional: [] },
    edit_file: { required: ['path', 'old_string', 'new_string'], optional: ['replace_all'] },
    apply_patch: { required: ['patch'], optional: [] },
    list_files: { required: [], optional: ['path'] },
    grep: { required: ['pattern'], optional: ['path', 'glob', 'ignore_case'] },
    shell: { required: ['command'], optional: ['timeout_ms'] },
  };
  for (const spec of specs) {
    const schema = spec.parameters as {
      type: string;
      properties: Record<string, { description?: string }>;
      required?: string[];
      additionalProperties: boolean;
    };
    const want = expected[spec.name];
    assert.ok(want, spec.name);
    assert.equal(schema.type, 'object');
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual((schema.required ?? []).sort(), [...want.required].sort(), spec.name);
    assert.deepEqual(
      Object.keys(schema.properties).sort(),
      [...want.required, ...want.optional].sort(),
      spec.name,
    );
    for (const [field, property] of Object.entries(schema.properties)) {
      assert.ok((property.description ?? '').length > 10, `${spec.name}.${field} has a description`);
    }
    assert.ok(spec.description.length > 20);
  }
});

test('valid arguments parse', () => {
  assert.deepEqual(parseToolArgs(byName('read_file'), '{"path":"src/a.ts","offset":3}'), {
    ok: true,
    args: { path: 'src/a.ts', offset: 3 },
  });
  assert.deepEqual(parseToolArgs(byName('list_files'), ''), { ok: true, args: {} });
});

const refusals: Array<{ tool: string; raw: string; error: RegExp }> = [
  {
    tool: 'read_file',
    raw: '{"path": "a"',
    error: /not valid JSON.*read_file takes \{path: string, offset\?: integer/,
  },
  { tool: 'read_file', raw: '["a"]', error: /must be a JSON object/ },
  { tool: 'read_file', raw: 'null', error: /must be a JSON object/ },
  { tool: 'read_file', raw: '{"path":"a","lines":5}', error: /unknown field "lines"/ },
  { tool: 'read_file', raw: '{"path":7}', error: /"path": expected string, received number/ },
  { tool: 'read_file', raw: '{"path":"a","offset":0}', error: /"offset": .*>=1/ },
  { tool: 'read_file', raw: '{"path":"a","offset":1.5}', error: /"offset": expected an integer/ },
  { tool: 'edit_file', raw: '{"path":"a","old_string":"x"}', error: /"new_string" is required \(string\)/ },
  {
    tool: 'shell',
    raw: '{"command":"ls","timeout_ms":"60000"}',
    error: /"timeout_ms": expected number, received string/,
  },
  { tool: 'grep', raw: '{}', error: /"pattern" is required.*grep takes \{pattern: string, path\?: string/ },
];

for (const { tool, raw, error } of refusals) {
  test(`${tool} ${raw} is refused with a message the model can act on`, () => {
    const parsed = parseToolArgs(byName(tool), raw);
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assert.match(parsed.error, error);
  });
}

test('nothing the model sends makes parseToolArgs throw', () => {
  const inputs = [
    '',
    ' ',
    '{',
    '}',
    '"str"',
    '1',
    'true',
    '{"__proto__":{"x":1}}',
    '{"path":null}',
    '\u0000',
    '[]',
  ];
  for (const tool of tools) {
    for (const input of inputs) {
      const parsed = parseToolArgs(tool, input);
      assert.equal(typeof parsed.ok, 'boolean');
    }
  }
});

test('arguments nested past any tool are refused with a message, before anything walks them', () => {
  const tool = builtinTools().find((t) => t.name === 'read_file');
  assert.ok(tool);
  const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
  const parsed = parseToolArgs(tool, deep);
  assert.equal(parsed.ok, false);
  assert.match(parsed.ok ? '' : parsed.error, /nest deeper than 64 levels; read_file takes/);
  assert.equal(nestedDeeperThan(JSON.parse(`${'['.repeat(64)}${']'.repeat(64)}`), 64), false);
  assert.equal(nestedDeeperThan(JSON.parse(`${'['.repeat(65)}${']'.repeat(65)}`), 64), true);
});
