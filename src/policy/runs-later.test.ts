import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { stringify as toToml } from 'smol-toml';
import { type CommandIo, main } from '../cli/main.ts';
import { compileToPolicy } from './engine.ts';
import { explainPolicy } from './explain.ts';
import { loadPolicy } from './load.ts';
import { parsePolicyFile } from './policy-file.ts';
import { classifyRunsLater, entryPatterns, foldPath, runsLaterSubjects, watchedPath } from './runs-later.ts';
import { RUNS_LATER_CATALOG, type RunsLaterEntry } from './runs-later-catalog.ts';
import { ruleId } from './runs-later-rules.ts';
import type { WriteContent } from './types.ts';

async function policyFrom(text: string) {
  const parsed = parsePolicyFile(text, 'test.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.describe()).join('\n'));
  return compileToPolicy(parsed.file, 'test.yaml');
}

const WRITE_ANYTHING = 'version: 1\nfiles: { read: ["*"], write: ["*"] }\n';
const policy = await policyFrom(WRITE_ANYTHING);

const name = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,7}(\.[a-z]{1,4})?$/);
const directory = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,7}$/);

/**
 * A path a consumer would read as this pattern: each `*` filled in, below any directories, in any
 * letter case — with the Kelvin sign for a k and a long s for an s, which a case-insensitive file
 * system (macOS, Windows) folds to the same name — and, as Windows drops them, trailing dots.
 */
function pathFor(pattern: string): fc.Arbitrary<string> {
  const stars = pattern.split('*').length - 1;
  return fc
    .record({
      fills: fc.array(
        fc.oneof(
          name,
          fc.tuple(directory, name).map(([d, n]) => `${d}/${n}`),
        ),
        {
          minLength: stars,
          maxLength: stars,
        },
      ),
      parents: fc.array(directory, { maxLength: 3 }),
      cases: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 64, maxLength: 64 }),
      dots: fc.constantFrom('', '', '', '.', ' .'),
    })
    .map(({ fills, parents, cases, dots }) => {
      const parts = pattern.split('*');
      const filled = parts.map((part, i) => part + (i < fills.length ? fills[i] : '')).join('');
      const varied = [...filled]
        .map((ch, i) => {
          const pick = cases[i % cases.length] ?? 0;
          if (ch === 'k' && pick === 3) return '\u212a';
          if (ch === 's' && pick === 3) return '\u017f';
          return pick % 2 === 1 ? ch.toUpperCase() : ch;
        })
        .join('');
      return [...parents, varied + dots].join('/');
    });
}

/** A write whose content changes the watched key: `package.json#scripts.postinstall` and the like. */
function contentFor(file: string, key: string): fc.Arbitrary<WriteContent> {
  const segments = key.split('.').map((s) => (s === '*' ? 'wheel' : s));
  const nest = (value: unknown) =>
    segments.reduceRight<unknown>((inner, segment) => ({ [segment]: inner }), value);
  return fc
    .record({
      value: fc.string({ minLength: 1, maxLength: 12 }),
      existed: fc.boolean(),
      other: fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
    })
    .map(({ value, existed, other }) => {
      const before = { name: 'x', version: '1.0.0', ...(file.endsWith('.toml') ? {} : { other }) };
      const after = { ...before, ...(nest(value) as object) };
      const write = (doc: object) => (file.endsWith('.toml') ? toToml(doc) : JSON.stringify(doc, null, 2));
      return existed ? { before: write(before), after: write(after) } : { after: write(after) };
    });
}

function samples(entry: RunsLaterEntry): Array<fc.Arbitrary<[string, WriteContent | undefined]>> {
  return entry.paths.map((pattern) => {
    const hash = pattern.indexOf('#');
    if (hash < 0) return pathFor(pattern).map((path): [string, undefined] => [path, undefined]);
    const [file, key] = [pattern.slice(0, hash), pattern.slice(hash + 1)];
    if (key === '?')
      return pathFor(file).map((path): [string, WriteContent] => [path, { after: '{ not json' }]);
    return fc
      .tuple(fc.array(directory, { maxLength: 2 }), contentFor(file, key))
      .map(([parents, content]): [string, WriteContent] => [[...parents, file].join('/'), content]);
  });
}

describe('every kind of file that runs later is asked about, however its path is spelt', () => {
  for (const entry of RUNS_LATER_CATALOG) {
    test(`${ruleId(entry)}: ${entry.what}`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(...samples(entry)), async ([path, content]) => {
          const decision = await policy.decide({ kind: 'file.write', path, ...(content ? { content } : {}) });
          assert.equal(decision.decision, 'ask', `${path}: ${decision.reason}`);
          assert.ok(
            decision.runsLater?.some((m) => m.rule === ruleId(entry)),
            `${path} is ${ruleId(entry)}: ${JSON.stringify(decision.runsLater)}`,
          );
          assert.match(
            decision.reason,
            new RegExp(`runs outside the sandbox later — .*${literal(entry.runs)}`),
          );
          assert.ok(
            classifyRunsLater(path, content).includes(entry),
            'the report classifies it the same way',
          );
          assert.ok(watchedPath(path), 'a command writing it is looked for');
        }),
        { numRuns: 40 },
      );
    });
  }
});

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('the compiled Cedar rules and the reports’ classifier agree on any path', async () => {
  const fragment = fc.constantFrom(
    ...'.github workflows actions ci.yml .vscode tasks.json .devcontainer src a .envrc package.json AGENTS.md .husky pre-commit x.policy.yaml Jenkinsfile .gitlab-ci.yml CODEOWNERS docs .idea .claude settings.json mise.toml .tool-versions setup.py .yarn releases gradle wrapper .cargo config.toml README.md Makefile'.split(
      ' ',
    ),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(fragment, { minLength: 1, maxLength: 4 }),
      fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
      async (parts, upper) => {
        const path = [...parts.join('/')].map((c, i) => (upper[i % 40] ? c.toUpperCase() : c)).join('');
        const decision = await policy.decide({ kind: 'file.write', path });
        const cedar = (decision.runsLater ?? []).map((m) => m.rule).sort();
        const js = classifyRunsLater(path).map(ruleId).sort();
        assert.deepEqual(cedar, js, path);
        assert.equal(decision.decision, js.length > 0 ? 'ask' : 'allow', path);
      },
    ),
    { numRuns: 300 },
  );
});

test('ordinary files, and files only a person runs on purpose, are not in the category', async () => {
  for (const path of [
    'src/index.ts',
    'README.md',
    'docs/guide.md',
    'Makefile',
    'Dockerfile',
    'docker-compose.yml',
    'build.rs',
    'Cargo.toml',
    'go.mod',
    '.nvmrc',
    '.python-version',
    '.gitignore',
    '.editorconfig',
    '.github/dependabot.yml',
    '.github/ISSUE_TEMPLATE/bug.md',
    '.github/workflow/ci.yml',
    'github/workflows/ci.yml',
    'src/husky.ts',
    'vscode/tasks.json',
    'envrc',
    'test/agents.test.ts',
    'src/setup.py.txt',
  ]) {
    const decision = await policy.decide({ kind: 'file.write', path });
    assert.equal(decision.decision, 'allow', `${path}: ${decision.reason}`);
    assert.equal(decision.runsLater, undefined, path);
  }
});

test('package.json, pyproject.toml and composer.json: the change decides, not the file', async () => {
  const pkg = (scripts: object, extra: object = {}) => JSON.stringify({ name: 'x', scripts, ...extra });
  const decide = (path: string, content?: WriteContent) =>
    policy.decide({ kind: 'file.write', path, ...(content ? { content } : {}) });
  const bump = {
    before: pkg({ test: 'node --test' }),
    after: pkg({ test: 'node --test' }, { dependencies: { a: '1' } }),
  };
  assert.equal((await decide('package.json', bump)).decision, 'allow');
  assert.equal(
    (await decide('package.json', { before: pkg({ test: 'a' }), after: pkg({ test: 'b' }) })).decision,
    'allow',
  );
  const planted = await decide('web/package.json', { before: pkg({}), after: pkg({ prepare: 'node x' }) });
  assert.equal(planted.decision, 'ask');
  assert.deepEqual(planted.policies, ['runs_later.package_scripts:npm-lifecycle']);
  assert.equal(
    (await decide('package.json', { before: pkg({ postinstall: 'a' }), after: pkg({ postinstall: 'b' }) }))
      .decision,
    'ask',
  );
  // Removing one, or deleting the file, runs nothing new.
  assert.equal(
    (await decide('package.json', { before: pkg({ postinstall: 'a' }), after: pkg({}) })).decision,
    'ask',
  );
  assert.equal(
    (await decide('package.json', { before: pkg({ postinstall: 'a' }), after: undefined })).decision,
    'allow',
  );
  // Unknown or unreadable content is a question.
  assert.equal((await decide('package.json')).decision, 'ask');
  assert.equal((await decide('package.json', { after: '{ "scripts": ' })).decision, 'ask');
  const hooks = await decide('package.json', {
    before: pkg({}),
    after: pkg({}, { husky: { hooks: { 'pre-commit': 'x' } } }),
  });
  assert.deepEqual(hooks.policies, ['runs_later.git_hooks:package-json-hooks']);
  const corepack = await decide('package.json', {
    before: pkg({}),
    after: pkg({}, { packageManager: 'yarn@https://x/y.js' }),
  });
  assert.deepEqual(corepack.policies, ['runs_later.package_scripts:package-manager']);

  const project = (extra: string) => `[project]\nname = "x"\ndependencies = ["a"]\n${extra}`;
  const deps = { before: project(''), after: project('').replace('["a"]', '["a", "b"]') };
  assert.equal((await decide('pyproject.toml', deps)).decision, 'allow');
  const backend = {
    before: project(''),
    after: project('[build-system]\nbuild-backend = "evil"\nbackend-path = ["."]\n'),
  };
  assert.deepEqual((await decide('pyproject.toml', backend)).policies, [
    'runs_later.package_scripts:python-build',
  ]);
  const composer = { before: '{"require":{}}', after: '{"require":{},"scripts":{"post-install-cmd":"x"}}' };
  assert.deepEqual((await decide('composer.json', composer)).policies, [
    'runs_later.package_scripts:composer-lifecycle',
  ]);
  assert.deepEqual(runsLaterSubjects('a/Package.JSON', bump), ['a/package.json']);
});

test('a write the files rules refuse stays refused; a deletion is not asked about', async () => {
  const narrow = await policyFrom('version: 1\nfiles: { read: ["*"], write: ["src/*"] }\n');
  const refused = await narrow.decide({ kind: 'file.write', path: '.github/workflows/ci.yml' });
  assert.equal(refused.decision, 'deny');
  assert.equal(refused.runsLater?.[0]?.rule, 'runs_later.ci:github-actions', 'still listed as one');
  const gone = await policy.decide({
    kind: 'file.write',
    path: '.envrc',
    content: { before: 'x', after: undefined },
  });
  assert.equal(gone.decision, 'allow');
});

test('each sub-category takes allow, ask or deny in the policy file; unset, all are asked', async () => {
  const mixed = await policyFrom(`${WRITE_ANYTHING}runs_later: { ci: allow, env_loaders: deny }\n`);
  const ci = await mixed.decide({ kind: 'file.write', path: '.github/workflows/ci.yml' });
  assert.equal(ci.decision, 'allow');
  assert.deepEqual(ci.policies, ['files.write[0]', 'runs_later.ci:github-actions']);
  const envrc = await mixed.decide({ kind: 'file.write', path: '.envrc' });
  assert.equal(envrc.decision, 'deny');
  assert.deepEqual(envrc.policies, ['runs_later.env_loaders:direnv']);
  assert.equal((await mixed.decide({ kind: 'file.write', path: 'AGENTS.md' })).decision, 'ask');
  const none = await policyFrom(`${WRITE_ANYTHING}runs_later: allow\n`);
  assert.equal((await none.decide({ kind: 'file.write', path: '.husky/pre-commit' })).decision, 'allow');

  const bad = parsePolicyFile(`${WRITE_ANYTHING}runs_later: { cl: ask, ide: maybe }\n`, 'p.yaml');
  assert.equal(bad.ok, false);
  const messages = bad.ok ? [] : bad.errors.map((e) => e.describe());
  assert.ok(
    messages.some((m) => /p\.yaml:3:15.*"runs_later\.cl" is not a known key/.test(m)),
    messages.join('\n'),
  );
  assert.ok(
    messages.some((m) => /"runs_later\.ide" must be one of allow, ask, deny/.test(m)),
    messages.join('\n'),
  );
});

test('folding: what a case-insensitive file system would open', () => {
  assert.equal(foldPath('.VSCode/Tasks.JSON'), '.vscode/tasks.json');
  assert.equal(foldPath('.hus\u212ay/pre-commit'), '.husky/pre-commit');
  assert.equal(foldPath('.github/workflows/\u017fecret.yml'), '.github/workflows/secret.yml');
  assert.equal(foldPath('.envrc. '), '.envrc');
});

test('explain shows each sub-category’s verdict and warns of one written without asking', async () => {
  const explained = explainPolicy(await policyFrom(`${WRITE_ANYTHING}runs_later: { ci: allow }\n`));
  assert.match(explained.text, /Runs later, outside the sandbox/);
  assert.match(explained.text, /\n {2}ci: +allow +CI and build pipelines: \.github\/workflows\/\*/);
  assert.match(explained.text, /\n {2}agent_instructions: +ask +agent instructions: agents\.md/);
  assert.ok(explained.warnings.some((w) => w.rule === 'runs_later.ci'));
});

test('warden policy test names the category, its rule and what would run the file', async () => {
  let out = '';
  const io: CommandIo = {
    cwd: process.cwd(),
    env: {},
    stdout: (t) => (out += t),
    stderr: () => {},
    stdoutIsTty: false,
    stdin: process.stdin,
    stdinIsTty: false,
  };
  assert.equal(await main(['policy', 'test', 'write: .github/workflows/release.yml'], io), 0);
  assert.match(
    out,
    /^ASK {2}write \.github\/workflows\/release\.yml: runs outside the sandbox later — GitHub Actions workflow: runs in CI with the repository secrets on every push/,
  );
  assert.match(out, /policies: runs_later\.ci:github-actions/);
});

test('a write whose path is a catalog directory is one of the category: a link, or cargo --target-dir .vscode', async () => {
  for (const entry of RUNS_LATER_CATALOG) {
    for (const path of entryPatterns(entry).filter((p) => !p.includes('*') && !p.includes('#'))) {
      const decision = await policy.decide({ kind: 'file.write', path });
      assert.equal(decision.decision, 'ask', `${path}: ${decision.reason}`);
    }
  }
  const defaults = await loadPolicy();
  for (const command of [
    'cargo build --target-dir .vscode',
    'cargo test --target-dir=sub/.github/workflows',
  ]) {
    const decision = await defaults.decide({ kind: 'shell', command });
    assert.equal(decision.decision, 'ask', `${command}: ${decision.reason}`);
    assert.match(decision.reason, /runs outside the sandbox later — .*runs_later\.(ide|ci):/, command);
  }
});
