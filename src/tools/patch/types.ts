/** One line of a hunk: kept (`' '`), removed (`'-'`) or added (`'+'`), without its prefix. */
export interface HunkLine {
  op: ' ' | '-' | '+';
  text: string;
}

export interface Hunk {
  /** Codex `@@ <line>`: the hunk is looked for after the first line matching this one. */
  anchor?: string;
  lines: HunkLine[];
  /** Codex `*** End of File`: the hunk's old lines end the file. */
  endOfFile: boolean;
  /** Unified diffs: the stated 1-based start in the old file; a hint where to look, not the truth. */
  oldStart?: number;
  /** Unified `\ No newline at end of file` after an old-side or a new-side line. */
  oldNoNewline?: boolean;
  newNoNewline?: boolean;
}

export type FileOp =
  | { kind: 'add'; path: string; lines: string[]; noNewlineAtEnd?: boolean }
  | { kind: 'delete'; path: string }
  | { kind: 'update'; path: string; moveTo?: string; hunks: Hunk[] };

export interface Patch {
  format: 'codex' | 'unified';
  ops: FileOp[];
}

/** Errors are values here: the message goes back to the model as it is. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };
