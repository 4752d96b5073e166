/**
 * What the policy decides about. Every effect the agent wants — a file read or write, a command, a
 * network request, a new dependency, a git push, a pull request, an MCP tool call — is described
 * as one of these before it happens.
 */
export type PolicyAction =
  | { kind: 'file.read'; path: string }
  /**
   * `content`, when the writer knows it, lets a write to package.json be judged by what it changes
   * (a lifecycle script added) rather than asked about as a file that might run later.
   */
  | { kind: 'file.write'; path: string; content?: WriteContent }
  /** The whole command line as the model sent it; the policy parses it into simple commands. */
  | {
      kind: 'shell';
      command: string;
      /** The workspace's absolute path, where the sandbox mounts it: `> /ws/x` writes `x`. */
      root?: string;
      /** Workspace-relative directory the command starts in (`.` by default). */
      cwd?: string;
    }
  | { kind: 'net.connect'; host: string; port: number }
  | { kind: 'dependency.add'; ecosystem: string; name: string }
  | { kind: 'git.push'; branch: string; force: boolean }
  /** A pull request the broker would open from branch `head` into branch `base` of the remote's repository. */
  | { kind: 'pr.create'; base: string; head: string }
  /** The broker about to use a named credential for an act (`git.push`, `pr.create`, …). */
  | { kind: 'secret.use'; name: string; act: string }
  /** A tool of a configured MCP server (`server.tool`), with the arguments the model gave it. */
  | { kind: 'mcp.call'; server: string; tool: string; args: Record<string, unknown> };

/**
 * An action as the audit log keeps it beside its decision, readable without the master key: what
 * was judged, never what it carries. A write's content and an MCP call's arguments are code or
 * data, sealed with the tool call; an MCP call keeps only the short digest of its arguments that
 * tells two calls of one tool apart (see recorded-action.ts).
 */
export type RecordedAction =
  | Exclude<PolicyAction, { kind: 'file.write' } | { kind: 'mcp.call' }>
  | { kind: 'file.write'; path: string }
  | { kind: 'mcp.call'; server: string; tool: string; argsDigest: string };

export type Verdict = 'allow' | 'deny' | 'ask';

export interface Decision {
  decision: Verdict;
  /** Ids of the policies (rules) that decided it, e.g. `commands.deny[2]`, `default.files.deny[0]`. */
  policies: string[];
  /** One line a person can read: why. */
  reason: string;
  /** For a file write: what it is among the files that run later, outside the sandbox. */
  runsLater?: RunsLaterMatch[];
  /** For shell: the verdict on each simple command found in the program. */
  parts?: Array<{
    command: string;
    decision: Verdict;
    policies: string[];
    /** The workspace file this part writes (a redirect's target, `sort -o FILE`), judged as a file write. */
    write?: string;
  }>;
}

/** A write's content, when the writer knows it: what judges a change inside package.json. */
export interface WriteContent {
  /** Undefined: the file did not exist. */
  before?: string | undefined;
  /** Undefined: the write deletes it. */
  after?: string | undefined;
}

/** A catalog entry a write matched: see runs-later-catalog.ts. */
export interface RunsLaterMatch {
  category: string;
  /** `runs_later.ci:github-actions` */
  rule: string;
  what: string;
  runs: string;
}

/** Limits the policy sets on sessions and on each command's process tree. */
export interface PolicyLimits {
  wallTimeMs?: number;
  commandTimeMs?: number;
  cpuSeconds?: number;
  memoryBytes?: number;
  processes?: number;
  outputBytes?: number;
  fileSizeBytes?: number;
  /** The workspace's total disk use; a command that passes it is stopped (sandbox/disk-limit.ts). */
  diskBytes?: number;
  tokens?: number;
  cost?: number;
}

/** How new dependencies are judged beyond allow/ask/deny, and whether their install scripts run. */
export interface DependencyRules {
  /** Lifecycle scripts (npm `postinstall`, …) run on install; off unless the policy allows them. */
  installScripts: boolean;
  /** Packages first published fewer days ago are asked about. */
  minAgeDays?: number;
  /** npm packages with fewer weekly downloads are asked about. */
  minWeeklyDownloads?: number;
}

export interface Policy {
  /** Where it came from (a file path, or `default`). */
  source: string;
  decide(action: PolicyAction): Promise<Decision>;
  /** Host:port patterns the egress proxy lets through. */
  readonly network: { allow: string[] };
  /** Workspace-relative globs the agent may neither read nor write; the sandbox masks them too. */
  readonly deniedPaths: string[];
  readonly limits: PolicyLimits;
  /** Absent: install scripts off, the checker's default thresholds. */
  readonly dependencies?: DependencyRules;
}
