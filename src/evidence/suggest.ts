import { posix } from 'node:path';
import type { CompiledPolicy } from '../policy/engine.ts';
import { workspacePath } from '../policy/engine.ts';
import { mcpRules } from '../policy/mcp-section.ts';
import type { PolicyFile } from '../policy/policy-file.ts';
import { dependencyRules } from '../policy/policy-file.ts';
import type { PolicyAction } from '../policy/types.ts';
import type { ObservedAction, SessionActivity } from './audit-activity.ts';
import { globCovers } from './glob-cover.ts';

/** Where one entry of the suggested policy comes from: what a reviewer reads beside it. */
export interface SuggestedRule {
  /** The list it sits in: `files.read`, `commands.allow`, `network.allow`, `git.push`, … */
  list: string;
  pattern: string;
  origin: 'observed' | 'generalised' | 'kept';
  /** One line: the sessions' use that put it there, or why it was kept from the current policy. */
  why: string;
  /** For a generalisation: the uses it stands for. */
  uses?: string[];
}

export interface Suggestion {
  file: PolicyFile;
  rules: SuggestedRule[];
  sessions: string[];
  /** Asked, and allowed by a person: left asked, for a person to decide whether to allow them. */
  review: ObservedAction[];
  /** Denied, or asked and not allowed by a person: they stay so. */
  refused: ObservedAction[];
  /** Decisions whose action the log did not keep (written by an older Warden). */
  undescribed: number;
}

export interface SuggestOptions {
  /** Distinct uses under one directory (or of one command rule) before they become a pattern. */
  siblings: number;
}

type Uses = Map<string, Set<string>>;

const add = (map: Uses, key: string, use: string) => {
  const set = map.get(key) ?? new Set<string>();
  set.add(use);
  map.set(key, set);
};

/**
 * The least the policy must grant for what the sessions did: every allowed action literally, a
 * pattern only where many siblings were used and the current policy already grants that pattern,
 * and every restriction of the current policy kept. It never grants more than the current policy.
 */
export async function suggestPolicy(
  activities: readonly SessionActivity[],
  current: CompiledPolicy,
  options: SuggestOptions,
): Promise<Suggestion> {
  const rules: SuggestedRule[] = [];
  const review: ObservedAction[] = [];
  const refused: ObservedAction[] = [];
  const reads: Uses = new Map();
  const writes: Uses = new Map();
  const commands = new Map<string, { rule: string | undefined; sessions: Set<string> }>();
  const hosts: Uses = new Map();
  const packages: Uses = new Map();
  const pushes: Uses = new Map();
  const bases: Uses = new Map();
  const secrets: Uses = new Map();
  const tools = new Map<string, { rule: string | undefined; sessions: Set<string> }>();

  for (const observed of activities.flatMap((a) => a.actions)) {
    if (observed.decision !== 'allow') {
      if (observed.decision === 'ask' && observed.approval?.decision === 'allow' && observed.approval.person)
        review.push(observed);
      else refused.push(observed);
      continue;
    }
    const { action, session } = observed;
    switch (action.kind) {
      case 'file.read':
      case 'file.write': {
        const path = workspacePath(action.path);
        if (path !== undefined) add(action.kind === 'file.read' ? reads : writes, path, session);
        break;
      }
      case 'shell': {
        const decided = await current.decide(action as PolicyAction);
        for (const part of decided.parts ?? []) {
          if (part.write !== undefined) add(writes, part.write, session);
          else if (part.policies.length > 0) {
            const entry = commands.get(part.command) ?? {
              rule: part.policies.find((id) => id.startsWith('commands.allow[')),
              sessions: new Set(),
            };
            entry.sessions.add(session);
            commands.set(part.command, entry);
          }
        }
        break;
      }
      case 'net.connect':
        add(hosts, `${action.host.includes(':') ? `[${action.host}]` : action.host}:${action.port}`, session);
        break;
      case 'dependency.add':
        add(packages, `${action.ecosystem}:${action.name}`, session);
        break;
      case 'git.push':
        add(pushes, action.branch, session);
        break;
      case 'pr.create':
        add(bases, action.base, session);
        break;
      case 'secret.use':
        add(secrets, `${action.name}\n${action.act}`, session);
        break;
      case 'mcp.call': {
        const name = `${action.server}.${action.tool}`;
        const entry = tools.get(name) ?? {
          rule: observed.policies.find((id) => id.startsWith('mcp.allow[')),
          sessions: new Set(),
        };
        entry.sessions.add(session);
        tools.set(name, entry);
        break;
      }
    }
  }

  const file = current.file;
  const keep = (list: string, patterns: readonly string[] | undefined, why: string) => {
    for (const pattern of patterns ?? []) rules.push({ list, pattern, origin: 'kept', why });
    return patterns === undefined ? undefined : [...patterns];
  };
  const read = paths('files.read', reads, file.files?.read ?? [], options, rules);
  const write = paths('files.write', writes, file.files?.write ?? [], options, rules);
  const allow = commandPatterns(commands, file.commands?.allow ?? [], options, rules);
  const network = literal('network.allow', hosts, rules, 'connected to');
  const push = literal('git.push', pushes, rules, 'pushed');
  const deps = dependencyRules(file);
  const suggested: PolicyFile = {
    version: 1,
    files: {
      read,
      write,
      ...(file.files?.deny
        ? { deny: keep('files.deny', file.files.deny, 'a restriction of the current policy') }
        : {}),
    },
    commands: {
      allow,
      ...(file.commands?.ask
        ? { ask: keep('commands.ask', file.commands.ask, 'a restriction of the current policy') }
        : {}),
      ...(file.commands?.deny
        ? { deny: keep('commands.deny', file.commands.deny, 'a restriction of the current policy') }
        : {}),
    },
    network: { allow: network },
    dependencies: dependencies(deps, packages, rules),
    ...(file.runs_later === undefined ? {} : { runs_later: file.runs_later }),
    git: {
      push,
      ...(file.git?.pull_requests === undefined
        ? {}
        : { pull_requests: literal('git.pull_requests', bases, rules, 'opened a pull request into') }),
    },
    secrets: secretsUsed(secrets, current.secrets, rules),
    ...mcpSection(tools, file, rules),
    ...(file.limits === undefined ? {} : { limits: file.limits }),
  };
  return {
    file: suggested,
    rules,
    sessions: activities.map((a) => a.session),
    review,
    refused,
    undescribed: activities.reduce((n, a) => n + a.undescribed, 0),
  };
}

const sessionsSaid = (sessions: Iterable<string>) => {
  const list = [...sessions];
  return list.length === 1 ? `session ${list[0]}` : `${list.length} sessions`;
};

/**
 * Literal paths, except that a directory with `siblings` or more paths used directly in it becomes
 * `dir/*` when a current rule already grants all of `dir/*` (a `*` spans `/`, so it covers the
 * directory's subdirectories too: the reason says so). Never at the top: `*` is the whole workspace.
 */
function paths(
  list: string,
  uses: Uses,
  current: readonly string[],
  options: SuggestOptions,
  rules: SuggestedRule[],
): string[] {
  const byDir = new Map<string, string[]>();
  for (const path of uses.keys()) {
    const dir = posix.dirname(path);
    byDir.set(dir, [...(byDir.get(dir) ?? []), path]);
  }
  const out: string[] = [];
  for (const [dir, members] of [...byDir].sort(([a], [b]) => a.localeCompare(b))) {
    const glob = `${dir}/*`;
    if (dir !== '.' && members.length >= options.siblings && current.some((p) => globCovers(p, glob))) {
      out.push(glob);
      rules.push({
        list,
        pattern: glob,
        origin: 'generalised',
        why: `${members.length} paths directly under ${dir}/ were used (${members.length} ≥ ${options.siblings}); it also covers ${dir}/'s subdirectories`,
        uses: members.sort(),
      });
      continue;
    }
    for (const path of members.sort()) {
      out.push(path);
      rules.push({
        list,
        pattern: path,
        origin: 'observed',
        why: `used in ${sessionsSaid(uses.get(path) ?? [])}`,
      });
    }
  }
  return out;
}

/**
 * Each simple command as the policy parsed it, literally; where `siblings` or more distinct lines
 * were allowed by one current allow rule, that rule instead (never one the explainer calls broad).
 */
function commandPatterns(
  commands: Map<string, { rule: string | undefined; sessions: Set<string> }>,
  current: readonly string[],
  options: SuggestOptions,
  rules: SuggestedRule[],
): string[] {
  const byRule = new Map<string, string[]>();
  for (const [line, { rule }] of commands) if (rule) byRule.set(rule, [...(byRule.get(rule) ?? []), line]);
  const out: string[] = [];
  const covered = new Set<string>();
  for (const [rule, lines] of byRule) {
    const pattern = current[Number(/\[(\d+)\]/.exec(rule)?.[1])];
    if (pattern === undefined || lines.length < options.siblings || BROAD.test(pattern)) continue;
    out.push(pattern);
    for (const line of lines) covered.add(line);
    rules.push({
      list: 'commands.allow',
      pattern,
      origin: 'generalised',
      why: `${lines.length} distinct commands were allowed by ${rule} (${pattern}) of the current policy (${lines.length} ≥ ${options.siblings}): kept that rule rather than listing each`,
      uses: lines.sort(),
    });
  }
  for (const [line, { sessions }] of [...commands].sort(([a], [b]) => a.localeCompare(b))) {
    if (covered.has(line)) continue;
    out.push(line);
    rules.push(
      line.includes('*')
        ? {
            list: 'commands.allow',
            pattern: line,
            origin: 'generalised',
            why: `run in ${sessionsSaid(sessions)}; its "*" is a wildcard in a policy pattern, so it allows more than this one line`,
            uses: [line],
          }
        : {
            list: 'commands.allow',
            pattern: line,
            origin: 'observed',
            why: `run in ${sessionsSaid(sessions)}`,
          },
    );
  }
  return out.sort();
}

/** A rule the policy explainer warns about: any command at all, or an interpreter with any arguments. */
const BROAD =
  /^\*+$|^(sh|bash|dash|zsh|ksh|python3?|node|deno|bun|perl|ruby|php|eval|env|xargs|sudo)( \*|\*)$/;

function literal(list: string, uses: Uses, rules: SuggestedRule[], verb: string): string[] {
  const out = [...uses.keys()].sort();
  for (const value of out)
    rules.push({
      list,
      pattern: value,
      origin: 'observed',
      why: `${verb} in ${sessionsSaid(uses.get(value) ?? [])}`,
    });
  return out;
}

/** One verdict covers every package: allow stays only if the sessions added some; otherwise ask. */
function dependencies(
  current: ReturnType<typeof dependencyRules>,
  packages: Uses,
  rules: SuggestedRule[],
): PolicyFile['dependencies'] {
  const used = [...packages.keys()].sort();
  const add = current.add === 'allow' && used.length === 0 ? 'ask' : current.add;
  if (add === 'allow')
    rules.push({
      list: 'dependencies',
      pattern: 'allow',
      origin: 'generalised',
      why: `the policy has one verdict for every package; ${used.length} were added (${used.join(', ')}), so any other new package is allowed too`,
      uses: used,
    });
  return {
    add,
    install_scripts: current.installScripts ? 'allow' : 'deny',
    ...(current.minAgeDays === undefined ? {} : { min_age_days: current.minAgeDays }),
    ...(current.minWeeklyDownloads === undefined ? {} : { min_weekly_downloads: current.minWeeklyDownloads }),
  };
}

function secretsUsed(
  uses: Uses,
  current: Readonly<Record<string, readonly string[]>>,
  rules: SuggestedRule[],
): Record<string, Array<'git.push' | 'git.fetch' | 'pr.create' | 'registry.lookup'>> {
  const out: Record<string, Array<'git.push' | 'git.fetch' | 'pr.create' | 'registry.lookup'>> = {};
  for (const key of [...uses.keys()].sort()) {
    const [name = '', act = ''] = key.split('\n');
    if (!current[name]?.includes(act)) continue;
    out[name] = [...(out[name] ?? []), act as 'git.push'];
    rules.push({
      list: `secrets.${name}`,
      pattern: act,
      origin: 'observed',
      why: `used in ${sessionsSaid(uses.get(key) ?? [])}`,
    });
  }
  return out;
}

/**
 * Each MCP tool called, as the rule of the current policy that allowed it with its conditions, its
 * pattern narrowed to the one tool; the ask and deny rules kept. The arguments are sealed in the
 * log, so no condition is drawn from them.
 */
function mcpSection(
  tools: Map<string, { rule: string | undefined; sessions: Set<string> }>,
  file: PolicyFile,
  rules: SuggestedRule[],
): Pick<PolicyFile, 'mcp'> {
  const written = mcpRules(file.mcp);
  const allow: NonNullable<NonNullable<PolicyFile['mcp']>['allow']> = [];
  for (const [name, { rule, sessions }] of [...tools].sort(([a], [b]) => a.localeCompare(b))) {
    const source = written.find((r) => r.id === rule);
    const original = source ? file.mcp?.allow?.[Number(/\[(\d+)\]/.exec(source.id)?.[1])] : undefined;
    const conditions =
      typeof original === 'object'
        ? {
            ...(original.when ? { when: original.when } : {}),
            ...(original.unless ? { unless: original.unless } : {}),
          }
        : {};
    allow.push(Object.keys(conditions).length > 0 ? { tool: name, ...conditions } : name);
    rules.push({
      list: 'mcp.allow',
      pattern: name,
      origin: Object.keys(conditions).length > 0 ? 'observed' : 'generalised',
      why: `called in ${sessionsSaid(sessions)}${Object.keys(conditions).length > 0 ? `, with the conditions of ${rule}` : '; its arguments are sealed in the log, so any arguments are allowed'}`,
      uses: [name],
    });
  }
  if (allow.length === 0 && !file.mcp?.ask && !file.mcp?.deny) return {};
  return {
    mcp: {
      ...(allow.length ? { allow } : {}),
      ...(file.mcp?.ask ? { ask: file.mcp.ask } : {}),
      ...(file.mcp?.deny ? { deny: file.mcp.deny } : {}),
    },
  };
}

/** The allowed actions of the sessions that `policy` would not allow: a suggestion must leave none. */
export async function notAllowedBy(
  policy: CompiledPolicy,
  activities: readonly SessionActivity[],
): Promise<Array<{ observed: ObservedAction; reason: string }>> {
  const out: Array<{ observed: ObservedAction; reason: string }> = [];
  for (const observed of activities.flatMap((a) => a.actions)) {
    if (observed.decision !== 'allow') continue;
    const action = asPolicyAction(observed.action);
    if (action === undefined) continue;
    const decided = await policy.decide(action);
    if (decided.decision !== 'allow') out.push({ observed, reason: decided.reason });
  }
  return out;
}

/**
 * A recorded action as the policy takes it. An MCP call's arguments are sealed in the log, so it is
 * judged with none: its tool rule, not its conditions, decides (undefined when a rule has conditions).
 */
export function asPolicyAction(action: ObservedAction['action']): PolicyAction | undefined {
  if (action.kind !== 'mcp.call') return action;
  return { kind: 'mcp.call', server: action.server, tool: action.tool, args: {} };
}
