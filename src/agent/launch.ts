import { randomBytes } from 'node:crypto';
import { type AuditKeys, auditKeysOf } from '../audit/audit-keys.ts';
import { type Durability, type OpenAuditStorage, openAuditLog } from '../audit/index.ts';
import { historyHoldsHidden } from '../broker/history-scan.ts';
import { diffSnapshots, snapshotWorktree } from '../broker/worktree-snapshot.ts';
import { WardenError } from '../errors.ts';
import type { DependencyCheck } from '../guard/dependency-check.ts';
import type { Redactor } from '../guard/redactor.ts';
import { createUntrustedContent } from '../guard/untrusted.ts';
import type { McpServerSet } from '../mcp/config.ts';
import { type McpSession, openMcpSession, type TransportFactory } from '../mcp/session-tools.ts';
import type { PinStore } from '../mcp/tool-pins.ts';
import type { ModelClient } from '../models/types.ts';
import { type Approver, createHeadlessApprover, withCleanQuestions } from '../policy/approvals.ts';
import type { CompiledPolicy } from '../policy/engine.ts';
import { likeMatcher } from '../policy/like.ts';
import type { Policy } from '../policy/types.ts';
import { policyDigest } from '../receipt/policy-digest.ts';
import type { Sandbox } from '../sandbox/types.ts';
import type { Workspace } from '../sandbox/workspace-types.ts';
import { asSessionState, type SessionState } from '../store/session-state.ts';
import type { SessionStore } from '../store/session-store.ts';
import { builtinTools } from '../tools/registry.ts';
import { createAuditRecorder } from './audit-recorder.ts';
import { buildSystemPrompt, readRepositoryContext } from './context.ts';
import { createEventStream } from './event-stream.ts';
import type { EventSink, Report } from './events.ts';
import { createGate } from './gate.ts';
import type { Limits } from './limits.ts';
import { recordNetwork, type SessionNetwork } from './network-events.ts';
import { createPlantedWatch } from './planted-watch.ts';
import { RunsLaterLog } from './runs-later-log.ts';
import { runSession } from './session.ts';
import { createSessionJournal, replayUnaudited } from './session-journal.ts';
import type { TurnHooks } from './turn-boundary.ts';

export interface LaunchOptions extends TurnHooks {
  task: string;
  model: ModelClient;
  workspace: Workspace;
  sandbox: Sandbox;
  /** The CLI's SQLite store, or any other behind the async interface (a server's PostgreSQL). */
  store: SessionStore | SessionState;
  /** The working directory relative to the workspace root; AGENTS.md files are read down to it. */
  workingDir?: string;
  /**
   * Told of each event once it is stored, so that whatever they show (a terminal, JSON lines, a
   * server's stream) is never ahead of what survives a crash.
   */
  sinks: EventSink[];
  limits?: Partial<Limits>;
  /** Every tool call is judged by this policy; `ask` goes to the approver. */
  policy?: Policy;
  approver?: Approver;
  /** New dependencies are looked up in their registries once the policy lets them through. */
  checkDependency?: DependencyCheck;
  /** The egress proxy: its intents and records become `net.requested` / `net.request` events. */
  network?: SessionNetwork;
  /**
   * Where the session's signed, hash-chained audit log goes, and the signing and master keys. With
   * `storage`, the log is kept there (a database) instead of under `dir`.
   */
  audit?: {
    dir: string;
    keyDir: string;
    keys?: AuditKeys;
    durability?: Durability;
    storage?: OpenAuditStorage;
  };
  /** The redactor every outbound path passes through: events, the audit log, the model. */
  redactor?: Redactor;
  /** Options of the built-in tools (the shell's time limits come from the policy). */
  tools?: Parameters<typeof builtinTools>[0];
  /** Findings made before the session began (a credential moved out of a remote URL): `guard.flagged`. */
  flagged?: Array<{ source: string; rule: string; detail: string }>;
  /**
   * MCP servers whose tools the agent may call: connected and vetted (pins, tool-poisoning rules)
   * before the first model request, every call judged by the policy as `mcp.call`.
   */
  mcp?: { servers: McpServerSet; transport: TransportFactory; pins: PinStore };
  /**
   * What the task is about, written by someone other than whoever set the task (a GitHub issue and
   * its comment): handed to the model after the task as untrusted data, each piece scanned and its
   * instruction-like text flagged. A resumed session has it in its history already.
   */
  material?: Array<{ source: string; content: string }>;
  /** Continue this session (id or unique prefix) instead of starting a new one. */
  resume?: string;
  /** The id of a new session, when its host names it (the server uses the task id); else generated. */
  sessionId?: string;
  signal?: AbortSignal;
}

export interface Launched {
  sessionId: string;
  report: Report;
}

/** Composes a session from its parts, records it in the store, runs it to its report. */
export async function launchSession(options: LaunchOptions): Promise<Launched> {
  const { workspace, model } = options;
  const store = asSessionState(options.store);
  const previous = options.resume ? await store.find(options.resume) : undefined;
  if (options.resume && !previous) {
    throw new WardenError('session.not_found', `no session "${options.resume}" in this repository`, {
      hint: 'list them with: warden sessions list',
    });
  }
  const redact = options.redactor
    ? (text: string) => options.redactor?.redact(text) ?? text
    : (text: string) => text;
  const checkpoint = previous ? await store.loadCheckpoint(previous.id) : undefined;
  // One envelope nonce for the session's run: the material, the overview and every tool result share it.
  const untrusted = createUntrustedContent();
  const material = previous
    ? []
    : (options.material ?? []).map((m) => ({ ...m, ...untrusted.receive(m.content, m.source) }));
  const taskText = [options.task, ...material.map((m) => m.text)].join('\n\n');
  const sessionId = previous?.id ?? options.sessionId ?? newSessionId();
  if (previous) await store.markRunning(sessionId, model.info.id);
  else
    await store.create({
      id: sessionId,
      task: redact(taskText),
      model: model.info.id,
      repo: workspace.root,
    });

  const recorder = options.audit ? await openRecorder(options.audit, sessionId) : undefined;
  if (previous && recorder) await replayUnaudited(store, sessionId, recorder);
  const journal = createSessionJournal({
    state: store,
    sessionId,
    recorder,
    stored: options.sinks,
  });
  // Numbering continues from what was stored, not from the checkpoint: a crash after the last
  // checkpoint leaves later events in the store.
  const events = createEventStream(
    sessionId,
    [journal.sink],
    previous ? await store.lastSeq(sessionId) : 0,
    options.redactor ? (body) => options.redactor?.redactValue(body) ?? body : undefined,
  );
  const tools = builtinTools(options.tools);
  recordNetwork(options.network, events, () => journal.durable());
  const workingDir = options.workingDir ?? '';
  const repository = await readRepositoryContext(workspace, workingDir, untrusted);
  const task = redact(taskText);

  const runsLater = new RunsLaterLog();
  const watch = createPlantedWatch(workspace);
  const start = await snapshotWorktree(workspace.root);
  const worktree = {
    async changes() {
      const now = start ? await snapshotWorktree(workspace.root) : undefined;
      return start && now ? diffSnapshots(workspace.root, start, now) : undefined;
    },
  };

  const gate = options.policy
    ? createGate({
        historyHoldsHidden: await historyHoldsHidden(workspace.root, likeMatcher(options.policy.deniedPaths)),
        policy: options.policy,
        approver: withCleanQuestions(options.approver ?? createHeadlessApprover('deny'), redact),
        events,
        workspaceRoot: workspace.root,
        ...(options.checkDependency ? { checkDependency: options.checkDependency } : {}),
        runsLater: (path, matches, allowed) => {
          runsLater.record(path, matches, allowed ? 'changed' : 'refused');
          if (allowed) watch.allowed(path);
        },
      })
    : undefined;
  events.emit({
    type: 'session.started',
    task: options.task,
    model: model.info.id,
    repo: workspace.root,
    ...(previous ? { resumedFrom: previous.id } : {}),
  });
  // Readable without the master key: which policy was in force is what an auditor asks first.
  if (options.policy && 'file' in options.policy)
    events.emit({
      type: 'policy.loaded',
      source: options.policy.source,
      digest: policyDigest(options.policy as Pick<CompiledPolicy, 'file'>),
    });
  for (const flag of repository.flags) events.emit({ type: 'guard.flagged', ...flag });
  for (const flag of options.flagged ?? []) events.emit({ type: 'guard.flagged', ...flag });
  for (const { source, findings } of material)
    for (const { rule, excerpt } of findings)
      events.emit({ type: 'guard.flagged', source, rule, detail: excerpt });
  let mcp: McpSession | undefined;
  try {
    mcp = options.mcp && (await openMcp(options.mcp, tools, gate, events));
  } catch (error) {
    await recorder?.close();
    throw error;
  }
  tools.push(...(mcp?.tools ?? []));
  const system = buildSystemPrompt({
    workspaceRoot: workspace.root,
    workingDir,
    contextFiles: repository.contextFiles,
    overview: repository.overview,
    toolNames: tools.map((tool) => tool.name),
    sandboxKind: options.sandbox.kind,
    date: new Date().toISOString().slice(0, 10),
  });
  let finished: Report;
  try {
    finished = await runSession({
      task,
      model,
      tools,
      workspace,
      sandbox: options.sandbox,
      system: redact(system),
      ...(options.redactor ? { redact } : {}),
      untrusted,
      events,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(checkpoint
        ? {
            history: checkpoint.messages,
            spent: { turns: checkpoint.turns, usage: checkpoint.usage, cost: checkpoint.cost },
          }
        : // Stopped before its first checkpoint: the original task is all there is to carry over.
          previous
          ? { history: [{ role: 'user' as const, text: previous.task }] }
          : {}),
      // The conversation as stored: the model's own text and tool arguments are redacted like the rest.
      checkpoint: (state) =>
        journal.checkpoint(options.redactor ? options.redactor.redactValue(state) : state),
      recordIntent: () => journal.durable(),
      ...(options.policy && gate
        ? { hidden: likeMatcher(options.policy.deniedPaths), gate, watch, runsLater }
        : {}),
      worktree,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.steering ? { steering: options.steering } : {}),
      ...(options.stopBefore ? { stopBefore: options.stopBefore } : {}),
    });
  } finally {
    await mcp?.close();
  }
  // The report lists commands as the model wrote them: a secret in one must not reach the store.
  const report = options.redactor ? options.redactor.redactValue(finished) : finished;
  try {
    await journal.drain();
    await store.finish(sessionId, report);
  } finally {
    await recorder?.close();
  }
  return { sessionId, report };
}

/**
 * The session's MCP servers, before the model's first request: what needs a person (a server the
 * repository offers, a tool that changed or reads as instructions) is asked through the gate, as
 * any other approval, and recorded; without a policy nobody could be asked, so nothing is accepted.
 */
function openMcp(
  mcp: NonNullable<LaunchOptions['mcp']>,
  tools: readonly { name: string }[],
  gate: ReturnType<typeof createGate> | undefined,
  events: ReturnType<typeof createEventStream>,
): Promise<McpSession> {
  return openMcpSession({
    ...mcp,
    builtinTools: tools.map((tool) => tool.name),
    ask: async ({ id, concerns }) =>
      gate ? (await gate.check({ id, tool: 'mcp' }, [], concerns)).allowed : false,
    onOutcome: (outcome) => events.emit({ type: 'mcp.server', ...outcome }),
  });
}

export async function openRecorder(audit: NonNullable<LaunchOptions['audit']>, session: string) {
  const keys = auditKeysOf(audit);
  const log = await openAuditLog({
    dir: audit.dir,
    session,
    signer: await keys.signer(),
    ...(audit.durability ? { durability: audit.durability } : {}),
    ...(audit.storage ? { storage: audit.storage } : {}),
    // Code, prompts and outputs are sealed at rest; the chain covers the ciphertext.
    encryption: { wrapper: await keys.wrapper() },
  });
  return createAuditRecorder(log);
}

export function newSessionId(): string {
  const stamp = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  return `s${stamp}-${randomBytes(4).toString('hex')}`;
}
