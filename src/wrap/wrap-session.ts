import { realpathSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEventStream } from '../agent/event-stream.ts';
import type { EventSink, Report } from '../agent/events.ts';
import { createGate } from '../agent/gate.ts';
import { type LaunchOptions, newSessionId, openRecorder } from '../agent/launch.ts';
import { recordNetwork } from '../agent/network-events.ts';
import type { Durability } from '../audit/index.ts';
import { historyHoldsHidden } from '../broker/history-scan.ts';
import { diffSnapshots, snapshotWorktree } from '../broker/worktree-snapshot.ts';
import { messageOf } from '../errors.ts';
import { createVirtualKeys, type KeyBudget, type ModelRouter, startGateway } from '../gateway/index.ts';
import type { DependencyCheck } from '../guard/dependency-check.ts';
import type { Redactor } from '../guard/redactor.ts';
import { mountMcpEndpoint } from '../mcp/gateway-endpoint.ts';
import { type Approver, withCleanQuestions } from '../policy/approvals.ts';
import { likeMatcher } from '../policy/like.ts';
import type { Policy } from '../policy/types.ts';
import { startAgentSandbox } from '../sandbox/agent-sandbox.ts';
import { SANDBOX_HOME, SANDBOX_HOSTNAME } from '../sandbox/bwrap-args.ts';
import type { SandboxLimits } from '../sandbox/limits.ts';
import type { AttachedExit, AttachedProcess } from '../sandbox/run-attached.ts';
import type { SessionStore } from '../store/session-store.ts';
import { type CommandService, startCommandService } from './command-service.ts';
import { type AgentProfile, shellQuote } from './profile.ts';
import type { AgentProgram } from './program.ts';
import { shellShimMounts } from './shell-shims.ts';
import { startWrapMcp, type WrapMcp } from './wrap-mcp.ts';
import { createSpendTally, gatewayEvent, type WrapOutcome, wrapReport } from './wrap-report.ts';

/**
 * The gateway inside the sandbox: the sandbox's own hostname (127.0.0.1 in its hosts file), so
 * NO_PROXY can name it without also sending 127.0.0.1 and localhost past the proxy.
 */
export const GATEWAY_HOST = SANDBOX_HOSTNAME;
export const GATEWAY_PORT = 4000;

const CLAUDE_HOOK = realpathSync(fileURLToPath(new URL('./claude-hook.ts', import.meta.url)));
const SHELL_SHIM = realpathSync(fileURLToPath(new URL('./shell-shim.ts', import.meta.url)));

export interface WrapOptions {
  /** The agent's command line as the user gave it. */
  argv: string[];
  program: AgentProgram;
  profile: AgentProfile;
  /** Answers every model name the agent asks for; built (and checked) before the session starts. */
  routes: ModelRouter;
  modelId: string;
  /** The session's id, when its host names it; else generated. */
  sessionId?: string;
  workspaceRoot: string;
  /** Relative to the root: where the agent starts. */
  workingDir: string;
  store: SessionStore;
  policy: Policy;
  approver: Approver;
  /** The egress proxy's records and intents, and its socket to bridge in; absent: no network. */
  network: LaunchOptions['network'];
  proxySocket: string | undefined;
  /** Paths inside the workspace the agent may read but not change (.git, .warden). */
  protectedPaths: string[];
  limits: SandboxLimits;
  /** The session's virtual key stops working past these. */
  budget: KeyBudget;
  maxWallTimeMs?: number;
  redactor: Redactor;
  audit: { dir: string; keyDir: string; durability?: Durability };
  /** Variables passed through from the user's terminal (TERM, COLORTERM); the profile's win. */
  env?: Record<string, string>;
  sinks?: EventSink[];
  /** false: the agent runs without the terminal (stdio /dev/null); default true. */
  terminal?: boolean;
  /** Told once the agent runs, for the caller to forward a terminal's signals. */
  onStart?: (agent: AttachedProcess) => void;
  /** Aborting ends the agent at once (SIGKILL); the session is recorded as cancelled. */
  signal?: AbortSignal;
  /** Let package managers run install scripts (the policy's `dependencies.install_scripts`). */
  installScripts?: boolean;
  /**
   * The session guards' registry check (`openSessionGuards(…).launch.checkDependency`): a package
   * the agent installs is looked up once the policy lets it through, as in `warden exec`.
   */
  checkDependency?: DependencyCheck;
  /** Findings made before the session began (a credential moved out of a remote URL). */
  flagged?: Array<{ source: string; rule: string; detail: string }>;
  /** Whether the user interrupted the agent (a forwarded Ctrl-C): if it then fails, it was cancelled. */
  interrupted?: () => boolean;
  /**
   * MCP servers the agent may use, through the gateway's /mcp only (its own are replaced): each
   * call judged by the policy and recorded in this session.
   */
  mcp?: WrapMcp;
}

/** Where the agent finds Warden's MCP gateway, beside the model gateway. */
export const MCP_ENDPOINT_PATH = '/mcp';

export interface WrapResult {
  sessionId: string;
  report: Report;
  exit: AttachedExit;
}

/**
 * One wrapped agent as one Warden session: a virtual key on a gateway only this sandbox can reach,
 * its commands judged by the policy through the command service, its network through the proxy,
 * everything recorded in the store and the signed audit log, and a report at the end.
 */
export async function runWrapped(options: WrapOptions): Promise<WrapResult> {
  // Private (0700): the agent's HOME, the generated files and the sockets only this session uses.
  const dir = await mkdtemp(join(tmpdir(), 'warden-wrap-'));
  try {
    return await runIn(dir, options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runIn(dir: string, options: WrapOptions): Promise<WrapResult> {
  const root = options.workspaceRoot;
  const homeDir = join(dir, 'home');
  const filesDir = join(dir, 'files');
  const runDir = join(dir, 'run');
  for (const sub of [homeDir, filesDir, runDir]) await mkdir(sub, { mode: 0o700 });
  const redact = (text: string) => options.redactor.redact(text);

  const sessionId = options.sessionId ?? newSessionId();
  const commandLine = options.argv
    .map((word) => (/^[\w./:=@%+,-]+$/.test(word) ? word : shellQuote(word)))
    .join(' ');
  const task = redact(commandLine);
  options.store.create({ id: sessionId, task, model: options.modelId, repo: root });
  const recorder = await openRecorder(options.audit, sessionId);
  const events = createEventStream(
    sessionId,
    [(event) => options.store.appendEvent(event), recorder.sink, ...(options.sinks ?? [])],
    0,
    (body) => options.redactor.redactValue(body),
  );
  recordNetwork(options.network, events, () => recorder.durable());

  const spend = createSpendTally();
  const keys = createVirtualKeys();
  const issued = keys.issue({ owner: `${options.profile.name} ${sessionId}`, budget: options.budget });
  let agent: AttachedProcess | undefined;
  let ended: WrapOutcome['ended'];
  const end = (why: NonNullable<WrapOutcome['ended']>): void => {
    ended ??= why;
    agent?.kill();
  };
  const onAbort = () => end({ by: 'user' });
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const hidden = likeMatcher(options.policy.deniedPaths);
  const gate = createGate({
    policy: options.policy,
    approver: withCleanQuestions(options.approver, redact),
    events,
    workspaceRoot: root,
    historyHoldsHidden: await historyHoldsHidden(root, hidden),
    ...(options.checkDependency === undefined ? {} : { checkDependency: options.checkDependency }),
  });
  const mcpServers = options.mcp?.servers;
  const mcp =
    options.mcp === undefined || (mcpServers?.servers.length ?? 0) + (mcpServers?.offered.length ?? 0) === 0
      ? undefined
      : startWrapMcp({
          mcp: options.mcp,
          keys,
          gate,
          events,
          redactor: options.redactor,
          durable: () => recorder.durable(),
          stop: (reason) => end({ by: 'warden', ...reason }),
        });
  const gateway = await startGateway({
    routes: options.routes,
    keys,
    redactor: options.redactor,
    socketPath: join(runDir, 'gateway.sock'),
    record: (call) => {
      spend.add(call);
      events.emit(gatewayEvent(call));
    },
    ...(mcp === undefined ? {} : { mount: (app) => mountMcpEndpoint(app, MCP_ENDPOINT_PATH, mcp) }),
  });
  const commandSocket = join(runDir, 'commands.sock');
  let service: CommandService | undefined;
  const started = performance.now();
  const snapshot = await snapshotWorktree(root);
  events.emit({ type: 'session.started', task: commandLine, model: options.modelId, repo: root });
  for (const flag of options.flagged ?? []) events.emit({ type: 'guard.flagged', ...flag });
  let exit: AttachedExit = { exitCode: null, signal: null };
  try {
    service = await startCommandService({
      socketPath: commandSocket,
      gate,
      events,
      workspaceRoot: root,
      durable: () => recorder.durable(),
      stop: (reason) => end({ by: 'warden', ...reason }),
    });
    const nodePath = realpathSync(process.execPath);
    const gatewayUrl = `http://${GATEWAY_HOST}:${GATEWAY_PORT}`;
    const prepared = options.profile.prepare({
      homeDir,
      home: SANDBOX_HOME,
      filesDir,
      gatewayUrl,
      openaiBaseUrl: `${gatewayUrl}/v1`,
      key: issued.key,
      ...(mcp === undefined ? {} : { mcpUrl: `${gatewayUrl}${MCP_ENDPOINT_PATH}` }),
      commandSocket,
      nodePath,
      claudeHookScript: CLAUDE_HOOK,
      workspace: root,
    });
    const shims =
      prepared.commands === 'shell'
        ? shellShimMounts({ dir: filesDir, socketPath: commandSocket, nodePath })
        : { binds: [], readOnly: [CLAUDE_HOOK, SHELL_SHIM] };
    agent = await startAgentSandbox({
      workspace: root,
      cwd: join(root, options.workingDir),
      home: homeDir,
      argv: [options.program.path, ...prepared.args, ...options.argv.slice(1)],
      readOnly: [...options.program.readOnly, ...options.protectedPaths, runDir, ...shims.readOnly],
      binds: [...shims.binds, ...prepared.binds],
      env: { ...options.env, ...prepared.env },
      ...(options.proxySocket === undefined ? {} : { proxySocket: options.proxySocket }),
      services: [{ socket: join(runDir, 'gateway.sock'), port: GATEWAY_PORT, host: GATEWAY_HOST }],
      hidden,
      limits: options.limits,
      installScripts: options.installScripts === true,
      ...(options.terminal === false ? { terminal: false } : {}),
    });
    if (ended !== undefined) agent.kill();
    options.onStart?.(agent);
    const maxMs = options.maxWallTimeMs;
    const timer =
      maxMs === undefined ? undefined : setTimeout(() => end({ by: 'wall_time', maxMs }), maxMs).unref();
    exit = await agent.exited;
    clearTimeout(timer);
    if (exit.disk?.stopped)
      ended ??= { by: 'disk', usedBytes: exit.disk.usedBytes, maxBytes: exit.disk.maxBytes };
  } catch (error) {
    ended ??= { by: 'warden', code: errorCode(error), message: messageOf(error) };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await mcp?.close();
    await gateway.close();
    await service?.close();
    // Nothing runs any more; a request still in the proxy must not write to a log about to close.
    options.network?.listen(() => {});
    options.network?.beforeConnect(async () => {
      throw new Error('the session has ended');
    });
  }

  if (ended === undefined && exit.exitCode !== 0 && options.interrupted?.() === true) ended = { by: 'user' };
  const now = snapshot ? await snapshotWorktree(root) : undefined;
  const report = wrapReport({
    program: options.program.given,
    exit,
    ...(ended === undefined ? {} : { ended }),
    commands: service?.commands ?? [],
    judged: service?.judged ?? 0,
    denials: gate.denials,
    spend,
    filesChanged: snapshot && now ? await diffSnapshots(root, snapshot, now) : [],
    durationMs: performance.now() - started,
  });
  events.emit({ type: 'session.finished', report });
  options.store.finish(sessionId, report);
  await recorder.close();
  return { sessionId, report, exit };
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : 'wrap.internal';
}
