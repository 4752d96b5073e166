/** Lines of a server's stderr worth quoting when it fails, at most this many… */
const QUOTED_LINES = 3;
/** …and this many characters all told (the end is kept: the error comes last). */
const QUOTED_CHARS = 500;

/**
 * What a failed server said last, on one line: the last few lines of its stderr, without stack
 * frames, a runtime's version banner or caret markers (which say where, not what), and without
 * control characters (the text is the server's, and may reach a terminal).
 */
export function lastErrorLines(stderr: string): string {
  const lines = stderr
    // Keep newlines to split on; every other control character (an escape sequence's ESC) goes.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !NOISE.some((pattern) => pattern.test(line)));
  const quoted = lines.slice(-QUOTED_LINES).join(' | ');
  return quoted.length <= QUOTED_CHARS ? quoted : `…${quoted.slice(-(QUOTED_CHARS - 1))}`;
}

const NOISE = [
  /^at\s/, // a V8 stack frame
  /^\.\.\. \d+ (more )?lines? matching/, // a folded V8 frame run
  /^Node\.js v\d/,
  /^\^+$/,
  /^\[… \d+ bytes omitted …\]$/,
];
