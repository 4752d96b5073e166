import { rm } from 'node:fs/promises';
import net from 'node:net';
import { isAbsolute, relative } from 'node:path';
import type { EventStream } from '../agent/event-stream.ts';
import type { Gate } from '../agent/gate.ts';
import { messageOf } from '../errors.ts';
import type { CommandRun } from '../tools/types.ts';

/**
 * The host side of the command shims: a wrapped agent's shell commands arrive here over a unix
 * socket bound read-only into its sandbox (shell-shim.ts, claude-hook.ts), are judged by the
 * session's gate — the policy, approvals, `policy.decided` — and recorded as `shell` tool calls.
 *
 * Protocol, one JSON object per line:
 *   → {"type":"judge","via":"bash","command":"npm test","cwd":"/repo","ref"?:"toolu_1"}
 *   ← {"decision":"allow"} | {"decision":"deny","reason":"denied by policy (…): …"}
 *   → {"type":"exit","exitCode":0,"signal":null,"ref"?:"toolu_1"}
 *   ← {"ok":true}
 * An exit belongs to the judge before it on the same connection, or, with `ref`, to the judge
 * that named it (a hook reports the outcome from a process of its own). Everything arrives from
 * inside the sandbox: it is parsed, never trusted — the decision is Warden's, the exit status is
 * the sandbox's word.
 */
export interface CommandServiceOptions {
  socketPath: string;
  gate: Gate;
  events: EventStream;
  workspaceRoot: string;
  /** Resolves once everything emitted is durable: an allowed command is on record before it runs. */
  durable?: () => Promise<void>;
  /** Told when the session cannot go on (an approval nobody can give, an audit write that failed). */
  stop?: (reason: { code: string; message: string }) => void;
}

export interface CommandService {
  /** Every command that was allowed, with its outcome as reported. */
  readonly commands: readonly CommandRun[];
  /** Commands asked about, allowed or not. */
  readonly judged: number;
  /** Stops listening; commands still running are recorded as ended without a status. */
  close(): Promise<void>;
}

const MAX_LINE_BYTES = 1024 * 1024;
const REF = /^[A-Za-z0-9_.:-]{1,200}$/;

interface Running {
  callId: string;
  command: string;
  started: number;
}

export async function startCommandService(options: CommandServiceOptions): Promise<CommandService> {
  const { events, gate } = options;
  const commands: CommandRun[] = [];
  const byRef = new Map<string, Running>();
  const open = new Set<Running>();
  const sockets = new Set<net.Socket>();
  let judged = 0;

  const finish = (running: Running, exitCode: number | null, signal: string | null): void => {
    if (!open.delete(running)) return;
    const durationMs = Math.round(performance.now() - running.started);
    const run: CommandRun = { command: running.command, exitCode, timedOut: false, durationMs };
    commands.push(run);
    events.emit({
      type: 'tool.finished',
      callId: running.callId,
      tool: 'shell',
      ok: exitCode === 0,
      output:
        exitCode !== null
          ? `exit code: ${exitCode}`
          : signal !== null
            ? `ended by ${signal}`
            : 'ended without reporting an exit status',
      durationMs,
      command: run,
    });
  };

  const judge = async (message: Record<string, unknown>): Promise<{ answer: object; running?: Running }> => {
    const command = message.command;
    if (typeof command !== 'string' || command === '') return { answer: deny('no command to judge') };
    const ref = typeof message.ref === 'string' && REF.test(message.ref) ? message.ref : undefined;
    judged += 1;
    const callId = `wrap-${judged}`;
    events.emit({
      type: 'tool.requested',
      callId,
      tool: 'shell',
      args: {
        command,
        ...(typeof message.via === 'string' ? { via: message.via.slice(0, 40) } : {}),
        ...(typeof message.cwd === 'string' && message.cwd !== ''
          ? { cwd: workspacePath(options.workspaceRoot, message.cwd) }
          : {}),
      },
    });
    // A relative redirect target is relative to where the command runs, not to the workspace root.
    const cwd =
      typeof message.cwd === 'string' && message.cwd !== ''
        ? workspacePath(options.workspaceRoot, message.cwd)
        : '.';
    const verdict = await gate.check({ id: callId, tool: 'shell' }, [{ kind: 'shell', command, cwd }]);
    if (!verdict.allowed) {
      events.emit({
        type: 'tool.finished',
        callId,
        tool: 'shell',
        ok: false,
        output: verdict.output,
        durationMs: 0,
      });
      if (verdict.stop) options.stop?.(verdict.stop);
      return { answer: deny(verdict.output) };
    }
    events.emit({ type: 'tool.started', callId, tool: 'shell' });
    try {
      await options.durable?.();
    } catch (error) {
      const message = `the audit record could not be written: ${messageOf(error)}`;
      options.stop?.({ code: 'audit.write', message });
      events.emit({
        type: 'tool.finished',
        callId,
        tool: 'shell',
        ok: false,
        output: 'not run',
        durationMs: 0,
      });
      return { answer: deny(`not run: ${message}`) };
    }
    const running: Running = { callId, command, started: performance.now() };
    open.add(running);
    if (ref !== undefined) byRef.set(ref, running);
    return { answer: { decision: 'allow' }, running };
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    let buffer = '';
    let running: Running | undefined;
    // One message at a time per connection: an exit must not overtake its own judge.
    let queue: Promise<void> = Promise.resolve();
    const reply = (answer: object): void => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(answer)}\n`);
    };
    const handle = async (line: string): Promise<void> => {
      let message: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(line);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new Error('not an object');
        message = parsed as Record<string, unknown>;
      } catch {
        return reply({ error: 'each line must be a JSON object' });
      }
      if (message.type === 'judge') {
        const result = await judge(message);
        if (result.running !== undefined) running = result.running;
        return reply(result.answer);
      }
      if (message.type === 'exit') {
        const ref = typeof message.ref === 'string' ? message.ref : undefined;
        const target = ref === undefined ? running : byRef.get(ref);
        if (target !== undefined) {
          if (ref !== undefined) byRef.delete(ref);
          finish(
            target,
            integerOrNull(message.exitCode),
            typeof message.signal === 'string' ? message.signal.slice(0, 20) : null,
          );
        }
        return reply({ ok: target !== undefined });
      }
      return reply({ error: `unknown message type ${JSON.stringify(message.type)}` });
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_LINE_BYTES) return socket.destroy();
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        queue = queue.then(() => handle(line));
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      // A shim killed mid-command never reports; its command still ends on the record.
      void queue.then(() => {
        if (running !== undefined && ![...byRef.values()].includes(running)) finish(running, null, null);
      });
    });
  });

  await rm(options.socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, resolve);
  });

  return {
    get commands() {
      return commands;
    },
    get judged() {
      return judged;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const running of [...open]) finish(running, null, null);
    },
  };
}

function deny(reason: string): object {
  return { decision: 'deny', reason };
}

function integerOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/** The working directory as the record shows it: workspace-relative inside it, absolute outside. */
function workspacePath(root: string, cwd: string): string {
  const rel = relative(root, cwd);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? cwd.slice(0, 4096) : rel;
}
