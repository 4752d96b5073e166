/** What a command may do and how long it may take; the policy issue widens this. */
export interface RunRequest {
  /** argv; never a shell string built from data. */
  argv: string[];
  /** Working directory relative to the workspace root. */
  cwd?: string;
  timeoutMs: number;
  /** Extra environment on top of the sandbox's allow-listed base. */
  env?: Record<string, string>;
  stdin?: string;
  /** Bytes kept of stdout and of stderr each; the rest is counted, not kept. */
  maxOutputBytes?: number;
  signal?: AbortSignal;
}

/** The workspace at or over its disk limit (`limits.disk`) after a command; see disk-limit.ts. */
export interface DiskVerdict {
  usedBytes: number;
  maxBytes: number;
  /** This command passed the limit (killed, or a write refused at it); false: it was over before. */
  stopped: boolean;
}

export interface RunResult {
  exitCode: number | null;
  /** The signal that ended the process, when one did. */
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** True when output past `maxOutputBytes` was dropped. */
  truncated: boolean;
  durationMs: number;
  /** Present when the workspace is at or over its disk limit after the command (see disk-limit.ts). */
  disk?: DiskVerdict;
}

/** A long-lived program with piped stdio (an MCP server), isolated like any command. */
export interface SpawnRequest {
  /** argv; never a shell string built from data. */
  argv: string[];
  /** Working directory relative to the workspace root. */
  cwd?: string;
  /** Extra environment on top of the sandbox's allow-listed base. */
  env?: Record<string, string>;
  /** More absolute host paths shown read-only at the same place (the program's installation). */
  readOnly?: string[];
  /** `read-only`: the program sees the workspace but cannot change it. Default read-write. */
  workspace?: 'read-only' | 'read-write';
  /** Kills the process tree when aborted. */
  signal?: AbortSignal;
}

export interface SandboxedExit {
  exitCode: number | null;
  /** The signal that ended it; `SIGKILL` with a null exit code when Warden killed it. */
  signal: string | null;
  /** Present when the workspace is at or over its disk limit as the program ends. */
  disk?: DiskVerdict;
}

/**
 * What Warden uses of the pipe to a program's stdin: a node:stream Writable, described here by
 * what is used of it so this file needs none of Node's types (the console's browser build reads it).
 */
export interface ProgramInput {
  /** The callback runs once the chunk is handed on, or with the error that stopped it. */
  write(chunk: string | Uint8Array, callback?: (error?: Error | null) => void): boolean;
  end(): void;
}

/** What Warden uses of a pipe from a program's stdout or stderr: a node:stream Readable. */
export interface ProgramOutput {
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
}

export interface SandboxedProcess {
  readonly stdin: ProgramInput;
  readonly stdout: ProgramOutput;
  /** Always drained (a full pipe would stall the program); listen for live output if wanted. */
  readonly stderr: ProgramOutput;
  /** The last bytes of stderr (a few KB), for error messages. */
  stderrTail(): string;
  /** SIGKILLs the sandbox's init, which takes every process inside with it, then bwrap. */
  kill(): void;
  /** Settles once the process tree is gone and its pipes closed; never rejects. */
  readonly exited: Promise<SandboxedExit>;
}

/** The only way Warden runs a command the model asked for. */
export interface Sandbox {
  readonly kind: string;
  run(request: RunRequest): Promise<RunResult>;
  /** Starts a long-lived program with piped stdio; absent where the sandbox cannot keep one. */
  spawn?(request: SpawnRequest): Promise<SandboxedProcess>;
}
