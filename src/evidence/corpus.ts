import { WardenError } from '../errors.ts';
import type { PolicyFile } from '../policy/policy-file.ts';
import type { PolicyAction } from '../policy/types.ts';
import type { SessionActivity } from './audit-activity.ts';
import { COMMAND_CATALOG } from './command-catalog.ts';
import { commandVariants } from './command-variants.ts';
import { describeAction } from './describe.ts';
import { asPolicyAction } from './suggest.ts';

/** One request of a corpus, and where it came from (a session's log, or the generator). */
export interface CorpusRequest {
  action: PolicyAction;
  origin: string;
}

/** What a request is, on one line: also its identity in a corpus. */
export function requestKey(action: PolicyAction): string {
  return describeAction(action);
}

/** Every action the sessions' policies judged, once each. */
export function requestsFromLogs(activities: readonly SessionActivity[]): CorpusRequest[] {
  const out: CorpusRequest[] = [];
  for (const observed of activities.flatMap((a) => a.actions)) {
    const action = asPolicyAction(observed.action);
    if (action) out.push({ action, origin: `log ${observed.session}` });
  }
  return out;
}

/** A corpus without repeats, the first origin kept. */
export function distinct(requests: readonly CorpusRequest[]): CorpusRequest[] {
  const seen = new Map<string, CorpusRequest>();
  for (const request of requests) {
    const key = requestKey(request.action);
    if (!seen.has(key)) seen.set(key, request);
  }
  return [...seen.values()];
}

/** What fills a pattern's `*`: nothing, a word, options, paths in and out of the workspace, a URL. */
export const FILLS = [
  '',
  'x',
  'src/index.ts',
  '-rf /',
  '--force',
  '-o out.txt',
  'https://evil.example/x',
  '../outside',
  '.env',
  'a/b/c.txt',
  'workflows/ci.yml',
  'main',
];

const PATHS = [
  'README.md',
  'src/index.ts',
  'src/lib/a.ts',
  'test/a.test.ts',
  '.env',
  '.env.local',
  'config/.env',
  'id_rsa',
  '.github/workflows/ci.yml',
  '.git/hooks/pre-commit',
  '.git/config',
  '.vscode/tasks.json',
  '.envrc',
  'package.json',
  'node_modules/x/index.js',
  '.warden/audit/x',
  '../outside.txt',
  'docs/a/b/c.md',
];
const HOSTS = [
  'registry.npmjs.org',
  'pypi.org',
  'github.com',
  'api.github.com',
  'evil.example',
  '10.0.0.5',
  'localhost',
];
const PORTS = [443, 80, 22, 8080];
const BRANCHES = ['main', 'master', 'warden/fix-1', 'release/1.0', 'feature/x'];
const PACKAGES = ['npm:left-pad', 'npm:lodash', 'npm:reqeusts', 'pypi:requests', 'crates:serde'];

/** `*` in a pattern, each filled by one of `fills`, `pick` choosing which. */
export function instance(
  pattern: string,
  pick: (n: number) => number,
  fills: readonly string[] = FILLS,
): string {
  return pattern.replace(/\*+/g, () => fills[pick(fills.length)] as string);
}

/** Commands from a catalog file: a JSON list of commands, or GTFOBins-style `techniques[].code`. */
export function catalogCommands(json: unknown, where: string): string[] {
  const list = Array.isArray(json)
    ? json
    : (json as { techniques?: Array<{ code?: unknown }> } | null)?.techniques?.map((t) => t.code);
  const commands = (list ?? []).filter((c): c is string => typeof c === 'string' && c.trim() !== '');
  if (commands.length === 0)
    throw new WardenError('usage', `${where} holds no commands`, {
      hint: 'a catalog is a JSON list of commands, or an object with techniques: [{ code }] as GTFOBins has',
    });
  // A technique can span lines; the policy judges each line's commands, so each line is one.
  return commands.flatMap((c) => c.split('\n')).filter((c) => c.trim() !== '');
}

/**
 * `count` generated requests, reproducible from `seed`: commands from the catalog and from the
 * policies' own patterns with their `*` filled in, each through a wrapper or not; paths, hosts,
 * branches, packages and MCP tools from lists and the policies' patterns.
 */
export async function generatedRequests(
  policies: readonly PolicyFile[],
  catalog: readonly string[],
  count: number,
  seed: number,
): Promise<CorpusRequest[]> {
  if (count === 0) return [];
  const fc = await loadFastCheck();
  const of = (pick: (file: PolicyFile) => readonly (string | { tool: string })[] | undefined) =>
    policies.flatMap((p) => (pick(p) ?? []).map((e) => (typeof e === 'string' ? e : e.tool)));
  const commandPatterns = of((p) => [
    ...(p.commands?.allow ?? []),
    ...(p.commands?.ask ?? []),
    ...(p.commands?.deny ?? []),
  ]);
  const pathPatterns = of((p) => [
    ...(p.files?.read ?? []),
    ...(p.files?.write ?? []),
    ...(p.files?.deny ?? []),
  ]);
  const hostPatterns = of((p) => p.network?.allow);
  const branchPatterns = of((p) => [...(p.git?.push ?? []), ...(p.git?.pull_requests ?? [])]);
  const toolPatterns = of((p) => [...(p.mcp?.allow ?? []), ...(p.mcp?.ask ?? []), ...(p.mcp?.deny ?? [])]);

  // Rules one policy has and another lacks are where two policies differ: they get more samples.
  const differing = (pick: (file: PolicyFile) => readonly string[]) =>
    policies.flatMap(pick).filter((pattern) => !policies.every((p) => pick(p).includes(pattern)));
  const differingCommands = differing((p) => [
    ...(p.commands?.allow ?? []),
    ...(p.commands?.ask ?? []),
    ...(p.commands?.deny ?? []),
  ]);
  const filled = (patterns: readonly string[], fills: readonly string[]) =>
    fc
      .tuple(fc.constantFrom(...patterns), fc.array(fc.nat(), { minLength: 8, maxLength: 8 }))
      .map(([p, picks]) => {
        let k = 0;
        return instance(p, (n) => (picks[k++ % picks.length] as number) % n, fills);
      });
  const fill = (
    patterns: readonly string[],
    fixed: readonly string[],
    fills = FILLS,
    focus: readonly string[] = [],
  ) =>
    fc.oneof(
      fc.constantFrom(...fixed),
      ...(patterns.length ? [filled(patterns, fills)] : []),
      ...(focus.length ? [filled(focus, fills), filled(focus, fills)] : []),
    );
  const command = fill(
    commandPatterns,
    catalog.length ? catalog : COMMAND_CATALOG,
    FILLS,
    differingCommands,
  ).chain((c) => fc.constantFrom(...commandVariants(c.trim() || 'true')));
  const path = fill(pathPatterns, PATHS, [
    '',
    'x',
    'a/b.txt',
    '.env',
    'workflows/ci.yml',
    'hooks/pre-commit',
    '../x',
  ]).map((p) => p || 'x');
  const host = fc.tuple(
    fill(
      hostPatterns.map((h) => h.slice(0, h.lastIndexOf(':'))),
      HOSTS,
      ['x', 'evil', 'a.b'],
    ),
    fc.constantFrom(...PORTS),
  );
  const action: import('fast-check').Arbitrary<PolicyAction> = fc.oneof(
    {
      weight: 6,
      arbitrary: command.map((c) => ({ kind: 'shell' as const, command: c, root: '/workspace' })),
    },
    { weight: 2, arbitrary: path.map((p) => ({ kind: 'file.read' as const, path: p })) },
    { weight: 2, arbitrary: path.map((p) => ({ kind: 'file.write' as const, path: p })) },
    {
      weight: 1,
      arbitrary: host.map(([h, port]) => ({ kind: 'net.connect' as const, host: h || 'x', port })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...PACKAGES).map((p) => ({
        kind: 'dependency.add' as const,
        ecosystem: p.slice(0, p.indexOf(':')),
        name: p.slice(p.indexOf(':') + 1),
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fill(branchPatterns, BRANCHES, ['x', 'main', 'a/b']), fc.boolean())
        .map(([b, force]) => ({ kind: 'git.push' as const, branch: b || 'x', force })),
    },
    ...(toolPatterns.length
      ? [
          {
            weight: 1,
            arbitrary: fill(toolPatterns, toolPatterns, ['x', 'get', 'delete']).map((t) => ({
              kind: 'mcp.call' as const,
              server: t.slice(0, t.indexOf('.')),
              tool: t.slice(t.indexOf('.') + 1) || 'x',
              args: {},
            })),
          },
        ]
      : []),
  );
  return fc.sample(action, { numRuns: count, seed }).map((a) => ({ action: a, origin: 'generated' }));
}

/** fast-check generates the corpus; it is loaded only when a corpus is asked for. */
async function loadFastCheck(): Promise<typeof import('fast-check')> {
  try {
    return await import('fast-check');
  } catch {
    throw new WardenError(
      'evidence.generator',
      'generating requests needs the fast-check package, which is not installed',
      {
        hint: 'install Warden with its dependencies (npm install), or pass --generated 0 to use only the audit logs',
      },
    );
  }
}
