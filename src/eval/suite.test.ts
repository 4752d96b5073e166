import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WardenError } from '../errors.ts';
import { loadSuite } from './suite.ts';
import { DEFAULT_TEST_COMMAND } from './suite-schema.ts';
import { buildFixtureRepository, SWE_BENCH_SUITE } from './testing/swe-bench-fixture.ts';

let dir: string;
let repos: string;
let gitRepo: string;
let plain: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-suite-'));
  repos = join(dir, 'repos');
  gitRepo = buildFixtureRepository(repos).dir;
  plain = join(dir, 'projects', 'plain');
  mkdirSync(plain, { recursive: true });
  writeFileSync(join(plain, 'sum.py'), 'def add(a, b):\n    return a - b\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** An instance of the plain project, with what a test changes. */
function instance(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    instance_id: 'plain-1',
    repository: 'projects/plain',
    problem_statement: 'add subtracts',
    test_patch: '',
    FAIL_TO_PASS: ['test_sum.py::test_add'],
    PASS_TO_PASS: [],
    ...fields,
  };
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function jsonl(name: string, ...rows: Array<Record<string, unknown>>): string {
  return write(name, `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
}

function refused(load: () => unknown, expected: { where: string | RegExp; message: RegExp; hint?: RegExp }) {
  assert.throws(load, (error: unknown) => {
    assert.ok(error instanceof WardenError, String(error));
    assert.equal(error.code, 'eval.suite');
    if (typeof expected.where === 'string') assert.equal(error.where, expected.where);
    else assert.match(error.where ?? '', expected.where);
    assert.match(error.message, expected.message);
    if (expected.hint) assert.match(error.hint ?? '', expected.hint);
    return true;
  });
}

describe('loadSuite: SWE-bench Lite as it is published', () => {
  it('finds repo owner/name under --repos and decodes the string-encoded test lists', () => {
    const suite = loadSuite(SWE_BENCH_SUITE, { repos });
    assert.equal(suite.name, 'instances');
    assert.match(suite.digest, /^[0-9a-f]{64}$/);
    const [only] = suite.instances;
    assert.equal(suite.instances.length, 1);
    assert.equal(only?.id, 'warden-fixtures__humanize-98');
    assert.equal(only?.repository, gitRepo);
    assert.equal(only?.baseCommit, '76cd82fa22c403bc4df9aeab4ef48544e90b36e7');
    assert.deepEqual(only?.failToPass, [
      'tests/test_filesize.py::test_naturalsize[1000-1.0 kB]',
      'tests/test_filesize.py::test_naturalsize_binary_boundary',
    ]);
    assert.equal(only?.passToPass.length, 8);
    assert.equal(only?.testCommand, DEFAULT_TEST_COMMAND);
    assert.equal(only?.timeoutSeconds, 600);
    assert.equal(only?.setup, undefined);
    assert.match(only?.testPatch ?? '', /^diff --git a\/tests\/test_filesize.py/);
  });

  it('finds a repo as DIR/owner/name and DIR/name too', () => {
    for (const layout of ['owner/name', 'name']) {
      const root = join(dir, `layout-${layout.replace('/', '-')}`);
      const target = join(root, layout === 'name' ? 'humanize' : 'warden-fixtures/humanize');
      mkdirSync(join(target, '.git'), { recursive: true });
      assert.equal(loadSuite(SWE_BENCH_SUITE, { repos: root }).instances[0]?.repository, target);
    }
  });

  it('--test-command replaces every instance command', () => {
    const suite = loadSuite(SWE_BENCH_SUITE, { repos, testCommand: 'pytest -x {tests}' });
    assert.equal(suite.instances[0]?.testCommand, 'pytest -x {tests}');
  });
});

describe("loadSuite: Warden's own suites", () => {
  it('a JSON array, a named JSON object and YAML load alike; a plain directory needs no base_commit', () => {
    const files = [
      write('array.json', JSON.stringify([instance()])),
      write('named.json', JSON.stringify({ name: 'mine', instances: [instance()] })),
      write(
        'suite.yaml',
        [
          'name: yaml-suite',
          'instances:',
          '  - instance_id: plain-1',
          '    repository: projects/plain',
          '    problem_statement: add subtracts',
          '    FAIL_TO_PASS: [test_sum.py::test_add]',
          '    setup: make build',
          '    timeout: 90',
          "    test_command: 'python3 -m unittest {test}'",
          '',
        ].join('\n'),
      ),
    ];
    const suites = files.map((file) => loadSuite(file));
    assert.deepEqual(
      suites.map((suite) => suite.name),
      ['array', 'mine', 'yaml-suite'],
    );
    for (const suite of suites) {
      assert.equal(suite.instances[0]?.repository, plain);
      assert.equal(suite.instances[0]?.baseCommit, undefined);
      assert.deepEqual(suite.instances[0]?.passToPass, []);
    }
    const yaml = suites[2]?.instances[0];
    assert.deepEqual(
      [yaml?.setup, yaml?.timeoutSeconds, yaml?.testCommand],
      ['make build', 90, 'python3 -m unittest {test}'],
    );
  });

  it('a repository may be an absolute path or a git URL, which wins over repo', () => {
    const file = jsonl(
      'urls.jsonl',
      instance({ instance_id: 'a', repository: plain }),
      instance({
        instance_id: 'b',
        repository: 'https://example.org/x/y.git',
        repo: 'x/y',
        base_commit: 'abc1234',
      }),
    );
    const [a, b] = loadSuite(file).instances;
    assert.equal(a?.repository, plain);
    assert.deepEqual([b?.repository, b?.baseCommit], ['https://example.org/x/y.git', 'abc1234']);
  });
});

describe('loadSuite: what it refuses, and where', () => {
  it('a duplicate instance id names both lines', () => {
    const file = jsonl('dup.jsonl', instance(), instance({ instance_id: 'other' }), instance());
    refused(() => loadSuite(file), {
      where: `${file}:3`,
      message: new RegExp(`"plain-1" is used twice \\(first at ${file}:1\\)`),
    });
  });

  it('an empty FAIL_TO_PASS', () => {
    const file = jsonl('empty.jsonl', instance({ FAIL_TO_PASS: '[]' }));
    refused(() => loadSuite(file), {
      where: `${file}:1`,
      message: /instance "plain-1": \$\.FAIL_TO_PASS is empty/,
    });
  });

  it('a test list string that is not JSON, or not a list of names', () => {
    const bad = jsonl('bad-list.jsonl', instance({ PASS_TO_PASS: '["a", "b"' }));
    refused(() => loadSuite(bad), {
      where: `${bad}:1`,
      message: /\$\.PASS_TO_PASS is a string that does not hold a JSON array/,
    });
    const numbers = jsonl('numbers.jsonl', instance({ FAIL_TO_PASS: '["a", 3]' }));
    refused(() => loadSuite(numbers), {
      where: `${numbers}:1`,
      message: /\$\.FAIL_TO_PASS item \[1\] is not a string/,
    });
  });

  it('no repository at all: how to give one', () => {
    const { repository: _none, ...rest } = instance();
    const file = jsonl('norepo.jsonl', rest);
    refused(() => loadSuite(file), {
      where: `${file}:1`,
      message: /names no repository/,
      hint: /--repos DIR.*|repository/,
    });
    const swe = jsonl('swe.jsonl', { ...rest, repo: 'acme/widgets', base_commit: 'abc1234' });
    refused(() => loadSuite(swe), {
      where: `${swe}:1`,
      message: /repo "acme\/widgets" needs --repos DIR/,
      hint: /"repository" field/,
    });
  });

  it('a repo that is not under --repos lists where it looked', () => {
    const file = jsonl('missing.jsonl', {
      ...instance(),
      repository: undefined,
      repo: 'acme/widgets',
      base_commit: 'abc1234',
    });
    refused(() => loadSuite(file, { repos }), {
      where: `${file}:1`,
      message: new RegExp(`repo "acme/widgets" is not under ${repos}`),
      hint: /acme__widgets.*acme\/widgets.*widgets/,
    });
  });

  it('a repository path that is not a directory, and a URL it cannot clone', () => {
    const file = jsonl('nodir.jsonl', instance({ repository: 'projects/none' }));
    refused(() => loadSuite(file), { where: `${file}:1`, message: /projects\/none is not a directory/ });
    const ssh = jsonl(
      'ssh.jsonl',
      instance({ repository: 'git@github.com:acme/widgets.git', base_commit: 'abc1234' }),
    );
    refused(() => loadSuite(ssh), { where: `${ssh}:1`, message: /a URL Warden cannot clone/, hint: /https/ });
  });

  it('a git repository without base_commit; a plain directory with one', () => {
    const git = jsonl('nobase.jsonl', instance({ repository: gitRepo }));
    refused(() => loadSuite(git), { where: `${git}:1`, message: /\$\.base_commit is missing/ });
    const dirWithBase = jsonl('plainbase.jsonl', instance({ base_commit: 'abc1234' }));
    refused(() => loadSuite(dirWithBase), { where: `${dirWithBase}:1`, message: /not a git repository/ });
  });

  it('a line that is not JSON, a missing field, a wrong type', () => {
    const broken = write('broken.jsonl', `${JSON.stringify(instance())}\n{"instance_id": \n`);
    refused(() => loadSuite(broken), { where: `${broken}:2`, message: /not valid JSON/ });
    const { problem_statement: _gone, ...rest } = instance();
    const missing = jsonl('nostatement.jsonl', rest);
    refused(() => loadSuite(missing), { where: `${missing}:1`, message: /\$\.problem_statement is missing/ });
    const typed = jsonl('timeout.jsonl', instance({ timeout: '10m' }));
    refused(() => loadSuite(typed), { where: `${typed}:1`, message: /\$\.timeout must be a number/ });
  });

  it('YAML and JSON problems point at the line of the field', () => {
    const yaml = write(
      'bad.yaml',
      [
        'instances:',
        '  - instance_id: a',
        '    repository: projects/plain',
        '    problem_statement: x',
        '    FAIL_TO_PASS: []',
        '',
      ].join('\n'),
    );
    refused(() => loadSuite(yaml), { where: `${yaml}:5:5`, message: /\$\.FAIL_TO_PASS is empty/ });
    const json = write(
      'bad.json',
      JSON.stringify([instance(), instance({ instance_id: 'b', timeout: -1 })], null, 2),
    );
    refused(() => loadSuite(json), {
      where: new RegExp(`^${json}:\\d+:\\d+$`),
      message: /instance "b": \$\.timeout must be a positive/,
    });
  });

  it('a test command with neither {tests} nor {test}, from the file or --test-command', () => {
    const file = jsonl('cmd.jsonl', instance({ test_command: 'make test' }));
    refused(() => loadSuite(file), {
      where: `${file}:1`,
      message: /neither \{tests\} nor \{test\}/,
      hint: /\{tests\}/,
    });
    refused(() => loadSuite(SWE_BENCH_SUITE, { repos, testCommand: 'pytest' }), {
      where: '--test-command',
      message: /neither/,
    });
  });

  it('a file that is not there, or not a suite', () => {
    refused(() => loadSuite(join(dir, 'nope.jsonl')), {
      where: join(dir, 'nope.jsonl'),
      message: /does not exist/,
    });
    const toml = write('suite.toml', '');
    refused(() => loadSuite(toml), { where: toml, message: /\.jsonl, \.json, \.yaml or \.yml/ });
    const empty = write('empty.jsonl', '\n\n');
    refused(() => loadSuite(empty), { where: empty, message: /no instances/ });
  });
});
