/**
 * Errors are values: a stable code a program can branch on, a message a person can act on,
 * and where it happened when that is known (`warden.config.yaml:12:5`).
 */
export class WardenError extends Error {
  readonly code: string;
  readonly where: string | undefined;
  readonly hint: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { where?: string; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WardenError';
    this.code = code;
    this.where = options.where;
    this.hint = options.hint;
  }

  /** One line for a terminal: `where: message (hint)`. */
  describe(): string {
    const head = this.where ? `${this.where}: ${this.message}` : this.message;
    return this.hint ? `${head} — ${this.hint}` : head;
  }
}

export function isWardenError(value: unknown): value is WardenError {
  return value instanceof WardenError;
}

/** The message of anything thrown, without a stack. */
export function messageOf(error: unknown): string {
  if (error instanceof WardenError) return error.describe();
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A file system error as a person reads it, after the path: "…/x.yaml does not exist". */
export function fileProblem(error: unknown): string {
  switch ((error as { code?: unknown })?.code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'ENOTDIR':
      return 'is not there: a part of the path is a file, not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: permission denied';
    case 'ELOOP':
      return 'is a loop of symbolic links';
    case 'ENAMETOOLONG':
      return 'is too long a path';
    default:
      return `cannot be read: ${messageOf(error)}`;
  }
}
