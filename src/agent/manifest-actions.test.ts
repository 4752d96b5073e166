import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { DependencyCheck, DependencyVerdict } from '../guard/dependency-check.ts';
import type { Approver } from '../policy/approvals.ts';
import { compileToPolicy } from '../policy/engine.ts';
import { parsePolicyFile } from '../policy/policy-file.ts';
import { builtinTools } from '../tools/registry.ts';
import { makeTestWorkspace, type TestWorkspace } from '../tools/test-workspace.ts';
import { ChangeLog } from './change-log.ts';
import { createEventStream } from './event-stream.ts';
import type { EventOf, WardenEvent } from './events.ts';
import { createGate } from './gate.ts';
import { runToolCall } from './tool-call.ts';

const PACKAGE_JSON = `${JSON.stringify({ name: 'app', dependencies: { lodash: '^4.17.0' } }, null, 2)}\n`;

/** Made-up names are missing, `lodahs` is a risk, everything else is clear. */
const fakeCheck: DependencyCheck & { asked: string[] } = Object.assign(
  async ({ ecosystem, name }: { ecosystem: string; name: string }): Promise<DependencyVerdict> => {
    fakeCheck.asked.push(`${ecosystem}:${name}`);
    if (name.startsWith('made-up'))
      return verdictOf('deny', 'hallucinated', `hallucinated: no package ${name} in the npm registry`);
    if (name === 'lodahs')
      return verdictOf('ask', 'typosquat', 'lodahs may be a typosquat of the popular lodash');
    return { decision: 'allow', reasons: [], findings: [] };
  },
  { asked: [] as string[] },
);

function verdictOf(
  decision: 'ask' | 'deny',
  rule: 'hallucinated' | 'typosquat',
  reason: string,
): DependencyVerdict {
  return { decision, reasons: [reason], findings: [{ rule, reason }] };
}

const workspaces: TestWorkspace[] = [];
after(() => Promise.all(workspaces.map((w) => w.cleanup())));

async function setup(answers: Array<'once' | 'session' | 'deny'> = []) {
  const ws = await makeTestWorkspace({
    'package.json': PACKAGE_JSON,
    'Cargo.toml': '[package]\nname = "x"\n\n[dependencies]\nserde = "1"\n',
  });
  workspaces.push(ws);
  const parsed = parsePolicyFile(
    'version: 1\nfiles: { read: ["*"], write: ["*"] }\ndependencies: allow\n',
    'p.yaml',
  );
  assert.ok(parsed.ok);
  const events: WardenEvent[] = [];
  const stream = createEventStream('s', [(e) => events.push(e)]);
  const asked: string[] = [];
  const approver: Approver = {
    by: 'test',
    async ask(request) {
      asked.push(request.reason);
      return answers.shift() ?? 'deny';
    },
  };
  const gate = createGate({
    policy: await compileToPolicy(parsed.file, 'p.yaml'),
    approver,
    events: stream,
    workspaceRoot: ws.root,
    checkDependency: fakeCheck,
  });
  let n = 0;
  const call = (tool: string, args: unknown) =>
    runToolCall(
      { id: `c${++n}`, name: tool, input: JSON.stringify(args) },
      {
        tools: new Map(builtinTools().map((t) => [t.name, t])),
        toolContext: ws.context,
        events: stream,
        changes: new ChangeLog(),
        commands: [],
        gate,
      },
    );
  const flagged = () => events.filter((e): e is EventOf<'guard.flagged'> => e.type === 'guard.flagged');
  return { ws, call, events, asked, flagged };
}

test('edit_file adding a made-up package to package.json is denied, the file untouched, the finding flagged', async () => {
  const { ws, call, flagged } = await setup();
  const result = await call('edit_file', {
    path: 'package.json',
    old_string: '"lodash": "^4.17.0"',
    new_string: '"lodash": "^4.17.0",\n    "made-up-helper": "^1.0.0"',
  });
  assert.equal(result.isError, true);
  assert.match(result.output, /hallucinated: no package made-up-helper in the npm registry/);
  assert.equal(await ws.read('package.json'), PACKAGE_JSON);
  assert.deepEqual(
    flagged().map((e) => [e.callId, e.source, e.rule]),
    [['c1', 'dependency', 'hallucinated']],
  );
});

test('write_file and apply_patch take the same path; a changed version is not a new package', async () => {
  const { ws, call, asked } = await setup(['deny']);
  fakeCheck.asked.length = 0;
  const bumped = PACKAGE_JSON.replace('^4.17.0', '^4.17.21');
  assert.equal((await call('write_file', { path: 'package.json', content: bumped })).isError, false);
  assert.deepEqual(fakeCheck.asked, [], 'nothing new to look up');

  const squat = await call('write_file', {
    path: 'requirements.txt',
    content: 'requests\nlodahs\n',
  });
  assert.equal(squat.isError, true);
  assert.match(asked[0] ?? '', /lodahs may be a typosquat of the popular lodash/);
  assert.deepEqual(fakeCheck.asked, ['pypi:requests', 'pypi:lodahs']);

  const patch = [
    '*** Begin Patch',
    '*** Update File: Cargo.toml',
    '@@ [dependencies]',
    ' serde = "1"',
    '+tokio = { version = "1", features = ["full"] }',
    '*** End Patch',
  ].join('\n');
  assert.equal((await call('apply_patch', { patch })).isError, false);
  assert.deepEqual(fakeCheck.asked.at(-1), 'crates:tokio');
  assert.match(await ws.read('Cargo.toml'), /tokio/);
});

test('a manifest the edit leaves unreadable is a question, and no earlier answer covers it', async () => {
  const { ws, call, asked, flagged } = await setup(['session', 'deny']);
  const broken = { path: 'package.json', old_string: '"name": "app",', new_string: '"name": "app",,' };
  assert.equal((await call('edit_file', broken)).isError, false, 'approved');
  assert.match(asked[0] ?? '', /package\.json: not valid JSON .* cannot be checked/);
  assert.equal(flagged()[0]?.rule, 'unreadable-manifest');
  await ws.write('package.json', PACKAGE_JSON);
  const again = await call('edit_file', broken);
  assert.equal(again.isError, true, 'asked again and refused');
  assert.equal(asked.length, 2);
});

test('an edit of a lockfile by any file tool is asked about with its reason, and flagged', async () => {
  const { ws, call, asked, flagged } = await setup(['deny', 'deny', 'once']);
  const lock = `${JSON.stringify({ packages: { 'node_modules/lodash': { resolved: 'https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz' } } }, null, 2)}\n`;
  await ws.write('package-lock.json', lock);
  const swapped = lock.replace(
    'https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz',
    'https://evil.example/lodash.tgz',
  );
  const written = await call('write_file', { path: 'package-lock.json', content: swapped });
  assert.equal(written.isError, true);
  assert.equal(await ws.read('package-lock.json'), lock, 'the swapped URL never landed');
  assert.match(asked[0] ?? '', /package-lock\.json is a lockfile: .*fetch it unchecked/);
  const patch = [
    '*** Begin Patch',
    '*** Add File: go.work',
    '+go 1.22',
    '+use ../evil',
    '*** End Patch',
  ].join('\n');
  assert.equal((await call('apply_patch', { patch })).isError, true);
  assert.match(asked[1] ?? '', /go\.work is a lockfile/);
  // A person may still say yes.
  assert.equal((await call('write_file', { path: 'Cargo.lock', content: '# edited\n' })).isError, false);
  assert.deepEqual(
    flagged().map((e) => e.rule),
    ['package-source-edit', 'package-source-edit', 'package-source-edit'],
  );
});

test('a Cargo.toml or pyproject.toml left not valid TOML is asked about, never read as "adds nothing"', async () => {
  const { ws, call, asked, flagged } = await setup(['deny', 'deny']);
  const cargo = '[package]\nname = "x"\n\n[dependencies]\nserde = "1"\n';
  // A duplicated table: a reader keeping either copy would see only half the dependencies.
  const twice = `${cargo}\n[dependencies]\nevil-crate = "1"\n`;
  assert.equal((await call('write_file', { path: 'Cargo.toml', content: twice })).isError, true);
  assert.equal(await ws.read('Cargo.toml'), cargo);
  assert.match(asked[0] ?? '', /^Cargo\.toml: not valid TOML \(line 7, column \d+: .*cannot be checked/);
  const pyproject = '[project]\nname = "x"\ndependencies = ["requests", "evil-pkg"\n';
  assert.equal((await call('write_file', { path: 'pyproject.toml', content: pyproject })).isError, true);
  assert.match(asked[1] ?? '', /^pyproject\.toml: not valid TOML/);
  assert.deepEqual(
    flagged().map((e) => e.rule),
    ['unreadable-manifest', 'unreadable-manifest'],
  );
});
