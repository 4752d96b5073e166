import type { ServerOutcome } from '../mcp/server-outcome.ts';
import type { FinishReason, Usage } from '../models/types.ts';
import type { RecordedAction } from '../policy/types.ts';
import type { CommandRun, FileChange } from '../tools/types.ts';

/** Bumped when an event's shape changes incompatibly; consumers check it. */
export const EVENT_SCHEMA_VERSION = 1;

export interface FileChangeSummary {
  path: string;
  kind: FileChange['kind'];
  from?: string;
  added: number;
  removed: number;
}

/**
 * A file that runs later, outside the sandbox (see the policy's runs_later): changed by the
 * session, refused, or written by a command and put back.
 */
export interface RunsLaterFile {
  path: string;
  /** The policy's sub-category: `ci`, `ide`, `git_hooks`, … */
  category: string;
  /** What it is ("GitHub Actions workflow") and what runs it when. */
  what: string;
  runs: string;
  outcome: 'changed' | 'refused' | 'reverted' | 'not-reverted';
  /** Written by a command the policy let run, not by a file tool. */
  byCommand?: boolean;
}

export interface ModelSpend {
  turns: number;
  usage: Usage;
  cost: number | undefined;
}

export interface Report {
  status: 'finished' | 'failed' | 'limit' | 'cancelled';
  /** Why the session ended, in one line. */
  reason: string;
  summary: string;
  filesChanged: FileChangeSummary[];
  diffStat: { files: number; added: number; removed: number };
  /** Files that run later, outside the sandbox: listed apart, for a person to review. */
  runsLater?: RunsLaterFile[];
  commands: CommandRun[];
  tokens: Usage;
  cost: number | undefined;
  /** Tokens, cost and turns for each model that answered (the primary and any fallback). */
  byModel: Record<string, ModelSpend>;
  durationMs: number;
  turns: number;
  toolCalls: number;
  toolErrors: number;
  denials: number;
  /** Set when the session failed on an error with a code (`model.auth`, `model.credentials`, …). */
  error?: { code: string; message: string };
}

export type LimitName = 'turns' | 'wall_time' | 'tokens' | 'cost';

/** Every event a session emits; every sink (JSONL, SSE, audit, OTel, live view) consumes this union. */
export type EventBody =
  | { type: 'session.started'; task: string; model: string; repo: string; resumedFrom?: string }
  /** The policy that judges the session, named and digested as a receipt does (`sha256:` of the validated file). */
  | { type: 'policy.loaded'; source: string; digest: string }
  | { type: 'model.request'; turn: number; model: string; messages: number; estimatedInputTokens: number }
  | {
      type: 'model.response';
      turn: number;
      model: string;
      text: string;
      toolCalls: number;
      usage: Usage;
      cost: number | undefined;
      finishReason: FinishReason;
      durationMs: number;
      attempts: number;
    }
  | { type: 'model.retry'; turn: number; attempt: number; delayMs: number; reason: string }
  /**
   * One call a third-party agent made through Warden's model gateway (`warden wrap`): who, which
   * model answered, how much and how it ended; never the prompt or the answer.
   */
  | {
      type: 'gateway.call';
      id: string;
      api: string;
      requestedModel?: string;
      model?: string;
      stream: boolean;
      status: number;
      error?: { code: string; message: string };
      usage: Usage;
      cost: number | undefined;
      /** Usage and cost are estimates: the call ended early and no usage came back. */
      estimated?: boolean;
      durationMs: number;
      attempts: number;
    }
  | {
      type: 'context.compacted';
      turn: number;
      messagesBefore: number;
      messagesAfter: number;
      tokensBefore: number;
    }
  | { type: 'tool.requested'; callId: string; tool: string; args: unknown }
  | {
      type: 'policy.decided';
      callId: string;
      tool: string;
      decision: 'allow' | 'deny' | 'ask';
      policies: string[];
      reason: string;
      /** What was judged (a call may take several actions); absent in logs written before it was kept. */
      action?: RecordedAction;
    }
  | { type: 'approval.requested'; callId: string; tool: string; reason: string }
  | { type: 'approval.resolved'; callId: string; decision: 'allow' | 'deny'; by: string }
  | { type: 'tool.started'; callId: string; tool: string }
  | { type: 'tool.progress'; callId: string; tool: string; message: string }
  | {
      type: 'tool.finished';
      callId: string;
      tool: string;
      ok: boolean;
      output: string;
      durationMs: number;
      details?: Record<string, unknown>;
      command?: CommandRun;
    }
  | {
      type: 'file.changed';
      callId: string;
      path: string;
      kind: FileChange['kind'];
      from?: string;
      diff: string;
    }
  /** An allowed request about to be made: its intent, recorded before the connection. */
  | { type: 'net.requested'; host: string; port: number; method: string }
  | { type: 'net.request'; host: string; port: number; method: string; allowed: boolean; bytes: number }
  /**
   * A guard's finding: instruction-like text in content bound for the model, or a risk in a
   * dependency. `callId` when a tool call brought it.
   */
  | { type: 'guard.flagged'; callId?: string; source: string; rule: string; detail: string }
  | { type: 'limit.reached'; limit: LimitName; value: number; max: number }
  /**
   * An MCP server as the session opened: connected (the tools offered, those withheld and why,
   * those pinned now), failed to start, declined by a person, or refused outright.
   */
  | ({ type: 'mcp.server' } & ServerOutcome)
  /** A person's message injected into a running session (steering), before the next model request. */
  | { type: 'user.message'; text: string; from: string }
  /**
   * A person's command to the session between its runs (the interactive UI): `undo` put the files
   * of the last run back as they were before it, `model` chose the model of the next run, `compact`
   * shortened the conversation, `quit` ended the program.
   */
  | {
      type: 'user.command';
      command: 'undo' | 'model' | 'compact' | 'quit';
      detail: string;
      from: string;
      /** The files it changed in the workspace (undo). */
      files?: string[];
    }
  | { type: 'session.finished'; report: Report };

export type EventType = EventBody['type'];

export type WardenEvent = EventBody & {
  v: typeof EVENT_SCHEMA_VERSION;
  session: string;
  /** Per-session, gap-free, continues across resumes. */
  seq: number;
  time: string;
};

export type EventOf<T extends EventType> = Extract<WardenEvent, { type: T }>;

export type EventSink = (event: WardenEvent) => void;
