import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { posix } from 'node:path';
import {
  type CedarValueJson,
  type EntityJson,
  preparsePolicySet,
  statefulIsAuthorized,
} from '@cedar-policy/cedar-wasm/nodejs';
import { WardenError } from '../errors.ts';
import { type BashParse, createBashParser } from './bash-parser.ts';
import { type CompiledRule, compilePolicy, UNMATCHED_COMMAND } from './compile.ts';
import { decideMcpCall } from './mcp-call.ts';
import { UNMATCHED_MCP } from './mcp-compile.ts';
import { mcpArgumentPaths } from './mcp-section.ts';
import { dependencyRules, type PolicyFile } from './policy-file.ts';
import { parseDuration, parseSize } from './quantities.ts';
import { runsLaterSubjects } from './runs-later.ts';
import { withRunsLater } from './runs-later-judge.ts';
import { type JudgedPart, simpleCommands } from './shell-program.ts';
import type { Decision, Policy, PolicyAction, PolicyLimits, Verdict } from './types.ts';

/** A policy compiled from a file: the contract's Policy, plus what it was made from. */
export interface CompiledPolicy extends Policy {
  readonly file: PolicyFile;
  readonly rules: readonly CompiledRule[];
  /** Named credential → acts the broker may use it for. */
  readonly secrets: Readonly<Record<string, readonly string[]>>;
}

type Judgement = { decision: Verdict; policies: string[]; reason: string };

const AGENT = { type: 'Agent', id: 'agent' };
/** Rules that ask only when nothing else matched: any explicit rule outranks them. */
const CATCH_ALL = new Set([UNMATCHED_COMMAND, UNMATCHED_MCP]);

/** Compile a validated policy file to Cedar, parse it once, and return its decide(). */
export async function compileToPolicy(file: PolicyFile, source: string): Promise<CompiledPolicy> {
  const rules = compilePolicy(file);
  const byId = new Map(rules.map((r) => [r.id, r]));
  // Cedar evaluates every policy of a set on each request, so each action gets a set of its own
  // rules: a file read never pays for the command rules. The engine caches parsed sets by id; the
  // id is the content, so equal policies share one entry.
  const setIds = new Map<string, string>();
  for (const action of new Set(rules.flatMap((r) => r.actions))) {
    const staticPolicies = Object.fromEntries(
      rules.filter((r) => r.actions.includes(action)).map((r) => [r.id, r.text]),
    );
    const setId = `warden-${action}-${createHash('sha256').update(JSON.stringify(staticPolicies)).digest('hex').slice(0, 32)}`;
    const parsed = preparsePolicySet(setId, { staticPolicies });
    if (parsed.type === 'failure') {
      throw new WardenError(
        'policy.compile',
        `the compiled policy does not parse: ${parsed.errors.map((e) => e.message).join('; ')}`,
        {
          where: source,
        },
      );
    }
    setIds.set(action, setId);
  }
  const parse = await createBashParser();
  const mcpPaths = mcpArgumentPaths(file.mcp);

  const authorize = (
    action: string,
    type: string,
    id: string,
    attrs: Record<string, string | number | boolean>,
    context: Record<string, CedarValueJson> = {},
    related: EntityJson[] = [],
  ): Judgement => {
    // No rule at all for this action (e.g. no git.push list): Cedar's default deny, said plainly.
    if (!setIds.has(action)) return { decision: 'deny', policies: [], reason: 'no rule grants it' };
    const answer = statefulIsAuthorized({
      principal: AGENT,
      action: { type: 'Action', id: action },
      resource: { type, id },
      context,
      preparsedPolicySetId: setIds.get(action) ?? 'warden-none',
      entities: [{ uid: { type, id }, attrs, parents: [] }, ...related],
    });
    if (answer.type === 'failure') {
      return {
        decision: 'deny',
        policies: [],
        reason: `policy evaluation failed: ${answer.errors.map((e) => e.message).join('; ')}`,
      };
    }
    const { decision, diagnostics } = answer.response;
    if (diagnostics.errors.length > 0) {
      const detail = diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`).join('; ');
      return {
        decision: 'deny',
        policies: diagnostics.errors.map((e) => e.policyId),
        reason: `policy evaluation failed: ${detail}`,
      };
    }
    const ids = diagnostics.reason;
    if (decision === 'deny')
      return {
        decision: 'deny',
        policies: ids,
        reason: ids.length ? `denied by ${cite(ids, byId)}` : 'no rule grants it',
      };
    // Among permits, an explicit ask outranks an allow (deny > ask > allow); the catch-all asks only alone.
    const asks = ids.filter((id) => byId.get(id)?.verdict === 'ask' && !CATCH_ALL.has(id));
    if (asks.length > 0)
      return { decision: 'ask', policies: asks, reason: `needs approval by ${cite(asks, byId)}` };
    const allows = ids.filter((id) => byId.get(id)?.verdict === 'allow');
    if (allows.length > 0)
      return { decision: 'allow', policies: allows, reason: `allowed by ${cite(allows, byId)}` };
    return { decision: 'ask', policies: ids, reason: 'matches no rule, so a person decides' };
  };

  const decide = async (action: PolicyAction): Promise<Decision> => {
    switch (action.kind) {
      case 'file.read':
      case 'file.write': {
        const verb = action.kind === 'file.read' ? 'read' : 'write';
        const path = workspacePath(action.path);
        if (path === undefined)
          return {
            decision: 'deny',
            policies: [],
            reason: `${verb} ${JSON.stringify(action.path)}: not a path inside the workspace`,
          };
        const judged = authorize(verb, 'File', path, { path });
        if (action.kind === 'file.read') return said(`read ${path}`, judged);
        const planted = runsLaterSubjects(path, action.content).map((subject) =>
          authorize('plant', 'File', subject, { path: subject }),
        );
        return withRunsLater(`write ${path}`, said(`write ${path}`, judged), planted);
      }
      case 'net.connect': {
        const host = action.host
          .toLowerCase()
          .replace(/\.$/, '')
          .replace(/^\[(.*)\]$/, '$1');
        if (!Number.isInteger(action.port) || action.port < 1 || action.port > 65535 || host === '') {
          return {
            decision: 'deny',
            policies: [],
            reason: `connect ${action.host}:${action.port}: not a valid host and port`,
          };
        }
        return said(
          `connect ${host}:${action.port}`,
          authorize('connect', 'Host', `${host}:${action.port}`, {
            name: host,
            port: action.port,
            ip: isIP(host) !== 0,
          }),
        );
      }
      case 'dependency.add': {
        const id = `${action.ecosystem}:${action.name}`;
        return said(
          `add dependency ${id}`,
          authorize('add_dependency', 'Package', id, { ecosystem: action.ecosystem, name: action.name }),
        );
      }
      case 'git.push':
        return said(
          `push${action.force ? ' --force' : ''} ${action.branch}`,
          authorize('push', 'Branch', action.branch, { name: action.branch }, { force: action.force }),
        );
      case 'pr.create':
        return said(
          `open pull request ${action.head} into ${action.base}`,
          authorize('open_pull_request', 'PullRequest', `${action.head}->${action.base}`, {
            base: action.base,
            head: action.head,
          }),
        );
      case 'secret.use':
        return said(
          `use secret ${action.name} for ${action.act}`,
          authorize('use_secret', 'Secret', action.name, { name: action.name }, { act: action.act }),
        );
      case 'shell':
        return decideShell(action, parse, authorize);
      case 'mcp.call':
        return decideMcpCall(action, mcpPaths, (attrs, context, related) =>
          authorize('mcp_call', 'McpTool', `${attrs.server}.${attrs.name}`, attrs, context, related),
        );
      default:
        return {
          decision: 'deny',
          policies: [],
          reason: `unknown action ${JSON.stringify((action as { kind?: unknown }).kind)}`,
        };
    }
  };

  return {
    source,
    decide,
    network: { allow: [...(file.network?.allow ?? [])] },
    deniedPaths: [...(file.files?.deny ?? [])],
    limits: limitsOf(file),
    dependencies: (({ add: _, ...rules }) => rules)(dependencyRules(file)),
    file,
    rules,
    secrets: { ...(file.secrets ?? {}) },
  };
}

function said(what: string, j: Judgement): Decision {
  return { decision: j.decision, policies: j.policies, reason: `${what}: ${j.reason}` };
}

function cite(ids: string[], byId: Map<string, CompiledRule>): string {
  return ids.map((id) => `${id} (${byId.get(id)?.pattern ?? '?'})`).join(', ');
}

/** Workspace-relative, normalised; undefined for absolute paths and paths that climb out. */
export function workspacePath(path: string): string | undefined {
  if (path === '' || path.includes('\0') || path.startsWith('/')) return undefined;
  const normal = posix.normalize(path).replace(/\/+$/, '');
  if (normal === '..' || normal.startsWith('../')) return undefined;
  // The workspace root itself (list_files with no path) is `.`.
  return normal === '' ? '.' : normal;
}

type Authorize = (action: string, type: string, id: string, attrs: Record<string, string>) => Judgement;

const RANK: Record<Verdict, number> = { allow: 0, ask: 1, deny: 2 };

/** An option that runs a program or code named on the command line: never allowed by a pattern alone. */
const RUNS_NAMED_PROGRAM = 'default.commands.runs';

type ShellAction = Extract<PolicyAction, { kind: 'shell' }>;

function decideShell(action: ShellAction, parse: BashParse, authorize: Authorize): Decision {
  const { command } = action;
  let found: JudgedPart[];
  try {
    found = simpleCommands(parse, command);
  } catch (error) {
    found = [
      { kind: 'unknown', line: command, reason: `the shell parser failed: ${(error as Error).message}` },
    ];
  }
  if (found.length === 0) found = [{ kind: 'unknown', line: command, reason: 'no command found' }];
  const parts = found.map((part) => ({ command: part.line, ...judgePart(part, action, authorize) }));
  const decision = parts.reduce<Verdict>(
    (worst, p) => (RANK[p.decision] > RANK[worst] ? p.decision : worst),
    'allow',
  );
  const deciding = parts.filter((p) => p.decision === decision);
  const policies = [...new Set(deciding.flatMap((p) => p.policies))];
  const reason = deciding.map((p) => `\`${p.command}\`: ${p.reason}`).join('; ');
  return {
    decision,
    policies,
    reason,
    parts: parts.map(({ command, decision, policies, write }) => ({
      command,
      decision,
      policies,
      ...(write === undefined ? {} : { write }),
    })),
  };
}

function judgePart(
  part: JudgedPart,
  where: ShellAction,
  authorize: Authorize,
): Judgement & { write?: string } {
  if (part.kind === 'unknown')
    return { decision: 'ask', policies: [], reason: `could not be analysed (${part.reason})` };
  if (part.kind === 'write') return judgeWrite(part.path, part.via, where, authorize);
  if (part.kind === 'runs') return { decision: 'ask', policies: [RUNS_NAMED_PROGRAM], reason: part.reason };
  const judged = authorize('shell', 'Command', part.line, { line: part.line, name: part.name });
  const slash = part.name.lastIndexOf('/');
  if (slash < 0 || judged.decision === 'deny') return judged;
  // `/usr/bin/curl x` is `curl x` to a reader of the rules: judge both spellings, keep the stricter.
  const base = part.name.slice(slash + 1);
  const line = base + part.line.slice(part.name.length);
  const bare = authorize('shell', 'Command', line, { line, name: base });
  return RANK[bare.decision] > RANK[judged.decision] ? bare : judged;
}

/** Not files: a write there goes to a stream, or to nothing. */
const STREAMS = /^\/dev\/(null|stdout|stderr|tty|fd\/\d+)$/;
/** The sandbox's /tmp is a private tmpfs: nothing there outlives the sandbox or is read by the host. */
const SCRATCH = /^\/tmp\/(?!.*(^|\/)\.\.(\/|$))/;

/** A file a command writes (a redirect's target, an option's file) is judged as any file write. */
function judgeWrite(
  path: string,
  via: string,
  where: ShellAction,
  authorize: Authorize,
): Judgement & { write?: string } {
  if (STREAMS.test(path))
    return { decision: 'allow', policies: [], reason: `${via} writes to ${path}, not a file` };
  if (path.startsWith('~'))
    return {
      decision: 'deny',
      policies: [],
      reason: `${via} writes ${path}, in the home directory outside the workspace`,
    };
  const root = where.root?.replace(/\/+$/, '');
  // Relative to where the command starts; an absolute path under the workspace's mount is inside it.
  const target = path.startsWith('/') ? posix.normalize(path) : posix.join(where.cwd ?? '.', path);
  const underRoot = root !== undefined && root !== '' && (target === root || target.startsWith(`${root}/`));
  if (SCRATCH.test(target) && !underRoot)
    return {
      decision: 'allow',
      policies: [],
      reason: `${via} writes ${target} in the sandbox's private /tmp`,
    };
  const relative = underRoot ? target.slice((root as string).length + 1) || '.' : target;
  const inside = workspacePath(relative);
  if (inside === undefined)
    return { decision: 'deny', policies: [], reason: `${via} writes ${path}, outside the workspace` };
  // As a write_file would be: a file that runs later outside the sandbox is judged again.
  const planted = runsLaterSubjects(inside).map((subject) =>
    authorize('plant', 'File', subject, { path: subject }),
  );
  const judged = withRunsLater('', authorize('write', 'File', inside, { path: inside }), planted);
  return { ...judged, reason: `${via} writes ${inside}: ${judged.reason}`, write: inside };
}

function limitsOf(file: PolicyFile): PolicyLimits {
  const l = file.limits ?? {};
  const limits: PolicyLimits = {};
  const ms = (v: string | undefined) => (v === undefined ? undefined : parseDuration(v));
  const bytes = (v: string | undefined) => (v === undefined ? undefined : parseSize(v));
  const set = <K extends keyof PolicyLimits>(key: K, value: PolicyLimits[K] | undefined) => {
    if (value !== undefined) limits[key] = value;
  };
  set('wallTimeMs', ms(l.wall_time));
  set('commandTimeMs', ms(l.command_time));
  const cpu = ms(l.cpu);
  set('cpuSeconds', cpu === undefined ? undefined : Math.ceil(cpu / 1000));
  set('memoryBytes', bytes(l.memory));
  set('processes', l.processes);
  set('outputBytes', bytes(l.output));
  set('fileSizeBytes', bytes(l.file_size));
  set('diskBytes', bytes(l.disk));
  set('tokens', l.tokens);
  set('cost', l.cost);
  return limits;
}
