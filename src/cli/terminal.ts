// ESC-introduced sequences (CSI, OSC, DCS, APC, PM, SOS, and two-byte escapes).
const ESCAPE_SEQUENCE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[PX^_][^\u001b]*(?:\u001b\\)?|.)/gs;
// Every C0 and C1 control except tab and newline, and the bidirectional-text controls, which
// reorder what a line shows (an instance id that reads as another, a command shown backwards).
const CONTROL_CHARACTER =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from the model, tools or the repository is untrusted: escape sequences in it could rewrite
 * the user's terminal (move the cursor, hide lines, set the title, write to the clipboard). Strip
 * every control character except newline and tab before it reaches a terminal.
 */
export function forTerminal(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL_CHARACTER, '');
}

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const code =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;

export function createStyle(color: boolean): Style {
  if (!color) {
    const plain = (text: string) => text;
    return { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain };
  }
  return {
    bold: code(1, 22),
    dim: code(2, 22),
    red: code(31, 39),
    green: code(32, 39),
    yellow: code(33, 39),
    cyan: code(36, 39),
  };
}

export { formatDuration } from '../duration.ts';

export function formatCost(cost: number | undefined): string {
  return cost === undefined ? 'n/a (no price for this model)' : `$${cost.toFixed(4)}`;
}
