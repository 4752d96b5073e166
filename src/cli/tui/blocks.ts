import { type Component, Markdown, truncateToWidth, wrapTextWithAnsi } from '@mariozechner/pi-tui';
import type { Report } from '../../agent/events.ts';
import { formatCost, formatDuration } from '../terminal.ts';
import type { CommandOutput } from './session-controller.ts';
import { colourDiffLine, markdownTheme, type Paint, paint, printLinkAddresses } from './theme.ts';
import { clean } from './tool-card.ts';

/** Lines computed once per width: every block of the conversation re-renders each frame. */
abstract class Cached implements Component {
  #cache: { width: number; lines: string[] } | undefined;
  protected abstract lines(width: number): string[];
  protected changed(): void {
    this.#cache = undefined;
  }
  invalidate(): void {
    this.#cache = undefined;
  }
  render(width: number): string[] {
    if (this.#cache?.width === width) return this.#cache.lines;
    const lines = this.lines(width).map((line) => truncateToWidth(line, width));
    this.#cache = { width, lines };
    return lines;
  }
}

/** Text wrapped to the width, each line after a prefix (the first line's may differ). */
function wrapped(
  text: string,
  width: number,
  first: string,
  rest: string,
  colour: Paint = (t) => t,
): string[] {
  const room = Math.max(10, width - Math.max(first.length, rest.length));
  return text
    .split('\n')
    .flatMap((line) => (line === '' ? [''] : wrapTextWithAnsi(line, room)))
    .map((line, i) => (i === 0 ? first : rest) + colour(line));
}

const USER_LINES = 12;

/** What the person said: the message that started a run, or steering sent while one ran. */
export class UserBlock extends Cached {
  readonly #text: string;
  readonly #note: string | undefined;
  constructor(text: string, note?: string) {
    super();
    this.#text = clean(text);
    this.#note = note;
  }
  protected lines(width: number): string[] {
    const all = wrapped(this.#text, width, `${paint.bold(paint.cyan('›'))} `, '  ', paint.bold);
    // A pasted log or file is for the model; the conversation keeps its beginning.
    const lines = all.length > USER_LINES ? all.slice(0, USER_LINES - 2) : all;
    if (lines.length < all.length) lines.push(`  ${paint.gray(`… ${all.length - lines.length} more lines`)}`);
    if (this.#note) lines.push(`  ${paint.gray(this.#note)}`);
    return lines;
  }
}

/** The model's reply as markdown, updated while it streams. */
export class ReplyBlock implements Component {
  readonly turn: number;
  #markdown: Markdown;
  #text = '';
  constructor(turn: number, text: string) {
    this.turn = turn;
    printLinkAddresses();
    this.#markdown = new Markdown('', 2, 0, markdownTheme);
    this.setText(text);
  }
  get text(): string {
    return this.#text;
  }
  setText(text: string): void {
    const cleaned = clean(text).trim();
    if (cleaned === this.#text) return;
    this.#text = cleaned;
    this.#markdown.setText(cleaned);
  }
  invalidate(): void {
    this.#markdown.invalidate();
  }
  render(width: number): string[] {
    return this.#markdown.render(width);
  }
}

/** One line about the session (a retry, a network request, a guard's finding, a command's record). */
export class NoteBlock extends Cached {
  readonly #text: string;
  readonly #colour: Paint;
  constructor(text: string, colour: Paint = paint.gray) {
    super();
    this.#text = text;
    this.#colour = colour;
  }
  protected lines(width: number): string[] {
    return wrapped(this.#text, width, '  ', '    ', this.#colour);
  }
}

/** A slash command's answer: a title, then its text (a diff is coloured). */
export class OutputBlock extends Cached {
  readonly #output: CommandOutput;
  constructor(output: CommandOutput) {
    super();
    this.#output = output;
  }
  protected lines(width: number): string[] {
    const title = clean(this.#output.title);
    const head = `${paint.gray('▪')} ${this.#output.ok ? paint.bold(title) : paint.bold(paint.red(title))}`;
    const body = clean(this.#output.text).trimEnd();
    if (!body) return [head];
    const diff = /^diff --git /m.test(body);
    return [
      head,
      ...body.split('\n').flatMap((line) => (diff ? [`  ${colourDiffLine(line)}`] : hanging(line, width))),
    ];
  }
}

/**
 * A line of a table or list, wrapped so its continuation lines start under its text: `  key   what
 * it does` goes on under "what".
 */
function hanging(line: string, width: number): string[] {
  const lead = /^\s*/.exec(line)?.[0] ?? '';
  const column = /^\s*\S+(?: \S+)*\s{2,}/.exec(line)?.[0].length ?? lead.length;
  const hang = ' '.repeat(Math.min(column, Math.floor(width / 2)));
  const room = Math.max(10, width - 2 - hang.length);
  const [first = '', ...rest] = wrapTextWithAnsi(
    line.slice(lead.length),
    Math.max(10, width - 2 - lead.length),
  );
  const tail = rest.join(' ');
  return [
    `  ${lead}${first}`,
    ...(tail ? wrapTextWithAnsi(tail, room).map((part) => `  ${hang}${part}`) : []),
  ];
}

/** How a run ended, in a line or two. */
export class RunEndBlock extends Cached {
  readonly #report: Report;
  constructor(report: Report) {
    super();
    this.#report = report;
  }
  protected lines(width: number): string[] {
    const r = this.#report;
    const colour = r.status === 'finished' ? paint.green : r.status === 'failed' ? paint.red : paint.yellow;
    const mark =
      r.status === 'finished' ? '✓' : r.status === 'cancelled' ? '■' : r.status === 'limit' ? '!' : '✗';
    const parts = [
      r.status === 'finished' ? 'done' : clean(r.reason),
      r.diffStat.files > 0
        ? `${r.diffStat.files} file${r.diffStat.files === 1 ? '' : 's'} +${r.diffStat.added} -${r.diffStat.removed}`
        : '',
      r.toolCalls > 0 ? `${r.toolCalls} tool call${r.toolCalls === 1 ? '' : 's'}` : '',
      r.denials > 0 ? `${r.denials} denied` : '',
      formatDuration(r.durationMs),
      r.cost === undefined ? '' : formatCost(r.cost),
    ].filter(Boolean);
    const lines = wrapped(parts.join(' · '), width, `${colour(mark)} `, '  ', paint.gray);
    if (r.status === 'failed' && r.error)
      lines.push(...wrapped(clean(r.error.message), width, '  ', '  ', paint.red));
    const outside = (r.runsLater ?? []).filter((file) => file.outcome !== 'reverted');
    if (outside.length > 0) {
      const names = outside
        .map((file) => `${clean(file.path)} (${clean(file.what)}, ${file.outcome})`)
        .join(', ');
      lines.push(
        ...wrapped(
          `runs outside the sandbox later, review it: ${names}`,
          width,
          `${paint.yellow('!')} `,
          '  ',
          paint.yellow,
        ),
      );
    }
    return lines;
  }
}
