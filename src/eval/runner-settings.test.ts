import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RUNNER_SETTINGS, type SettingsMerge } from './runner-settings.ts';

const merge = (name: string): SettingsMerge => {
  const found = RUNNER_SETTINGS.get(name);
  assert.ok(found);
  return found;
};

describe("runner settings: the runner's part put back, the rest kept", () => {
  it('package.json: scripts as graded, dependencies as the contestant left them', () => {
    const graded = JSON.stringify({ name: 'x', scripts: { test: 'node --test' } });
    const mine = JSON.stringify({ name: 'x', scripts: { test: 'exit 0' }, dependencies: { a: '1.0.0' } });
    assert.deepEqual(JSON.parse(merge('package.json')(mine, graded) as string), {
      name: 'x',
      dependencies: { a: '1.0.0' },
      scripts: { test: 'node --test' },
    });
    assert.equal(
      merge('package.json')(JSON.stringify({ scripts: { test: 'node --test' }, version: '2' }), graded),
      'same',
    );
    assert.equal(merge('package.json')('{ not json', graded), 'unreadable');
    // A package.json the graded tree does not have keeps no scripts.
    assert.deepEqual(JSON.parse(merge('package.json')(mine, undefined) as string), {
      name: 'x',
      dependencies: { a: '1.0.0' },
    });
  });

  it("setup.cfg: a [tool:pytest] the base did not have goes; the contestant's metadata stays", () => {
    const graded = '[metadata]\nname = x\nversion = 1.0\n';
    const mine = '[metadata]\nname = x\nversion = 1.1\n\n[tool:pytest]\naddopts = -p forcepass\n';
    assert.equal(merge('setup.cfg')(mine, graded), '[metadata]\nname = x\nversion = 1.1\n');
  });

  it("pyproject.toml: pytest's table as graded, in its place; other tables as left", () => {
    const graded =
      '[project]\nname = "x"\n\n[tool.pytest.ini_options]\naddopts = "-W error"\n\n[tool.black]\nline-length = 88\n';
    const mine =
      '[project]\nname = "x"\ndependencies = ["attrs"]\n\n[tool.pytest.ini_options]\naddopts = "-p evil"\n\n[tool.black]\nline-length = 100\n';
    assert.equal(
      merge('pyproject.toml')(mine, graded),
      '[project]\nname = "x"\ndependencies = ["attrs"]\n\n[tool.pytest.ini_options]\naddopts = "-W error"\n\n[tool.black]\nline-length = 100\n',
    );
    // Removed by the contestant: put back (at the end).
    assert.match(
      merge('pyproject.toml')('[project]\nname = "x"\n', graded) as string,
      /\[tool\.pytest\.ini_options\]\naddopts = "-W error"/,
    );
  });

  it('any INI file: after the merge, its pytest section is exactly the graded one and nothing else moved', () => {
    const line = fc.string({ maxLength: 12 }).filter((text) => !text.includes('\n') && !text.startsWith('['));
    const section = fc.record({
      header: fc.constantFrom('metadata', 'options', 'tool:pytest', 'flake8'),
      lines: fc.array(line, { maxLength: 3 }),
    });
    const file = fc
      .array(section, { maxLength: 4 })
      .map((list) => list.map((s) => [`[${s.header}]`, ...s.lines].join('\n')).join('\n'));
    const pytestPart = (text: string) =>
      text.split(/\n(?=\[)/).filter((part) => part.startsWith('[tool:pytest]'));
    const otherParts = (text: string) =>
      text.split(/\n(?=\[)/).filter((part) => part.startsWith('[') && !part.startsWith('[tool:pytest]'));
    fc.assert(
      fc.property(file, file, (mine, graded) => {
        const merged = merge('setup.cfg')(mine, graded);
        const result = merged === 'same' ? mine : (merged as string);
        assert.deepEqual(pytestPart(result).join('\n').trim(), pytestPart(graded).join('\n').trim());
        assert.deepEqual(
          otherParts(result).map((p) => p.trim()),
          otherParts(mine).map((p) => p.trim()),
        );
        assert.equal(merge('setup.cfg')(result, graded), 'same');
      }),
      { numRuns: 300 },
    );
  });
});
