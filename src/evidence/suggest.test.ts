import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type CompiledPolicy, compileToPolicy } from '../policy/engine.ts';
import { type PolicyFile, parsePolicyFile } from '../policy/policy-file.ts';
import { recordedAction } from '../policy/recorded-action.ts';
import type { PolicyAction } from '../policy/types.ts';
import type { ObservedAction, SessionActivity } from './audit-activity.ts';
import { COMMAND_CATALOG } from './command-catalog.ts';
import { generatedRequests, requestKey } from './corpus.ts';
import { asPolicyAction, type Suggestion, suggestPolicy } from './suggest.ts';
import { suggestionText } from './suggest-text.ts';

const CURRENT_TEXT = `version: 1
files:
  read: ["*"]
  write: ["src/*", "test/*", "out.txt"]
  deny: [".env", "*.pem"]
commands:
  allow: ["npm test", "npm test *", "cat *", "ls", "ls *", "git status*", "git diff*", "echo *", "head *", "wc *"]
  ask: ["rm *"]
  deny: ["curl *"]
network:
  allow: ["registry.npmjs.org:443", "*.example.com:443"]
git:
  push: ["warden/*"]
`;

const PATHS = [
  'README.md',
  'package.json',
  'src/a.ts',
  'src/b.ts',
  'src/c.ts',
  'src/d.ts',
  'src/e.ts',
  'test/a.test.ts',
  'test/b.test.ts',
  'docs/x.md',
  '.env',
];
const COMMANDS = [
  'npm test',
  'npm test -- --watch=false',
  'cat src/a.ts',
  'cat src/b.ts',
  'cat README.md',
  'cat docs/x.md',
  'cat src/c.ts',
  'ls',
  'ls src',
  'git status',
  'git diff HEAD',
  'echo hi > out.txt',
  'head -n 3 README.md',
  'wc -l src/a.ts',
  'rm -rf build',
  'curl https://evil.example',
];
const HOSTS = ['registry.npmjs.org', 'api.example.com', 'evil.example'];

/** One action as a session would have taken it: judged by the current policy, as its log records. */
const actionArb: fc.Arbitrary<PolicyAction> = fc.oneof(
  fc.constantFrom(...PATHS).map((path) => ({ kind: 'file.read' as const, path })),
  fc.constantFrom(...PATHS).map((path) => ({ kind: 'file.write' as const, path })),
  fc.constantFrom(...COMMANDS).map((command) => ({ kind: 'shell' as const, command, root: '/workspace' })),
  fc.constantFrom(...HOSTS).map((host) => ({ kind: 'net.connect' as const, host, port: 443 })),
  fc
    .constantFrom('warden/fix-1', 'warden/fix-2', 'main')
    .map((branch) => ({ kind: 'git.push' as const, branch, force: false })),
);

async function sessions(
  current: CompiledPolicy,
  runs: PolicyAction[][],
  approve = false,
): Promise<SessionActivity[]> {
  return Promise.all(
    runs.map(async (actions, s) => {
      const session = `s-${s}`;
      const observed: ObservedAction[] = [];
      for (const [i, action] of actions.entries()) {
        const d = await current.decide(action);
        observed.push({
          session,
          seq: i,
          time: `2026-01-0${(s % 9) + 1}T00:00:${String(i % 60).padStart(2, '0')}Z`,
          callId: `c${i}`,
          tool: action.kind,
          action: recordedAction(action),
          decision: d.decision,
          policies: d.policies,
          reason: d.reason,
          ...(d.decision === 'ask' && approve
            ? { approval: { decision: 'allow' as const, by: 'abe', person: true } }
            : {}),
        });
      }
      return {
        session,
        where: session,
        first: undefined,
        last: undefined,
        actions: observed,
        undescribed: 0,
        approvals: [],
        policies: [],
        keyIds: [],
        status: 'finished',
        records: observed.length,
      };
    }),
  );
}

async function compile(text: string, source: string): Promise<CompiledPolicy> {
  const parsed = parsePolicyFile(text, source);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.map((e) => e.describe()).join('; '));
  return compileToPolicy(parsed.file, source);
}

async function applied(suggestion: Suggestion): Promise<CompiledPolicy> {
  return compile(suggestionText(suggestion, CURRENT_TEXT, 'current.yaml'), 'suggested.policy.yaml');
}

/**
 * Anything the suggestion allows is explained: each rule that granted it is either a literal of
 * what the sessions did (and the request is exactly that), or a generalisation with its uses.
 */
function explained(
  suggestion: Suggestion,
  file: PolicyFile,
  request: PolicyAction,
  ids: Array<{ id: string; value: string }>,
): string | undefined {
  for (const { id, value } of ids) {
    const m = /^(files\.read|files\.write|commands\.allow|network\.allow|git\.push)\[(\d+)\]$/.exec(id);
    if (!m) return `${requestKey(request)} was allowed by ${id}, which the suggestion does not explain`;
    const [list, index] = [m[1] as string, Number(m[2])];
    const lists: Record<string, readonly string[] | undefined> = {
      'files.read': file.files?.read,
      'files.write': file.files?.write,
      'commands.allow': file.commands?.allow,
      'network.allow': file.network?.allow,
      'git.push': file.git?.push,
    };
    const pattern = lists[list]?.[index] as string;
    const rule = suggestion.rules.find((r) => r.list === list && r.pattern === pattern);
    if (!rule) return `${id} (${pattern}) has no origin`;
    if (rule.origin === 'generalised' && rule.why && rule.uses?.length) continue;
    if (rule.origin === 'observed' && pattern === value) continue;
    return `${requestKey(request)}: ${id} (${pattern}) is ${rule.origin}, yet it granted ${JSON.stringify(value)}`;
  }
  return undefined;
}

test('a suggested policy, applied, allows every allowed action of its sessions, and anything more only by an explained generalisation', async () => {
  const current = await compile(CURRENT_TEXT, 'current.yaml');
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(actionArb, { minLength: 1, maxLength: 25 }), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 2, max: 5 }),
      fc.nat(),
      async (runs, siblings, seed) => {
        const activities = await sessions(current, runs);
        const suggestion = await suggestPolicy(activities, current, { siblings });
        const policy = await applied(suggestion);
        const observed = new Set<string>();
        for (const o of activities.flatMap((a) => a.actions)) {
          const action = asPolicyAction(o.action) as PolicyAction;
          const again = await policy.decide(action);
          if (o.decision === 'allow') {
            observed.add(requestKey(action));
            assert.equal(again.decision, 'allow', `${requestKey(action)}: ${again.reason}`);
          } else
            assert.notEqual(
              again.decision,
              'allow',
              `${requestKey(action)} was ${o.decision}, the suggestion allows it`,
            );
        }
        const corpus = await generatedRequests(
          [current.file, policy.file],
          [...COMMAND_CATALOG, ...COMMANDS],
          150,
          seed,
        );
        for (const { action } of corpus) {
          const d = await policy.decide(action);
          if (d.decision !== 'allow') continue;
          assert.equal(
            (await current.decide(action)).decision,
            'allow',
            `${requestKey(action)}: the suggestion grants more than the current policy`,
          );
          const ids = d.parts
            ? d.parts.flatMap((p) => p.policies.map((id) => ({ id, value: p.write ?? p.command })))
            : d.policies.map((id) => ({ id, value: grantedValue(action) }));
          const problem = explained(suggestion, policy.file, action, ids);
          assert.equal(problem, undefined, problem);
        }
      },
    ),
    { numRuns: 25 },
  );
});

function grantedValue(action: PolicyAction): string {
  if (action.kind === 'file.read' || action.kind === 'file.write') return action.path;
  if (action.kind === 'net.connect') return `${action.host}:${action.port}`;
  if (action.kind === 'git.push') return action.branch;
  return requestKey(action);
}

test('many files read under one directory become that directory, said so; one file stays itself', async () => {
  const current = await compile(CURRENT_TEXT, 'current.yaml');
  const reads = ['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/d.ts', 'README.md'].map((path) => ({
    kind: 'file.read' as const,
    path,
  }));
  const suggestion = await suggestPolicy(
    await sessions(current, [[...reads, { kind: 'shell', command: 'npm test' }]]),
    current,
    { siblings: 4 },
  );
  assert.deepEqual(suggestion.file.files?.read, ['README.md', 'src/*']);
  const glob = suggestion.rules.find((r) => r.pattern === 'src/*');
  assert.equal(glob?.origin, 'generalised');
  assert.deepEqual(glob?.uses, ['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/d.ts']);
  assert.deepEqual(suggestion.file.commands?.allow, ['npm test'], 'npm test stays literal');
  const text = suggestionText(suggestion, CURRENT_TEXT, 'current.yaml');
  assert.match(text, /- "src\/\*" {2}# GENERALISED: 4 paths directly under src\/ were used/);
  assert.match(text, /deny: \["curl \*"\]/, 'the restrictions are kept as written');
});

test('a directory is not generalised beyond what the current policy grants', async () => {
  const narrow = await compile(
    CURRENT_TEXT.replace('read: ["*"]', 'read: ["src/a.ts", "src/b.ts", "src/c.ts", "src/d.ts"]'),
    'narrow.yaml',
  );
  const reads = ['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/d.ts'].map((path) => ({
    kind: 'file.read' as const,
    path,
  }));
  const suggestion = await suggestPolicy(await sessions(narrow, [reads]), narrow, { siblings: 2 });
  assert.deepEqual(suggestion.file.files?.read, ['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/d.ts']);
});

test('what a person approved is listed for review and still asked; what was denied stays denied', async () => {
  const current = await compile(CURRENT_TEXT, 'current.yaml');
  const asked: PolicyAction = { kind: 'shell', command: 'rm -rf build' };
  const denied: PolicyAction = { kind: 'shell', command: 'curl https://evil.example' };
  const unlisted: PolicyAction = { kind: 'shell', command: 'sleep 1' };
  const activities = await sessions(
    current,
    [[asked, denied, unlisted, { kind: 'shell', command: 'npm test' }]],
    true,
  );
  const suggestion = await suggestPolicy(activities, current, { siblings: 4 });
  assert.deepEqual(
    suggestion.review.map((o) => o.action.kind === 'shell' && o.action.command),
    ['rm -rf build', 'sleep 1'],
  );
  assert.deepEqual(
    suggestion.refused.map((o) => o.action.kind === 'shell' && o.action.command),
    ['curl https://evil.example'],
  );
  const policy = await applied(suggestion);
  assert.equal((await policy.decide(asked)).decision, 'ask');
  assert.equal((await policy.decide(unlisted)).decision, 'ask');
  assert.equal((await policy.decide(denied)).decision, 'deny');
});
