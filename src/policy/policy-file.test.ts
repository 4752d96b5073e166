import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dependencyRules, parsePolicyFile } from './policy-file.ts';
import { parseDuration, parseSize } from './quantities.ts';

function errorsOf(text: string): string[] {
  const parsed = parsePolicyFile(text, 'policy.yaml');
  assert.equal(parsed.ok, false, 'expected the file to be rejected');
  return parsed.ok ? [] : parsed.errors.map((e) => e.describe());
}

describe('policy file errors name file:line:col and the key', () => {
  const cases: Array<[string, string, string[]]> = [
    [
      'a list given as a string',
      'version: 1\ncommands:\n  allow: "ls"\n',
      ['policy.yaml:3:10: "commands.allow" must be a list of strings'],
    ],
    [
      'a typo in a key',
      'version: 1\nfiles:\n  read: ["*"]\n  wirte: ["src/*"]\n',
      ['policy.yaml:4:3: "files.wirte" is not a known key — remove it or fix its spelling'],
    ],
    [
      'an unknown top-level key',
      'version: 1\nnetwrok: {}\n',
      ['policy.yaml:2:1: "netwrok" is not a known key — remove it or fix its spelling'],
    ],
    [
      'a non-string item',
      'version: 1\ncommands:\n  deny: ["x", 3]\n',
      ['policy.yaml:3:15: "commands.deny[1]" must be a string'],
    ],
    ['a missing version', 'files: {}\n', ['policy.yaml:1:1: "version" is required']],
    ['a wrong version', 'version: 2\n', ['policy.yaml:1:10: "version" must be 1']],
    [
      'a host without a port',
      'version: 1\nnetwork:\n  allow: ["example.com"]\n',
      [
        'policy.yaml:3:11: "network.allow[0]" must be host:port, e.g. registry.npmjs.org:443, *.example.com:443 or 10.0.0.5:8080',
      ],
    ],
    [
      'a bad duration',
      'version: 1\nlimits: { wall_time: 30x }\n',
      ['policy.yaml:2:22: "limits.wall_time" must be a duration like 30s, 10m or 1h'],
    ],
    [
      'a size without a unit',
      'version: 1\nlimits:\n  memory: 2048\n',
      ['policy.yaml:3:11: "limits.memory" must be a size like 512MiB, 2GiB or 1GB'],
    ],
    [
      'dependencies out of range',
      'version: 1\ndependencies: maybe\n',
      [
        'policy.yaml:2:15: "dependencies" must be one of allow, ask, deny, or a mapping with add, install_scripts, min_age_days, min_weekly_downloads',
      ],
    ],
    [
      'a dependency verdict out of range, in the mapping form',
      'version: 1\ndependencies:\n  add: maybe\n  install_scripts: yes\n',
      [
        'policy.yaml:3:8: "dependencies.add" must be one of allow, ask, deny',
        'policy.yaml:4:20: "dependencies.install_scripts" must be allow or deny',
      ],
    ],
    [
      'a bad dependency threshold',
      'version: 1\ndependencies: { min_age_days: -1 }\n',
      ['policy.yaml:2:31: "dependencies.min_age_days" must be a whole number, 0 or more'],
    ],
    [
      'an unknown dependency key',
      'version: 1\ndependencies: { add: ask, scripts: allow }\n',
      ['policy.yaml:2:27: "dependencies.scripts" is not a known key — remove it or fix its spelling'],
    ],
    [
      'an unknown secret act',
      'version: 1\nsecrets:\n  github: ["git.pull"]\n',
      [
        'policy.yaml:3:12: "secrets.github[0]" must be one of git.push, git.fetch, pr.create, registry.lookup',
      ],
    ],
    [
      'pull_requests that are not a list, and an unknown git key',
      'version: 1\ngit:\n  push: ["warden/*"]\n  pull_requests: main\n  merge: ["main"]\n',
      [
        'policy.yaml:4:18: "git.pull_requests" must be a list of strings',
        'policy.yaml:5:3: "git.merge" is not a known key — remove it or fix its spelling',
      ],
    ],
    [
      'a control character in a pattern',
      'version: 1\ncommands:\n  allow: ["ls\\nrm -rf /"]\n',
      ['policy.yaml:3:11: "commands.allow[0]" must not contain control characters'],
    ],
    [
      'a YAML syntax error',
      'version: 1\nfiles:\n  read: [\n',
      [
        'policy.yaml:4:1: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      ],
    ],
    ['a duplicate key', 'version: 1\nversion: 1\n', ['policy.yaml:2:1: YAML: Map keys must be unique']],
  ];
  for (const [name, text, expected] of cases) {
    test(name, () => assert.deepEqual(errorsOf(text), expected));
  }
  test('every error is reported, not only the first', () => {
    const errors = errorsOf(
      'version: 1\nfiles: { raed: [] }\ncommands: { allow: 1 }\nlimits: { processes: -1 }\n',
    );
    assert.equal(errors.length, 3);
    assert.ok(errors.every((e) => /^policy\.yaml:\d+:\d+: /.test(e)));
  });
});

test('a complete file parses', () => {
  const parsed = parsePolicyFile(
    `version: 1
files: { read: ["*"], write: ["src/*"], deny: [".env"] }
commands: { allow: ["ls*"], ask: ["npm install*"], deny: ["sudo *"] }
network: { allow: ["registry.npmjs.org:443", "*.example.com:443", "10.0.0.5:8080"] }
dependencies: ask
git: { push: ["warden/*"], pull_requests: ["main"] }
secrets: { github: ["git.push", "pr.create"] }
limits: { wall_time: 30m, command_time: 10m, memory: 2GiB, processes: 256, file_size: 1GiB, output: 1MiB, tokens: 2000000, cost: 10 }
`,
    'p.yaml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.map((e) => e.describe()).join('\n'));
});

test('dependencies: the short form and the mapping form', () => {
  const rules = (text: string) => {
    const parsed = parsePolicyFile(`version: 1\n${text}`, 'p.yaml');
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.map((e) => e.describe()).join('\n'));
    return dependencyRules(parsed.file);
  };
  assert.deepEqual(rules(''), { add: 'ask', installScripts: false });
  assert.deepEqual(rules('dependencies: allow\n'), { add: 'allow', installScripts: false });
  assert.deepEqual(
    rules(
      'dependencies: { add: deny, install_scripts: allow, min_age_days: 30, min_weekly_downloads: 50 }\n',
    ),
    { add: 'deny', installScripts: true, minAgeDays: 30, minWeeklyDownloads: 50 },
  );
  assert.deepEqual(rules('dependencies: { install_scripts: deny }\n'), { add: 'ask', installScripts: false });
});

test('durations and sizes are parsed strictly', () => {
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('10m'), 600_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  for (const bad of ['30', '1.5h', '10 m', '-5s', '0s', '1h30m', 'm', '10M'])
    assert.equal(parseDuration(bad), undefined, bad);
  assert.equal(parseSize('512MiB'), 512 * 2 ** 20);
  assert.equal(parseSize('2GiB'), 2 * 2 ** 30);
  assert.equal(parseSize('1GB'), 1e9);
  for (const bad of ['1024', '2gib', '1.5GiB', '2 GiB', '0B', 'GiB'])
    assert.equal(parseSize(bad), undefined, bad);
});
