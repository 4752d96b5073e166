import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { readToml } from './toml-reader.ts';

function read(text: string) {
  const result = readToml(text);
  assert.ok(result.ok, result.ok ? '' : result.error);
  return result.value;
}

test('a Cargo manifest: tables, dotted headers, inline tables, comments', () => {
  const value = read(`# a crate
[package]
name = "demo" # trailing comment
version = "0.1.0"
edition = '2021'

[dependencies]
serde = { version = "1.0", features = ["derive"] }
"quoted-name" = "2"
tokio.version = "1"
tokio.features = [
  "full", # everything
  "rt",
]

[dependencies.rand]
version = "0.8"

[target.'cfg(unix)'.dependencies]
libc = "0.2"
`);
  assert.deepEqual(value.dependencies, {
    serde: { version: '1.0', features: ['derive'] },
    'quoted-name': '2',
    tokio: { version: '1', features: ['full', 'rt'] },
    rand: { version: '0.8' },
  });
  assert.deepEqual(value.target, { 'cfg(unix)': { dependencies: { libc: '0.2' } } });
});

test('pyproject: arrays of strings over lines, multi-line and literal strings, arrays of tables', () => {
  const value = read(`[project]
name = "x"
description = """
A "quoted" line \\
  continued"""
license = '''MIT'''
dependencies = [
  "requests>=2",
  'rich[jupyter] ; python_version >= "3.8"',
]
[project.optional-dependencies]
dev = ["pytest"]
[[tool.hatch.envs]]
a = 1
[[tool.hatch.envs]]
a = 2
[tool.hatch.envs.sub]
b = true
`);
  const project = value.project as Record<string, unknown>;
  assert.equal(project.description, 'A "quoted" line continued');
  assert.equal(project.license, 'MIT');
  assert.deepEqual(project.dependencies, ['requests>=2', 'rich[jupyter] ; python_version >= "3.8"']);
  assert.deepEqual(project['optional-dependencies'], { dev: ['pytest'] });
  assert.deepEqual((value.tool as Record<string, unknown>).hatch, {
    envs: [{ a: '1' }, { a: '2', sub: { b: 'true' } }],
  });
});

test('escapes, numbers, dates and CRLF line endings', () => {
  const value = read(
    'a = "tab\\there \\u00e9 \\U0001F600"\r\nb = 1_000\r\nc = 0x1F\r\nd = 1979-05-27 07:32:00Z\r\ne = -inf\r\nf = 6.02e23\r\n',
  );
  assert.equal(value.a, 'tab\there é 😀');
  assert.equal(value.b, '1_000');
  assert.equal(value.d, '1979-05-27 07:32:00Z');
});

test('malformed documents are errors with a line, never exceptions', () => {
  const cases: Array<[string, RegExp]> = [
    ['[dependencies\nx = "1"', /line 1: expected "\]"/],
    ['a = "open\nb = 1', /line 1: unterminated string/],
    ['a = 1\na = 2', /line 2: key "a" is defined twice/],
    ['[t]\n[t]', /line 2: table \[t\] is defined twice/],
    ['t = { a = 1 }\n[t]', /defined twice/],
    ['t = { a = 1 }\nt.b = 2', /already a value/],
    ['a = what', /expected a value/],
    ['a = 1 b = 2', /end of the line/],
    ['a = "\\q"', /invalid escape/],
    ['x = [1, 2', /expected "," or "\]"|expected a value/],
    ['x = """never closed', /unterminated/],
  ];
  for (const [text, error] of cases) {
    const result = readToml(text);
    assert.equal(result.ok, false, text);
    assert.match(result.ok ? '' : result.error, error, text);
  }
});

test('arbitrary input never throws', () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...'[]{}="\'#.,\n ab1-_\\u'.split('')) }), (text) => {
      readToml(text);
    }),
    { numRuns: 2000 },
  );
});

test('keys named like Object internals are plain keys', () => {
  const value = read('__proto__ = "a"\nconstructor = "b"\n[toString]\nx = "c"\n');
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.deepEqual(Object.keys(value), ['__proto__', 'constructor', 'toString']);
  assert.equal(Object.getOwnPropertyDescriptor(value, '__proto__')?.value, 'a');
});
