import {
  type EditorTheme,
  getCapabilities,
  type MarkdownTheme,
  type SelectListTheme,
  setCapabilities,
} from '@mariozechner/pi-tui';
import { highlightCode } from './highlight.ts';

const sgr =
  (open: string, close: string) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;

/** The 16 basic colours only: they follow the person's terminal palette, light or dark. */
export const paint = {
  bold: sgr('1', '22'),
  dim: sgr('2', '22'),
  italic: sgr('3', '23'),
  underline: sgr('4', '24'),
  strike: sgr('9', '29'),
  inverse: sgr('7', '27'),
  red: sgr('31', '39'),
  green: sgr('32', '39'),
  yellow: sgr('33', '39'),
  blue: sgr('34', '39'),
  magenta: sgr('35', '39'),
  cyan: sgr('36', '39'),
  gray: sgr('90', '39'),
};

export type Paint = (text: string) => string;

const selectList: SelectListTheme = {
  selectedPrefix: paint.cyan,
  selectedText: paint.bold,
  description: paint.gray,
  scrollInfo: paint.gray,
  noMatch: paint.gray,
};

export const editorTheme: EditorTheme = { borderColor: paint.gray, selectList };

/**
 * A link in the model's text is printed with its address, never as a terminal hyperlink whose
 * text could hide where it goes (the model's text may be an injected instruction's).
 */
export function printLinkAddresses(): void {
  setCapabilities({ ...getCapabilities(), hyperlinks: false });
}

export const markdownTheme: MarkdownTheme = {
  heading: (text) => paint.bold(paint.cyan(text)),
  link: paint.underline,
  linkUrl: paint.gray,
  code: paint.yellow,
  codeBlock: (text) => text,
  codeBlockBorder: paint.gray,
  quote: paint.italic,
  quoteBorder: paint.gray,
  hr: paint.gray,
  listBullet: paint.cyan,
  bold: paint.bold,
  italic: paint.italic,
  strikethrough: paint.strike,
  underline: paint.underline,
  highlightCode,
};

/** A unified diff's lines coloured: additions green, removals red, hunks cyan. */
export function colourDiffLine(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff --git'))
    return paint.bold(line);
  if (line.startsWith('+')) return paint.green(line);
  if (line.startsWith('-')) return paint.red(line);
  if (line.startsWith('@@')) return paint.cyan(line);
  return line;
}
