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

/** The only way Warden runs a command the model asked for. */
export interface Sandbox {
  readonly kind: string;
  run(request: RunRequest): Promise<RunResult>;
}
