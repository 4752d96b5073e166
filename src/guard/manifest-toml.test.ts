import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parse } from 'smol-toml';
import { addedDependencies, pypiKey } from './manifest-deps.ts';
import { renderToml, seededPick, type TomlData } from './testing/toml-styles.ts';

/**
 * Manifests generated from a model of their dependencies, written in every TOML style a person
 * (or a hostile model) might use: each dependency the model holds must be found, and only those.
 */

type Table = { [key: string]: TomlData };
interface Manifest {
  doc: Table;
  /** What the check must report for each dependency (by the registry's comparison key). */
  expected: string[];
}

const RUNS = 300;

const crateName = fc.stringMatching(/^[a-z][a-z0-9_-]{0,11}$/);
const pypiName = fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,10}[A-Za-z0-9])?$/);
const url = fc
  .tuple(
    fc.constantFrom('https://', 'git+https://', 'ssh://git@'),
    fc.stringMatching(/^[a-z]{1,8}$/),
    fc.nat(999),
  )
  .map(([scheme, host, n]) => `${scheme}${host}.example/r${n}.git`);
const version = fc.constantFrom('1', '0.8.5', '^1.2', '>=1, <2', '=1.0.0', '~2', '*');
const features = fc.array(fc.stringMatching(/^[a-z][a-z-]{0,6}$/), { maxLength: 3 });

/** A Cargo dependency spec and the name the check must report for it (undefined: local code). */
const crateSpec = (key: string, member: boolean): fc.Arbitrary<[TomlData, string | undefined]> =>
  fc.oneof(
    version.map((v): [TomlData, string] => [v, key]),
    fc.record({ version, features, optional: fc.boolean() }).map((s): [TomlData, string] => [s, key]),
    fc
      .tuple(crateName, version)
      .map(([real, v]): [TomlData, string] => [{ package: real, version: v }, real]),
    fc
      .tuple(url, fc.constantFrom('main', 'v1'))
      .map(([u, b]): [TomlData, string] => [{ git: u, branch: b }, u]),
    fc
      .tuple(crateName, version)
      .map(([reg, v]): [TomlData, string] => [{ registry: reg, version: v }, `registry:${reg}/${key}`]),
    fc.constant<[TomlData, undefined]>([{ path: `../${key}` }, undefined]),
    ...(member
      ? [fc.constant<[TomlData, undefined]>([{ workspace: true, features: ['x'] }, undefined])]
      : []),
  );

const crateTable = (member: boolean) =>
  fc
    .uniqueArray(crateName, { maxLength: 4, selector: (n) => n.replaceAll('_', '-') })
    .chain((keys) =>
      fc.tuple(...keys.map((key) => crateSpec(key, member).map((spec) => [key, spec] as const))),
    );

const CFGS = [
  'cfg(unix)',
  'cfg(target_os = "linux")',
  "cfg(all(windows, target_env = 'msvc'))",
  'x86_64-pc-windows-gnu',
];

const cargoManifest: fc.Arbitrary<Manifest> = fc
  .record({
    dependencies: crateTable(true),
    'dev-dependencies': crateTable(true),
    'build-dependencies': crateTable(true),
    targets: fc.uniqueArray(
      fc.tuple(
        fc.constantFrom(...CFGS),
        fc.constantFrom('dependencies', 'dev-dependencies'),
        crateTable(true),
      ),
      { maxLength: 3, selector: ([cfg, kind]) => `${cfg} ${kind}` },
    ),
    workspace: fc.option(crateTable(false), { nil: undefined }),
    patch: fc.uniqueArray(fc.tuple(crateName, url), { maxLength: 2, selector: ([name]) => name }),
  })
  .map((model) => {
    const expected: string[] = [];
    const section = (entries: ReadonlyArray<readonly [string, [TomlData, string | undefined]]>): Table => {
      const out: Table = {};
      for (const [key, [spec, name]] of entries) {
        out[key] = spec;
        if (name !== undefined) expected.push(name);
      }
      return out;
    };
    const doc: Table = { package: { name: 'demo', version: '0.1.0', edition: '2021' } };
    for (const name of ['dependencies', 'dev-dependencies', 'build-dependencies'] as const)
      if (model[name].length > 0) doc[name] = section(model[name]);
    const target: Table = {};
    for (const [cfg, kind, deps] of model.targets) {
      target[cfg] = { ...((target[cfg] as Table | undefined) ?? {}), [kind]: section(deps) };
    }
    if (Object.keys(target).length > 0) doc.target = target;
    if (model.workspace) doc.workspace = { members: ['crates/*'], dependencies: section(model.workspace) };
    if (model.patch.length > 0) {
      const patches: Table = {};
      for (const [key, u] of model.patch) {
        patches[key] = { git: u };
        expected.push(u);
      }
      doc.patch = { 'crates-io': patches };
    }
    return { doc, expected };
  });

const requirement: fc.Arbitrary<[string, string]> = fc.oneof(
  fc
    .record({
      name: pypiName,
      extras: fc.constantFrom('', '[socks]', '[a,b]', ' [http2] '),
      spec: fc.constantFrom('', '>=2', ' == 1.*', '~=1.4', '<3,>=2', ' (>=1.0)'),
      marker: fc.constantFrom('', '; python_version >= "3.8"', " ; sys_platform == 'win32'"),
    })
    .map(({ name, extras, spec, marker }): [string, string] => [`${name}${extras}${spec}${marker}`, name]),
  fc.tuple(pypiName, url).map(([name, u]): [string, string] => [`${name} @ ${u}`, u]),
);

const requirementList = fc.array(requirement, { maxLength: 4 });

/** A Poetry spec: a version, a table, or one table per platform (each may name a source). */
const poetrySpec = (key: string): fc.Arbitrary<[TomlData, string[]]> =>
  fc.oneof(
    version.map((v): [TomlData, string[]] => [v, [key]]),
    fc.record({ version, extras: features }).map((s): [TomlData, string[]] => [s, [key]]),
    url.map((u): [TomlData, string[]] => [{ git: u }, [u]]),
    fc.constant<[TomlData, string[]]>([{ path: '../local', develop: true }, []]),
    url.map((u): [TomlData, string[]] => [
      [
        { version: '^1', python: '<3.9' },
        { git: u, python: '>=3.9' },
      ],
      [key, u],
    ]),
  );

const poetryTable = fc
  .uniqueArray(
    pypiName.filter((n) => n.toLowerCase() !== 'python'),
    { maxLength: 3, selector: pypiKey },
  )
  .chain((keys) => fc.tuple(...keys.map((key) => poetrySpec(key).map((spec) => [key, spec] as const))));

const groupName = fc.stringMatching(/^[a-z][a-z0-9-]{0,7}$/);

const pyprojectManifest: fc.Arbitrary<Manifest> = fc
  .record({
    dependencies: requirementList,
    optional: fc.dictionary(groupName, requirementList, { maxKeys: 2 }),
    groups: fc.dictionary(groupName, requirementList, { maxKeys: 2 }),
    requires: requirementList,
    poetry: poetryTable,
    poetryGroups: fc.dictionary(groupName, poetryTable, { maxKeys: 2 }),
    uvDev: requirementList,
    uvSources: fc.uniqueArray(fc.tuple(pypiName, url), { maxLength: 2, selector: ([name]) => name }),
    uvIndex: fc.array(url, { maxLength: 2 }),
  })
  .map((model) => {
    const expected: string[] = [];
    const list = (reqs: Array<[string, string]>): string[] =>
      reqs.map(([text, name]) => {
        expected.push(name);
        return text;
      });
    const poetry = (entries: ReadonlyArray<readonly [string, [TomlData, string[]]]>): Table => {
      const out: Table = { python: '^3.11' };
      for (const [key, [spec, names]] of entries) {
        out[key] = spec;
        expected.push(...names);
      }
      return out;
    };
    const groups = Object.entries(model.groups).map(([g, reqs]): [string, TomlData] => [
      g,
      [...list(reqs), { 'include-group': 'other' }],
    ]);
    const doc: Table = {
      'build-system': { requires: list(model.requires), 'build-backend': 'hatchling.build' },
      project: {
        name: 'demo',
        version: '0.1.0',
        dependencies: list(model.dependencies),
        'optional-dependencies': Object.fromEntries(
          Object.entries(model.optional).map(([g, r]) => [g, list(r)]),
        ),
      },
      'dependency-groups': Object.fromEntries(groups),
      tool: {
        poetry: {
          dependencies: poetry(model.poetry),
          group: Object.fromEntries(
            Object.entries(model.poetryGroups).map(([g, deps]) => [
              g,
              { optional: true, dependencies: poetry(deps) },
            ]),
          ),
        },
        uv: {
          'dev-dependencies': list(model.uvDev),
          sources: Object.fromEntries(
            model.uvSources.map(([name, u]) => {
              expected.push(`${name}@${u}`);
              return [name, { git: u }];
            }),
          ),
          index: model.uvIndex.map((u, i) => {
            expected.push(u);
            return { name: `index${i}`, url: u };
          }),
        },
      },
    };
    return { doc, expected };
  });

const KINDS = [
  { path: 'Cargo.toml', manifest: cargoManifest, key: (n: string) => n.replaceAll('_', '-') },
  { path: 'sub/pyproject.toml', manifest: pyprojectManifest, key: pypiKey },
];

/** The generator writes what it means: smol-toml reads back exactly the model's data. */
function written(doc: Table, seed: number): string {
  const text = renderToml(doc, seededPick(seed));
  const plain = (value: unknown) => JSON.parse(JSON.stringify(value));
  assert.deepEqual(plain(parse(text)), plain(doc), `the generator wrote invalid TOML:\n${text}`);
  return text;
}

for (const { path, manifest, key } of KINDS) {
  test(`${path}: every dependency is found, however the TOML is written`, () => {
    fc.assert(
      fc.property(manifest, fc.integer(), ({ doc, expected }, seed) => {
        const result = addedDependencies(path, undefined, written(doc, seed));
        assert.ok(result.ok, result.ok ? '' : result.error);
        assert.deepEqual(new Set(result.added.map((d) => key(d.name))), new Set(expected.map(key)));
      }),
      { numRuns: RUNS },
    );
  });

  test(`${path}: against an earlier version written in another style, exactly the new ones`, () => {
    fc.assert(
      fc.property(manifest, manifest, fc.integer(), fc.integer(), (then, now, seed1, seed2) => {
        const result = addedDependencies(path, written(then.doc, seed1), written(now.doc, seed2));
        assert.ok(result.ok, result.ok ? '' : result.error);
        const known = new Set(then.expected.map(key));
        const fresh = new Set(now.expected.map(key).filter((k) => !known.has(k)));
        assert.deepEqual(new Set(result.added.map((d) => key(d.name))), fresh);
      }),
      { numRuns: RUNS },
    );
  });

  test(`${path}: a document that is not TOML is an explicit error, never "nothing added"`, () => {
    const breakages = [
      '\n[dependencies',
      '\nname = "again"\nname = "twice"',
      '\n[package]\n[package]',
      '\nx = "unterminated',
      '\nx = { a = 1,, }',
      '\n[[project]]\n[project]',
      '\nkey = ',
      '\n"\\q" = 1',
    ];
    fc.assert(
      fc.property(manifest, fc.integer(), fc.constantFrom(...breakages), ({ doc }, seed, tail) => {
        const result = addedDependencies(path, undefined, written(doc, seed) + tail);
        assert.equal(result.ok, false, tail);
        assert.match(result.ok ? '' : result.error, /not valid TOML \(line \d+, column \d+: /);
      }),
      { numRuns: RUNS / 3 },
    );
  });
}
