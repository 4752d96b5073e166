import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addedDependencies, manifestEcosystem } from './manifest-deps.ts';

function added(path: string, before: string | undefined, after: string): string[] {
  const result = addedDependencies(path, before, after);
  assert.ok(result.ok, result.ok ? '' : result.error);
  return result.added.map((dep) => dep.name);
}

test('manifests are known by file name, wherever they are', () => {
  assert.equal(manifestEcosystem('package.json'), 'npm');
  assert.equal(manifestEcosystem('packages/web/package.json'), 'npm');
  assert.equal(manifestEcosystem('requirements-dev.txt'), 'pypi');
  assert.equal(manifestEcosystem('requirements/test.txt'), 'pypi');
  assert.equal(manifestEcosystem('tools/pyproject.toml'), 'pypi');
  assert.equal(manifestEcosystem('crates/x/Cargo.toml'), 'crates');
  assert.equal(manifestEcosystem('go.mod'), 'go');
  assert.equal(manifestEcosystem('package-lock.json'), undefined);
  assert.equal(manifestEcosystem('src/requirements.py'), undefined);
});

describe('package.json', () => {
  const before = JSON.stringify({ name: 'x', dependencies: { lodash: '^4.17.0' } }, null, 2);

  test('new names in every dependency section; changed versions are not new', () => {
    const after = JSON.stringify({
      name: 'x',
      dependencies: { lodash: '^4.18.0', express: '^4' },
      devDependencies: { '@types/node': '*' },
      optionalDependencies: { fsevents: '2' },
      peerDependencies: { react: '>=18' },
      scripts: { test: 'node --test' },
    });
    assert.deepEqual(added('package.json', before, after), ['express', '@types/node', 'fsevents', 'react']);
  });

  test('an alias installs its target; remote specs name their source; local paths are left out', () => {
    const after = JSON.stringify({
      dependencies: {
        lodash: 'npm:lodahs@4.17.21',
        left: 'github:evil/left-pad',
        right: 'evil/right-pad#main',
        tar: 'https://evil.example/x.tgz',
        local: 'file:../local',
        linked: 'link:../linked',
        sibling: 'workspace:*',
      },
    });
    assert.deepEqual(added('package.json', before, after), [
      'lodahs',
      'github:evil/left-pad',
      'evil/right-pad#main',
      'https://evil.example/x.tgz',
      'local@file:../local',
      'linked@link:../linked',
    ]);
  });

  test('overrides that swap a package in the tree', () => {
    const after = JSON.stringify({
      dependencies: { lodash: '^4' },
      overrides: { 'a-dep': { lodash: 'npm:evil-lodash@1' } },
    });
    assert.deepEqual(added('package.json', before, after), ['evil-lodash']);
  });

  test('a new file adds all it names; an unreadable old one counts as empty', () => {
    assert.deepEqual(added('package.json', undefined, before), ['lodash']);
    assert.deepEqual(added('package.json', '{ not json', before), ['lodash']);
  });

  test('an unreadable result is an error, not "nothing added"', () => {
    const result = addedDependencies('package.json', before, '{"dependencies": {"x": "1"}');
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.error, /^package\.json: not valid JSON/);
    assert.equal(addedDependencies('package.json', before, '{"dependencies": []}').ok, false);
  });
});

test('requirements files: versions, extras, markers, continuations, options and sources', () => {
  const before = 'requests==2.31.0\n';
  const after = [
    '# pinned',
    'Requests==2.32.0  # same package, other spelling and version',
    'rich[jupyter]>=13 ; python_version >= "3.8"',
    'python_dateutil \\',
    '    >=2.8',
    '-r other.txt',
    '-c constraints.txt',
    '--extra-index-url https://evil.example/simple',
    '-e .',
    '-e git+https://github.com/evil/pkg.git#egg=pkg',
    './local/wheel.whl',
    'flask @ https://evil.example/flask.tar.gz',
    'attrs',
  ].join('\n');
  assert.deepEqual(added('requirements.txt', before, after), [
    'rich',
    'python_dateutil',
    'https://evil.example/simple',
    'git+https://github.com/evil/pkg.git#egg=pkg',
    'https://evil.example/flask.tar.gz',
    'attrs',
  ]);
});

test('pyproject.toml: project, optional and group dependencies, build requirements, poetry', () => {
  const before = '[project]\nname = "x"\ndependencies = ["requests"]\n';
  const after = `[build-system]
requires = ["hatchling"]

[project]
name = "x"
dependencies = [
  "requests>=2",
  "httpx[http2]",
]

[project.optional-dependencies]
dev = ["pytest>=8"]

[dependency-groups]
lint = ["ruff", { include-group = "dev" }]

[tool.poetry.dependencies]
python = "^3.11"
Django = "^5"
mylib = { path = "../mylib" }
forked = { git = "https://github.com/evil/forked.git" }

[tool.poetry.group.docs.dependencies]
mkdocs = "*"
`;
  assert.deepEqual(added('pyproject.toml', before, after), [
    'httpx',
    'pytest',
    'ruff',
    'hatchling',
    'Django',
    'https://github.com/evil/forked.git',
    'mkdocs',
  ]);
});

test('Cargo.toml: every dependency table form, renames, targets, git and path sources', () => {
  const before = '[package]\nname = "x"\n\n[dependencies]\nserde = "1"\n';
  const after = `[package]
name = "x"

[dependencies]
serde = { version = "1", features = ["derive"] }
tokio = "1"
json = { package = "serde_json", version = "1" }
local = { path = "../local" }
forked = { git = "https://github.com/evil/forked" }

[dependencies.rand]
version = "0.8"

[dev-dependencies]
proptest = "1"

[build-dependencies]
cc = "1"

[target.'cfg(unix)'.dependencies]
libc = "0.2"
`;
  assert.deepEqual(added('Cargo.toml', before, after), [
    'tokio',
    'serde_json',
    'https://github.com/evil/forked',
    'rand',
    'proptest',
    'cc',
    'libc',
  ]);
  const broken = addedDependencies('Cargo.toml', before, '[dependencies\nserde = "1"');
  assert.equal(broken.ok, false);
  assert.match(broken.ok ? '' : broken.error, /^Cargo\.toml: not valid TOML \(line 1, column 14: /);
});

test('go.mod: require lines and blocks, and replacements by other modules', () => {
  const before = 'module example.com/x\n\ngo 1.22\n\nrequire golang.org/x/text v0.14.0\n';
  const after = `module example.com/x

go 1.22

require golang.org/x/text v0.15.0

require (
	github.com/spf13/cobra v1.8.0 // cli
	github.com/google/uuid v1.6.0 // indirect
)

replace golang.org/x/net => github.com/evil/net v0.1.0

replace (
	example.com/local => ../local
)
`;
  assert.deepEqual(added('go.mod', before, after), [
    'github.com/spf13/cobra',
    'github.com/google/uuid',
    'github.com/evil/net',
  ]);
});

test('other files add nothing', () => {
  assert.deepEqual(added('src/index.ts', undefined, 'import x from "lodash";'), []);
});

test('an scp-style git spec under an existing name is a new source, not the old package', () => {
  const before = JSON.stringify({ dependencies: { lodash: '^4.17.0', a: '1.x', b: 'latest' } });
  const after = JSON.stringify({
    dependencies: {
      lodash: 'git@github.com:evil/lodash.git',
      a: 'git+ssh://git@github.com/evil/a.git#v1',
      b: 'bitbucket:evil/b',
      c: '>=1.0.0 <2 || ^3',
    },
    overrides: { d: '$lodash' },
  });
  assert.deepEqual(added('package.json', before, after), [
    'git@github.com:evil/lodash.git',
    'git+ssh://git@github.com/evil/a.git#v1',
    'bitbucket:evil/b',
    'c',
  ]);
});

test('pyproject.toml: uv and PDM dependency lists and every table that redirects a source', () => {
  const before = '[project]\nname = "x"\ndependencies = ["requests"]\n';
  const after = [
    '[project]',
    'name = "x"',
    'dependencies = ["requests"]',
    '[tool.uv]',
    'dev-dependencies = ["pytest", "evil-dev"]',
    'override-dependencies = ["evil-override"]',
    '[tool.uv.sources]',
    'requests = { git = "https://evil.example/requests" }',
    'local = { path = "../outside" }',
    'named = { index = "evil" }',
    'sibling = { workspace = true }',
    '[[tool.uv.index]]',
    'name = "evil"',
    'url = "https://evil.example/simple"',
    '[[tool.poetry.source]]',
    'name = "p"',
    'url = "https://evil.example/poetry"',
    '[tool.pdm.dev-dependencies]',
    'test = ["evil-pdm"]',
    '[[tool.pdm.source]]',
    'name = "q"',
    'url = "https://evil.example/pdm"',
  ].join('\n');
  assert.deepEqual(added('pyproject.toml', before, after), [
    'pytest',
    'evil-dev',
    'evil-override',
    'evil-pdm',
    'requests@https://evil.example/requests',
    'local@../outside',
    'named@evil',
    'https://evil.example/simple',
    'https://evil.example/poetry',
    'https://evil.example/pdm',
  ]);
});

test('Cargo.toml: [replace] swaps a crate for another source', () => {
  const before = '[dependencies]\nserde = "1"\n';
  const after =
    '[dependencies]\nserde = "1"\n\n[replace]\n"serde:1.0.0" = { git = "https://evil.example/serde" }\n';
  assert.deepEqual(added('Cargo.toml', before, after), ['https://evil.example/serde']);
});
