/**
 * `warden eval report` in a terminal: the run's facts, a results table and a spend table per
 * contestant, the pairwise comparisons, and the per-instance grid. Fits 100 columns; colour only
 * on a TTY. Every name from the suite or the run is untrusted text and goes through forTerminal.
 */

import {
  count,
  decimal,
  dollars,
  formatDate,
  formatP,
  passAtKShown,
  percent,
  SLOT_MARKS,
  tokens,
} from '../eval/report-format.ts';
import {
  type ContestantSummary,
  contestantLetter,
  type EvalSummary,
  type PairSummary,
  type Slot,
} from '../eval/summary.ts';
import { createStyle, formatDuration, forTerminal, type Style } from './terminal.ts';

export interface TextReportOptions {
  color: boolean;
  /** Columns to fit; 100 unless told. */
  width?: number;
}

/** Below this p-value a pairwise difference is called significant (the usual 5% level). */
const SIGNIFICANT = 0.05;

export function renderTextReport(summary: EvalSummary, options: TextReportOptions): string {
  const style = createStyle(options.color);
  const width = options.width ?? 100;
  const { run, trials } = summary;
  const lines = [
    `${style.bold('warden eval')} · run ${clean(run.id)} · suite ${truncate(clean(run.suite.name), 40)} (${count(run.suite.instances, 'instance')}, sha256 ${run.suite.digest.slice(0, 12)})`,
    style.dim(
      `policy ${truncate(clean(run.policy.name), 40)} (sha256 ${run.policy.digest.slice(0, 12)}) · created ${clean(formatDate(run.createdAt))} by ${truncate(clean(run.createdBy), 24)}${run.team ? ` · team ${clean(run.team)}` : ''}`,
    ),
    `${count(summary.contestants.length, 'contestant')} × ${count(summary.instances.length, 'instance')} × ${count(run.repeats, 'repeat')} = ${count(trials.total, 'trial')} · ${trials.done} done${trials.pending ? ` · ${style.yellow(`${trials.pending} pending`)}` : ''}`,
    '',
    style.bold('Contestants'),
    ...summary.contestants.map(
      (c) => `  ${style.bold(contestantLetter(c.index).padEnd(2))} ${truncate(clean(c.label), width - 5)}`,
    ),
    '',
    style.bold('Results') +
      style.dim(' (resolved among done trials; 95% Wilson interval; pass@k over repeats)'),
    ...resultsTable(summary, style),
    '',
    style.bold('Spend') + style.dim(' (means per done trial; asks, denials and flags are totals)'),
    ...spendTable(summary, style),
  ];
  if (summary.pairs.length) {
    lines.push('', style.bold('Pairs') + style.dim(" (McNemar's test on the trials both have done)"));
    for (const pair of summary.pairs) lines.push(...pairLines(pair, width, style));
  }
  lines.push('', ...gridLines(summary, width, style));
  if (trials.pending)
    lines.push(
      '',
      style.yellow(
        `${trials.pending} of ${trials.total} trials pending: the numbers above cover the done trials only.`,
      ),
    );
  return `${lines.join('\n')}\n`;
}

interface Column {
  head: string;
  right?: boolean;
}

type Cell = string | { text: string; paint: (text: string) => string };

/** Pads plain text to column widths before painting: escape codes take no columns. Cells are
 * numbers, short and of known width; untrusted names live in the legend and the grid. */
function table(columns: Column[], rows: Cell[][], style: Style): string[] {
  const text = (cell: Cell) => (typeof cell === 'string' ? cell : cell.text);
  const widths = columns.map((column, i) =>
    Math.max(length(column.head), ...rows.map((row) => length(text(row[i] ?? '')))),
  );
  const line = (cells: Cell[], head: boolean) =>
    `  ${cells
      .map((cell, i) => {
        const column = columns[i] as Column;
        const w = widths[i] as number;
        const padded = column.right ? text(cell).padStart(w) : text(cell).padEnd(w);
        if (head) return style.dim(padded);
        return typeof cell === 'string' ? padded : cell.paint(padded);
      })
      .join('  ')
      .trimEnd()}`;
  return [
    line(
      columns.map((c) => c.head),
      true,
    ),
    ...rows.map((row) => line(row, false)),
  ];
}

function resultsTable(summary: EvalSummary, style: Style): string[] {
  const ks = passAtKShown(summary.run.repeats);
  const columns: Column[] = [
    { head: '' },
    { head: 'done', right: true },
    { head: 'resolved', right: true },
    { head: 'rate', right: true },
    { head: '95% CI', right: true },
    { head: 'broken', right: true },
    { head: 'error', right: true },
    ...ks.map((k) => ({ head: `pass@${k}`, right: true })),
  ];
  const rows = summary.contestants.map((c): Cell[] => [
    { text: contestantLetter(c.index), paint: style.bold },
    `${c.trials.done}/${c.trials.total}`,
    String(c.resolved.count),
    { text: percent(c.resolved.rate), paint: style.bold },
    c.resolved.rate === null ? '–' : `${(c.resolved.low * 100).toFixed(1)}–${percent(c.resolved.high)}`,
    c.outcomes.broken ? { text: String(c.outcomes.broken), paint: style.red } : '0',
    c.outcomes.error ? { text: String(c.outcomes.error), paint: style.yellow } : '0',
    ...ks.map((k) => percent(c.passAtK[k - 1]?.value ?? null)),
  ]);
  return table(columns, rows, style);
}

function spendTable(summary: EvalSummary, style: Style): string[] {
  const columns: Column[] = [
    { head: '' },
    { head: 'tokens in', right: true },
    { head: 'out', right: true },
    { head: 'cost', right: true },
    { head: 'cost total', right: true },
    { head: 'wall (median)', right: true },
    { head: 'turns', right: true },
    { head: 'tool calls', right: true },
    { head: 'asks', right: true },
    { head: 'denials', right: true },
    { head: 'flags', right: true },
  ];
  const rows = summary.contestants.map((c): Cell[] => [
    { text: contestantLetter(c.index), paint: style.bold },
    tokens(c.tokens.input.mean),
    tokens(c.tokens.output.mean),
    ...costCells(c, style),
    c.wallMs.median === null ? '–' : formatDuration(c.wallMs.median),
    decimal(c.turns.mean),
    decimal(c.toolCalls.mean),
    String(c.asks.total),
    c.denials.total ? { text: String(c.denials.total), paint: style.yellow } : '0',
    c.guardFlags.total ? { text: String(c.guardFlags.total), paint: style.yellow } : '0',
  ]);
  return table(columns, rows, style);
}

function costCells(c: ContestantSummary, style: Style): Cell[] {
  if (c.cost === 'unpriced')
    return [
      { text: 'unpriced', paint: style.dim },
      { text: 'unpriced', paint: style.dim },
    ];
  return [c.cost.mean === null ? '–' : dollars(c.cost.mean), dollars(c.cost.total)];
}

function pairLines(pair: PairSummary, width: number, style: Style): string[] {
  const [a, b] = [contestantLetter(pair.a), contestantLetter(pair.b)];
  const { pValue, exact } = pair.mcnemar;
  const verdict =
    pair.onlyA + pair.onlyB === 0
      ? 'no trial separates them'
      : pValue < SIGNIFICANT
        ? style.bold(`${pair.onlyA > pair.onlyB ? a : b} resolves more (significant at 5%)`)
        : 'no significant difference at 5%';
  const lines = [
    `  ${style.bold(`${a} vs ${b}`)}  only ${a} ${pair.onlyA} · only ${b} ${pair.onlyB} · both ${pair.bothResolved} · neither ${pair.neitherResolved} · of ${pair.paired} paired trials`,
    `          p = ${formatP(pValue)} ${style.dim(exact ? '(exact)' : '(chi-square)')} · ${verdict}`,
  ];
  if (pair.instancesOnlyA.length) lines.push(idList(`only ${a} solved`, pair.instancesOnlyA, width, style));
  if (pair.instancesOnlyB.length) lines.push(idList(`only ${b} solved`, pair.instancesOnlyB, width, style));
  return lines;
}

/** One line: as many ids as fit, then how many more. */
function idList(head: string, ids: string[], width: number, style: Style): string {
  const prefix = `          ${head}: `;
  let text = '';
  for (const [i, id] of ids.entries()) {
    const next = `${text}${i ? ', ' : ''}${clean(id)}`;
    const rest = ids.length - i - 1;
    const tail = rest ? `, … ${rest} more` : '';
    if (length(prefix) + length(next) + length(tail) > width && i > 0) {
      text += `, … ${ids.length - i} more`;
      break;
    }
    text = next;
  }
  return `${style.dim(prefix)}${text}`;
}

function gridLines(summary: EvalSummary, width: number, style: Style): string[] {
  const repeats = summary.run.repeats;
  const letters = summary.contestants.map((c) => contestantLetter(c.index));
  const cellWidth = Math.max(repeats, ...letters.map(length));
  const idWidth = Math.max(16, width - 4 - letters.length * (cellWidth + 2));
  const ids = summary.instances.map((i) => clean(i.id));
  const idColumn = Math.min(idWidth, Math.max(8, ...ids.map(length)));
  const paint: Record<Slot, (text: string) => string> = {
    resolved: style.green,
    unresolved: style.dim,
    broken: style.red,
    error: style.yellow,
    pending: style.dim,
  };
  const legend = (Object.keys(SLOT_MARKS) as Slot[]).map(
    (slot) => `${paint[slot](SLOT_MARKS[slot])} ${slot}`,
  );
  return [
    `${style.bold('Instances')}  ${legend.join('  ')}`,
    style.dim(`  ${''.padEnd(idColumn)}  ${letters.map((l) => l.padEnd(cellWidth)).join('  ')}`.trimEnd()),
    ...summary.instances.map((instance, i) => {
      const cells = instance.outcomes.map((slots) => {
        const marks = slots.map((slot) => paint[slot](SLOT_MARKS[slot])).join('');
        return marks + ' '.repeat(cellWidth - slots.length);
      });
      return `  ${truncate(ids[i] as string, idColumn).padEnd(idColumn)}  ${cells.join('  ')}`.trimEnd();
    }),
  ];
}

/** Untrusted text on one line: no escape sequences, no line breaks. */
function clean(text: string): string {
  return forTerminal(text).replace(/[\n\t]/g, ' ');
}

function length(text: string): number {
  return [...text].length;
}

/** Cut in the middle: ids and model paths differ at both ends. */
function truncate(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  const head = Math.ceil((width - 1) / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (width - 1 - head)).join('')}`;
}
