import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pty from '@lydell/node-pty';
import xterm from '@xterm/headless';
import { WARDEN } from './cli.ts';

/** The keys a person presses, as a terminal sends them (legacy encoding: what xterm and SSH send). */
export const KEYS = {
  enter: '\r',
  esc: '\u001b',
  tab: '\t',
  'shift-tab': '\u001b[Z',
  backspace: '\u007f',
  'ctrl-c': '\u0003',
  'ctrl-d': '\u0004',
  'ctrl-o': '\u000f',
  'ctrl-l': '\u000c',
  up: '\u001b[A',
  down: '\u001b[B',
  right: '\u001b[C',
  left: '\u001b[D',
  home: '\u001b[H',
  end: '\u001b[F',
  pageup: '\u001b[5~',
  pagedown: '\u001b[6~',
} as const;

export type Key = keyof typeof KEYS;

export interface ScreenOptions {
  cwd: string;
  /** Added to the bare environment (PATH, HOME, XDG dirs under `home`, TERM). */
  env?: Record<string, string>;
  /** A directory of its own for HOME and the XDG dirs; the default is beside `cwd`. */
  home?: string;
  cols?: number;
  rows?: number;
  /** Another program than `node bin/warden.js` (the harness's own tests). */
  file?: string;
}

export interface Exit {
  code: number;
  signal: number | undefined;
}

export interface TuiScreen {
  /** The visible screen, one string per row, trailing blanks trimmed: what a person sees. */
  screen(): string[];
  /** The visible screen as one text, trailing empty rows dropped. */
  text(): string;
  /** Every row written so far, scrollback included (for a plain, scrolling program). */
  scrollback(): string[];
  /** Polls the screen until `what` is on it; rejects with the screen when it is not by `timeoutMs`. */
  waitFor(what: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Polls until `what` is gone from the screen. */
  waitForGone(what: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Called after each piece of output has been drawn on the screen (for latency measures). */
  onDraw(listener: () => void): () => void;
  /** Waits until the output has stopped changing for `quietMs` (a render finished). */
  settle(quietMs?: number, timeoutMs?: number): Promise<string>;
  type(text: string): void;
  press(key: Key, times?: number): void;
  resize(cols: number, rows: number): void;
  readonly cols: number;
  readonly rows: number;
  /** The cursor's row and column on the screen (0-based). */
  cursor(): { row: number; col: number };
  /** Resolves with the exit of the program. */
  readonly exited: Promise<Exit>;
  /** Everything the program wrote, raw. */
  output(): string;
  /** Ends the program (SIGKILL) if it still runs, and waits for it. */
  close(): Promise<Exit>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Runs the real `warden` in a pseudo-terminal of `cols`×`rows` and keeps a headless terminal
 * emulator of the same size in step with it, so a test reads the screen as a person would.
 */
export async function spawnScreen(args: string[], options: ScreenOptions): Promise<TuiScreen> {
  const home = options.home ?? join(options.cwd, '..', 'home');
  const dirs = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
  };
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
  let cols = options.cols ?? 80;
  let rows = options.rows ?? 24;
  const term = new xterm.Terminal({ cols, rows, scrollback: 5000, allowProposedApi: true });
  const file = options.file ?? process.execPath;
  const child = pty.spawn(file, options.file ? args : [WARDEN, ...args], {
    name: 'xterm-256color',
    cols,
    rows,
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      ...dirs,
      ...options.env,
    },
  });
  let raw = '';
  let pending = 0;
  let changedAt = Date.now();
  const drawn = new Set<() => void>();
  child.onData((data) => {
    raw += data;
    pending += 1;
    changedAt = Date.now();
    term.write(data, () => {
      pending -= 1;
      for (const listener of drawn) listener();
    });
  });
  // A terminal answers the program's queries (cursor position, device attributes) on its input.
  term.onData((reply) => {
    if (!done) child.write(reply);
  });
  let done = false;
  const exited = new Promise<Exit>((resolve) => {
    child.onExit(({ exitCode, signal }) => {
      done = true;
      resolve({ code: exitCode, signal: signal || undefined });
    });
  });

  const rowsOf = (from: number, count: number): string[] => {
    const buffer = term.buffer.active;
    const lines: string[] = [];
    // Trailing blanks are invisible, whether cells were never written or written with spaces.
    for (let i = 0; i < count; i++)
      lines.push((buffer.getLine(from + i)?.translateToString(true) ?? '').trimEnd());
    return lines;
  };
  const screen = (): string[] => rowsOf(term.buffer.active.viewportY, rows);
  const text = (): string => trimEnd(screen()).join('\n');
  const matches = (what: string | RegExp): boolean => {
    const shown = text();
    return typeof what === 'string' ? shown.includes(what) : what.test(shown);
  };
  // Written but not yet parsed output is not on the screen yet: a check waits for the parser.
  const parsed = async (): Promise<void> => {
    while (pending > 0) await sleep(5);
  };
  const poll = async (done: () => boolean, timeoutMs: number, what: string): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await parsed();
      if (done()) return text();
      if (Date.now() > deadline) {
        throw new Error(`${what} within ${timeoutMs} ms; the screen:\n${frame(screen())}`);
      }
      await sleep(15);
    }
  };

  return {
    screen,
    text,
    scrollback: () => trimEnd(rowsOf(0, term.buffer.active.length)),
    waitFor: (what, timeoutMs = DEFAULT_TIMEOUT_MS) =>
      poll(() => matches(what), timeoutMs, `${String(what)} did not appear`),
    waitForGone: (what, timeoutMs = DEFAULT_TIMEOUT_MS) =>
      poll(() => !matches(what), timeoutMs, `${String(what)} did not go away`),
    onDraw(listener) {
      drawn.add(listener);
      return () => drawn.delete(listener);
    },
    async settle(quietMs = 150, timeoutMs = DEFAULT_TIMEOUT_MS) {
      return poll(
        () => pending === 0 && Date.now() - changedAt >= quietMs,
        timeoutMs,
        'the screen kept changing',
      );
    },
    type(text) {
      child.write(text);
    },
    press(key, times = 1) {
      for (let i = 0; i < times; i++) child.write(KEYS[key]);
    },
    resize(c, r) {
      cols = c;
      rows = r;
      term.resize(c, r);
      child.resize(c, r);
    },
    get cols() {
      return cols;
    },
    get rows() {
      return rows;
    },
    cursor: () => ({ row: term.buffer.active.cursorY, col: term.buffer.active.cursorX }),
    exited,
    output: () => raw,
    async close() {
      if (!done) child.kill('SIGKILL');
      const exit = await exited;
      term.dispose();
      return exit;
    },
  };
}

/**
 * A screen as it is checked into a test: volatile bits (session and task ids, times, durations,
 * temp paths, costs) replaced by placeholders, trailing empty rows dropped.
 */
export function normalise(lines: string[] | string, replace: Record<string, string> = {}): string {
  let text = (typeof lines === 'string' ? lines : trimEnd(lines).join('\n')).trimEnd();
  for (const [from, to] of Object.entries(replace)) text = text.split(from).join(to);
  return (
    text
      .replace(/\/tmp\/warden-[\w.-]+/g, '<tmp>')
      .replace(/\bs\d{8}-[0-9a-f]{4,}\b/g, '<session>')
      .replace(/\bt\d{8}-[0-9a-f]{4,}\b/g, '<task>')
      .replace(/\ba\d{8}-[0-9a-f]{4,}\b/g, '<approval>')
      .replace(/\b\d{4}-\d{2}-\d{2}T[\d:.]+Z\b/g, '<time>')
      .replace(/\b\d{1,2}:\d{2}(:\d{2})?\b/g, '<clock>')
      .replace(/\b\d+(\.\d+)?\s?(ms|s)\b/g, '<dur>')
      .replace(/\b\d+m\d+s\b/g, '<dur>')
      // A right-aligned field ending in a duration moves with the duration's width.
      .replace(/(?<=\S) {2,}(?=\S[^\n]*<dur>$)/gm, '  ')
  );
}

const SCREENS = new URL('./fixtures/tui-screens/', import.meta.url).pathname;

/**
 * Compares a normalised screen with its checked-in copy, test/fixtures/tui-screens/NAME.txt.
 * WARDEN_UPDATE_SCREENS=1 writes the copies instead (then look at them before committing).
 */
export async function expectScreen(name: string, screen: string): Promise<void> {
  const file = join(SCREENS, `${name}.txt`);
  if (process.env.WARDEN_UPDATE_SCREENS === '1' || !existsSync(file)) {
    await mkdir(SCREENS, { recursive: true });
    await writeFile(file, `${screen}\n`);
    if (process.env.WARDEN_UPDATE_SCREENS !== '1')
      assert.fail(`${name}: no checked-in screen yet; wrote ${file}`);
    return;
  }
  const expected = (await readFile(file, 'utf8')).replace(/\n$/, '');
  assert.equal(screen, expected, `the screen "${name}" differs from ${file}:\n${screen}`);
}

/** The screen with a frame, so a failure message shows its edges and blank rows. */
export function frame(lines: string[]): string {
  const width = Math.max(0, ...lines.map((l) => l.length));
  const bar = `+${'-'.repeat(width)}+`;
  return [bar, ...lines.map((l) => `|${l.padEnd(width)}|`), bar].join('\n');
}

function trimEnd(lines: string[]): string[] {
  const out = [...lines];
  while (out.length > 0 && out.at(-1)?.trim() === '') out.pop();
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
