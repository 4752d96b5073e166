import { messageOf } from '../errors.ts';
import type { UntrustedContent } from '../guard/untrusted.ts';
import type { ToolCall, ToolCallResult } from '../models/types.ts';
import { MAX_ARGUMENT_DEPTH, nestedDeeperThan, parseToolArgs } from '../tools/registry.ts';
import type { AnyTool, ToolContext, ToolResult } from '../tools/types.ts';
import { type ChangeLog, unifiedDiff } from './change-log.ts';
import type { EventStream } from './event-stream.ts';
import type { Report } from './events.ts';
import type { Gate, GateResult } from './gate.ts';
import { manifestActions } from './manifest-actions.ts';
import { checkPlanted } from './planted-check.ts';
import type { PlantedWatch } from './planted-watch.ts';
import type { RunsLaterLog } from './runs-later-log.ts';
import { withWriteContent } from './write-content.ts';

/** Cap on tool output as recorded in events; the model gets the tool's own capped output. */
const EVENT_OUTPUT_LIMIT = 4000;

export interface ToolCallContext {
  tools: ReadonlyMap<string, AnyTool>;
  toolContext: ToolContext;
  events: EventStream;
  changes: ChangeLog;
  commands: Report['commands'];
  /** The policy's say on every call; without one, calls run as the sandbox allows. */
  gate?: Gate;
  /** Resolves once the intent just emitted is durable; an effect whose intent is not, never happens. */
  recordIntent?: () => Promise<void>;
  /** Cleans what goes back to the model (the redactor). */
  redact?: (text: string) => string;
  /** Marks workspace and command content as data for the model and scans it for injected instructions. */
  untrusted?: UntrustedContent;
  /** Looks for files that run later written by a command, to judge them after it. */
  watch?: PlantedWatch;
  /** Where writes of files that run later are kept for the report. */
  runsLater?: RunsLaterLog;
  /** Told when a call's outcome means the session must end after this turn. */
  stop?: (reason: { code: string; message: string }) => void;
}

/**
 * The one path every tool call takes: validate, run, record. Whatever the model sends — an unknown
 * tool, arguments that are not JSON, a tool that throws — becomes a tool error the model can read,
 * never an exception out of the session.
 */
export async function runToolCall(call: ToolCall, context: ToolCallContext): Promise<ToolCallResult> {
  const { events } = context;
  events.emit({
    type: 'tool.requested',
    callId: call.id,
    tool: call.name,
    args: argsForEvent(call.input, context.redact),
  });

  const tool = context.tools.get(call.name);
  if (!tool) {
    const known = [...context.tools.keys()].join(', ');
    return finish(call, context, 0, {
      isError: true,
      output: `unknown tool "${call.name}"; the tools are: ${known}`,
    });
  }
  const parsed = parseToolArgs(tool, call.input);
  if (!parsed.ok) {
    return finish(call, context, 0, {
      isError: true,
      output: `invalid arguments for ${call.name}: ${parsed.error}`,
    });
  }

  // A command may write files the policy never sees: those that run later are looked for after it.
  let watch: PlantedWatch | undefined;
  if (context.gate) {
    // A tool that cannot say what it would do cannot be judged, so it does not run.
    const declared = tool.actions?.(parsed.args);
    // A file tool's write can land in a file that runs later through a link (`package.json ->
    // src/p.json`, then a write of src/p.json): after it too, what changed there is judged.
    // An MCP server that may write the workspace (write_workspace) does so by its own path too.
    if (declared?.some((action) => ['shell', 'file.write', 'mcp.call'].includes(action.kind)))
      watch = context.watch;
    const actions =
      declared && (await withWriteContent(tool, parsed.args, declared, context.toolContext.workspace));
    // What a write adds to a manifest is judged with the write, before it is on disk.
    const manifest = actions
      ? await manifestActions(tool, parsed.args, actions, context.toolContext.workspace)
      : undefined;
    const verdict: GateResult =
      actions && manifest
        ? await context.gate.check(
            { id: call.id, tool: call.name },
            [...actions, ...manifest.actions],
            manifest.concerns,
          )
        : { allowed: false, output: `${call.name} declares no actions the policy could judge` };
    if (!verdict.allowed) {
      if (verdict.stop) context.stop?.(verdict.stop);
      return finish(call, context, 0, { isError: true, output: verdict.output });
    }
  }

  events.emit({ type: 'tool.started', callId: call.id, tool: call.name });
  try {
    await context.recordIntent?.();
  } catch (error) {
    context.stop?.({
      code: 'audit.write',
      message: `the audit record could not be written: ${messageOf(error)}`,
    });
    return finish(call, context, 0, { isError: true, output: 'not run: its intent could not be recorded' });
  }
  await watch?.before();
  const started = performance.now();
  let result: ToolResult;
  try {
    result = await tool.execute(parsed.args, {
      ...context.toolContext,
      progress: (message) =>
        events.emit({ type: 'tool.progress', callId: call.id, tool: call.name, message }),
      ...(context.gate ? { authorize: authorizer(call, context.gate, context) } : {}),
    });
  } catch (error) {
    result = { isError: true, output: `${call.name} failed: ${messageOf(error)}` };
  }
  const durationMs = performance.now() - started;
  if (result.changes?.length && !watch) context.watch?.touched();
  // What the tool wrote by its own path was judged before it ran.
  for (const change of result.changes ?? []) {
    watch?.allowed(change.path);
    if (change.from) watch?.allowed(change.from);
  }
  const notes =
    watch && context.gate
      ? await checkPlanted({
          callId: call.id,
          watch,
          authorize: authorizer(call, context.gate, context),
          events,
          ...(context.runsLater ? { log: context.runsLater } : {}),
        })
      : [];
  const finished = finish(call, context, durationMs, result);
  return notes.length ? { ...finished, output: `${finished.output}\n${notes.join('\n')}` } : finished;
}

/**
 * The gate for what a call learns while it runs: decide, then make the intent durable before the
 * tool acts on the answer, as for the call's own actions.
 */
function authorizer(
  call: ToolCall,
  gate: Gate,
  context: ToolCallContext,
): NonNullable<ToolContext['authorize']> {
  return async (actions) => {
    const verdict = await gate.check({ id: call.id, tool: call.name }, actions);
    if (!verdict.allowed) {
      if (verdict.stop) context.stop?.(verdict.stop);
      return { allowed: false, output: verdict.output };
    }
    try {
      await context.recordIntent?.();
    } catch (error) {
      const message = `the audit record could not be written: ${messageOf(error)}`;
      context.stop?.({ code: 'audit.write', message });
      return { allowed: false, output: 'not run: its intent could not be recorded' };
    }
    return { allowed: true };
  };
}

/** A call the model asked for that must not run; it is still recorded and answered. */
export function skipToolCall(call: ToolCall, reason: string, context: ToolCallContext): ToolCallResult {
  context.events.emit({
    type: 'tool.requested',
    callId: call.id,
    tool: call.name,
    args: argsForEvent(call.input),
  });
  return finish(call, context, 0, { isError: true, output: reason });
}

function finish(
  call: ToolCall,
  context: ToolCallContext,
  durationMs: number,
  result: ToolResult,
): ToolCallResult {
  for (const change of result.changes ?? []) {
    context.changes.record(change);
    context.events.emit({
      type: 'file.changed',
      callId: call.id,
      path: change.path,
      kind: change.kind,
      ...(change.from ? { from: change.from } : {}),
      diff: unifiedDiff(change.path, change.kind === 'added' ? undefined : change.before, change.after),
    });
  }
  if (result.command) context.commands.push(result.command);
  // Redacted whole, once, then clipped for the event: a secret cut in two leaves a prefix no rule
  // can match.
  const redacted = context.redact ? context.redact(result.output) : result.output;
  context.events.emit({
    type: 'tool.finished',
    callId: call.id,
    tool: call.name,
    ok: !result.isError,
    output: clip(redacted),
    durationMs: Math.round(durationMs),
    ...(result.details ? { details: result.details } : {}),
    ...(result.command ? { command: result.command } : {}),
  });
  let output = redacted;
  // Only what came from the workspace or a command; Warden's own messages stay plain.
  if (context.untrusted && result.source !== undefined) {
    const source = context.redact ? context.redact(result.source) : result.source;
    const received = context.untrusted.receive(output, source);
    output = received.text;
    for (const { rule, excerpt } of received.findings)
      context.events.emit({ type: 'guard.flagged', callId: call.id, source, rule, detail: excerpt });
  }
  return { callId: call.id, toolName: call.name, output, isError: result.isError === true };
}

/**
 * Arguments as events carry them: long strings (a whole file's content) clipped like outputs,
 * each redacted whole before it is clipped (the event stream redacts again, but only what is left).
 */
function argsForEvent(input: string, redact: (text: string) => string = (text) => text): unknown {
  let args: unknown;
  try {
    args = JSON.parse(input);
  } catch {
    return { unparsed: clip(redact(input)) };
  }
  // Nested past any tool's need, it is kept as the text it came as: walking it would overflow.
  if (nestedDeeperThan(args, MAX_ARGUMENT_DEPTH)) return { unparsed: clip(redact(input)) };
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return args;
  return Object.fromEntries(
    Object.entries(args).map(([key, value]) => [
      key,
      typeof value === 'string' ? clip(redact(value)) : value,
    ]),
  );
}

function clip(text: string): string {
  return text.length <= EVENT_OUTPUT_LIMIT
    ? text
    : `${text.slice(0, EVENT_OUTPUT_LIMIT)}… [${text.length} chars]`;
}
