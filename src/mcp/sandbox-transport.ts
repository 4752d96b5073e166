import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { messageOf, WardenError } from '../errors.ts';
import type { Sandbox, SandboxedExit, SandboxedProcess, SpawnRequest } from '../sandbox/types.ts';
import { lastErrorLines } from './server-stderr.ts';

export interface SandboxTransportOptions {
  /** The server's name, as configured: every error says which server failed. */
  server: string;
  sandbox: Sandbox;
  /** The server's command, installation (read-only paths) and environment. */
  request: SpawnRequest;
  /** The longest message accepted from the server; past it the server is stopped. */
  maxMessageBytes?: number;
  /** After its stdin closes, how long the server may take to exit before it is killed. */
  closeGraceMs?: number;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_CLOSE_GRACE_MS = 2000;

type State = 'new' | 'starting' | 'open' | 'closing' | 'closed';

/**
 * The MCP SDK's stdio transport, with the server inside the sandbox instead of beside Warden:
 * newline-delimited JSON-RPC over the sandboxed process's stdin and stdout.
 *
 * A server that exits, or writes anything but JSON-RPC on stdout (which the protocol forbids), is
 * stopped and fails every request still waiting for it with an error that names the server, its
 * exit and the last lines of its stderr: the caller sees why, at once, instead of a timeout.
 */
export class SandboxTransport implements Transport {
  // Errors carry no `where`: their messages name the server, and reach callers as JSON-RPC errors too.
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T) => void) | undefined;

  readonly #options: SandboxTransportOptions;
  readonly #buffer: ReadBuffer;
  #state: State = 'new';
  #process: SandboxedProcess | undefined;
  #starting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #failure: WardenError | undefined;
  /** Requests sent and not yet answered: answered with the failure if the server goes. */
  readonly #pending = new Set<RequestId>();

  constructor(options: SandboxTransportOptions) {
    this.#options = options;
    this.#buffer = new ReadBuffer({ maxBufferSize: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES });
  }

  /** The sandboxed server once started: its exit and the end of its stderr, beyond the error. */
  get process(): SandboxedProcess | undefined {
    return this.#process;
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') {
      throw new Error(`the transport to MCP server "${this.#options.server}" was already started`);
    }
    this.#state = 'starting';
    this.#starting = this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    const { sandbox, request, server } = this.#options;
    if (sandbox.spawn === undefined) {
      this.#state = 'closed';
      throw new WardenError(
        'mcp.unsupported',
        `the ${sandbox.kind} sandbox cannot run the stdio MCP server "${server}"`,
      );
    }
    let program: SandboxedProcess;
    try {
      program = await sandbox.spawn(request);
    } catch (cause) {
      this.#state = 'closed';
      throw new WardenError(
        'mcp.server_start',
        `MCP server "${server}" could not be started: ${messageOf(cause)}`,
        { cause },
      );
    }
    this.#process = program;
    this.#state = 'open';
    program.stdout.on('data', (chunk) => this.#receive(chunk));
    // Its exit, which follows, is the error worth reporting.
    program.stdout.on('error', () => {});
    void program.exited.then((exit) => this.#exited(exit));
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    const program = this.#process;
    if (this.#state !== 'open' || program === undefined) {
      throw new WardenError('mcp.server_closed', `MCP server "${this.#options.server}" is not running`);
    }
    const request = isJSONRPCRequest(message) ? message.id : undefined;
    if (request !== undefined) this.#pending.add(request);
    try {
      await new Promise<void>((resolve, reject) => {
        program.stdin.write(serializeMessage(message), (error) => (error ? reject(error) : resolve()));
      });
    } catch (error) {
      if (request !== undefined) this.#pending.delete(request);
      throw (
        this.#failure ?? this.#error('mcp.server_closed', `stopped reading its input (${messageOf(error)})`)
      );
    }
  }

  /** Closes the server's stdin, gives it a moment to exit, then kills its process tree. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    await this.#starting?.catch(() => {});
    const program = this.#process;
    if (this.#state === 'open') this.#state = 'closing';
    if (program !== undefined) {
      program.stdin.end();
      const timer = setTimeout(() => program.kill(), this.#options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS);
      await program.exited;
      clearTimeout(timer);
    }
    this.#finish();
  }

  #receive(chunk: Uint8Array): void {
    if (this.#state !== 'open' && this.#state !== 'closing') return;
    try {
      this.#buffer.append(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch {
      const limit = this.#options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
      this.#fail(this.#error('mcp.server_protocol', `sent a message longer than ${limit} bytes`));
      return;
    }
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.#buffer.readMessage();
      } catch (error) {
        const why =
          error instanceof SyntaxError ? clip(error.message) : 'valid JSON but not a JSON-RPC message';
        this.#fail(
          this.#error(
            'mcp.server_protocol',
            `wrote something other than JSON-RPC on stdout: ${why}`,
            'a stdio MCP server may write only protocol messages on stdout; its logs belong on stderr',
          ),
        );
        return;
      }
      if (message === null) return;
      if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
        if (message.id !== undefined) this.#pending.delete(message.id);
      }
      this.onmessage?.(message);
      // A handler may have closed the transport.
      if ((this.#state as State) === 'closed') return;
    }
  }

  #exited(exit: SandboxedExit): void {
    if (this.#state !== 'open') return;
    const how =
      exit.disk?.stopped === true
        ? 'was stopped: the workspace passed its disk limit'
        : exit.exitCode !== null
          ? `exited with code ${exit.exitCode}`
          : `was killed by ${exit.signal ?? 'a signal'}`;
    const said = lastErrorLines(this.#process?.stderrTail() ?? '');
    this.#fail(this.#error('mcp.server_exited', said === '' ? how : `${how}: ${said}`));
  }

  /** Stops the server and answers what waits on it with the reason, then closes. */
  #fail(error: WardenError): void {
    if (this.#failure !== undefined || this.#state === 'closed') return;
    this.#failure = error;
    this.#process?.kill();
    // Answered through the protocol, so the caller's request rejects with this reason rather
    // than the SDK's bare "Connection closed".
    for (const id of this.#pending) {
      this.onmessage?.({
        jsonrpc: '2.0',
        id,
        error: { code: ErrorCode.ConnectionClosed, message: error.message },
      });
    }
    this.#pending.clear();
    this.onerror?.(error);
    this.#finish();
  }

  #finish(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#buffer.clear();
    this.onclose?.();
  }

  #error(
    code: string,
    what: string,
    hint = 'run its command by hand to see how it behaves, or fix its entry under mcp_servers',
  ): WardenError {
    const { server } = this.#options;
    return new WardenError(code, `MCP server "${server}" ${what}`, { hint });
  }
}

/** A parser's message quotes the server's output: no control characters, and not all of it. */
function clip(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return clean.length <= 200 ? clean : `${clean.slice(0, 199)}…`;
}
