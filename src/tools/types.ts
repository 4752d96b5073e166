import type { z } from 'zod';
import type { PolicyAction } from '../policy/types.ts';
import type { Sandbox } from '../sandbox/types.ts';
import type { Workspace } from '../sandbox/workspace-types.ts';

/** A file the tool created, changed, deleted or moved, for events and the report. */
export interface FileChange {
  path: string;
  kind: 'added' | 'modified' | 'deleted' | 'moved';
  /** For moves: where it came from. */
  from?: string;
  /** Content before and after, when text; drives diffs and the diff stat. */
  before?: string;
  after?: string;
}

/** A command the tool ran, for the report. */
export interface CommandRun {
  command: string;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** The limit that stopped it, when one did: `disk` is the workspace's total disk use (`limits.disk`). */
  limit?: 'disk';
}

export interface ToolResult {
  /** What the model reads. */
  output: string;
  isError?: boolean;
  /** Facts for programs (truncation, offsets, counts), never prose. */
  details?: Record<string, unknown>;
  /**
   * Set when `output` carries content from the workspace or a command (file text, matches, file
   * names, command output): where it came from, as the model's label reads (`read_file src/a.ts`,
   * `shell: npm test`). The model then gets it as untrusted data, and it is scanned for injected
   * instructions. Unset, the output is the tool's own message. A tool that returns outside content
   * must set it.
   */
  source?: string;
  changes?: FileChange[];
  command?: CommandRun;
}

export interface ToolContext {
  workspace: Workspace;
  sandbox: Sandbox;
  signal: AbortSignal;
  /**
   * The session's redactor, for a tool that cuts text before it returns it (the shell's head and
   * tail): redacting the whole first keeps a secret across the cut from leaving an unmatchable half.
   */
  redact?: (text: string) => string;
  /** A one-line status for long steps ("running npm test, 12s"). */
  progress?: (message: string) => void;
  /**
   * Workspace-relative paths the policy hides (`files.deny`): tools that read many files at once
   * (grep) leave them out, as the sandbox masks them from commands.
   */
  hidden?: (path: string) => boolean;
  /**
   * Judges actions a tool learns of only while it runs (the base of a pull request, looked up by
   * the broker): the policy decides, a person is asked if need be, and an allowed action's intent
   * is on record before this resolves. Absent when no policy judges the session.
   */
  authorize?: (actions: PolicyAction[]) => Promise<Authorized>;
}

export type Authorized = { allowed: true } | { allowed: false; output: string };

export interface Tool<Args = unknown> {
  name: string;
  description: string;
  /** Validates the model's arguments; its JSON Schema is what the model sees. */
  schema: z.ZodType<Args>;
  /**
   * The JSON Schema the model sees, when it does not come from `schema` (an MCP server's tool:
   * the server declares it and validates the arguments itself).
   */
  parameters?: Record<string, unknown>;
  /** The effects a call would have, described for the policy to decide on before it runs. */
  actions?(args: Args): PolicyAction[];
  /**
   * For tools that write files: the changes a call would make, worked out by the same code as
   * `execute` but writing nothing, so what a write says can be judged before it is on disk (a
   * manifest's new dependencies). Undefined when the call would fail.
   */
  prospective?(args: Args, workspace: Workspace): Promise<FileChange[] | undefined>;
  execute(args: Args, context: ToolContext): Promise<ToolResult>;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds tools of every argument type
export type AnyTool = Tool<any>;
