import type { ContestantSummary, EvalSummary } from '../api.ts';
import { type Child, h } from '../dom.ts';
import { passAtKShown, percent } from '../eval-format.ts';
import { cost, duration, tokens } from '../format.ts';
import { contestantName, intervalBar } from './eval-figures.ts';

interface Column {
  title: string;
  /** What the cell is, for tests and styles: `data-field` on every cell of the column. */
  field: string;
  num?: boolean;
  hint?: string;
  cell(c: ContestantSummary): Child;
  /** A class for the cell from its value (a broken count above zero is `bad`). */
  tone?(c: ContestantSummary): string | undefined;
}

/** Outcomes, the resolved rate with its interval, and pass@k: what decides between contestants. */
export function resultsTable(summary: EvalSummary): HTMLElement {
  const passAt = passAtKShown(summary.run.repeats).map(
    (k): Column => ({
      title: `pass@${k}`,
      field: `pass@${k}`,
      num: true,
      hint: `the chance that at least one of ${k} repeats resolves an instance`,
      cell: (c) => {
        const p = c.passAtK[k - 1];
        return h('span', { title: `over ${p?.instances ?? 0} instances` }, percent(p?.value ?? null));
      },
    }),
  );
  return table('results', summary.contestants, [
    { title: 'Done', field: 'done', num: true, cell: (c) => `${c.trials.done}/${c.trials.total}` },
    { title: 'Resolved', field: 'resolved', num: true, cell: (c) => c.resolved.count },
    {
      title: 'Rate',
      field: 'rate',
      num: true,
      cell: (c) => h('strong', null, percent(c.resolved.rate)),
    },
    {
      title: '95% interval',
      field: 'interval',
      hint: 'Wilson score interval of the resolved rate',
      cell: (c) =>
        h(
          'span',
          { class: 'interval-cell' },
          intervalBar(c),
          h(
            'span',
            { class: 'muted num' },
            c.resolved.rate === null ? '' : `${percent(c.resolved.low)}–${percent(c.resolved.high)}`,
          ),
        ),
    },
    { title: 'Unresolved', field: 'unresolved', num: true, cell: (c) => c.outcomes.unresolved },
    {
      title: 'Broken',
      field: 'broken',
      num: true,
      hint: 'a test that passed before fails after',
      cell: (c) => c.outcomes.broken,
      tone: (c) => (c.outcomes.broken ? 'bad' : undefined),
    },
    {
      title: 'Error',
      field: 'error',
      num: true,
      hint: 'could not be graded',
      cell: (c) => c.outcomes.error,
      tone: (c) => (c.outcomes.error ? 'warn' : undefined),
    },
    ...passAt,
  ]);
}

/** What each contestant spent per trial, and the policy's asks and denials in total. */
export function spendTable(summary: EvalSummary): HTMLElement {
  const mean = (value: number | null) => (value === null ? '—' : tokens(Math.round(value)));
  const decimal = (value: number | null) => (value === null ? '—' : value.toFixed(1));
  return table('spend', summary.contestants, [
    { title: 'Tokens in', field: 'tokens-in', num: true, cell: (c) => mean(c.tokens.input.mean) },
    { title: 'Tokens out', field: 'tokens-out', num: true, cell: (c) => mean(c.tokens.output.mean) },
    {
      title: 'Cost / trial',
      field: 'cost',
      num: true,
      cell: (c) => (c.cost === 'unpriced' ? 'unpriced' : cost(c.cost.mean)),
      tone: (c) => (c.cost === 'unpriced' ? 'muted' : undefined),
    },
    {
      title: 'Cost total',
      field: 'cost-total',
      num: true,
      // No trial done: no total yet, rather than $0.
      cell: (c) => (c.cost === 'unpriced' ? 'unpriced' : cost(c.trials.done ? c.cost.total : null)),
      tone: (c) => (c.cost === 'unpriced' ? 'muted' : undefined),
    },
    { title: 'Wall (median)', field: 'wall', num: true, cell: (c) => duration(c.wallMs.median) },
    { title: 'Turns', field: 'turns', num: true, cell: (c) => decimal(c.turns.mean) },
    { title: 'Tool calls', field: 'tool-calls', num: true, cell: (c) => decimal(c.toolCalls.mean) },
    {
      title: 'Asks',
      field: 'asks',
      num: true,
      hint: 'policy asks, denied in an evaluation: nobody is there to answer',
      cell: (c) => c.asks.total,
    },
    {
      title: 'Denials',
      field: 'denials',
      num: true,
      cell: (c) => c.denials.total,
      tone: (c) => (c.denials.total ? 'warn' : undefined),
    },
    {
      title: 'Guard flags',
      field: 'guard-flags',
      num: true,
      cell: (c) => c.guardFlags.total,
      tone: (c) => (c.guardFlags.total ? 'warn' : undefined),
    },
  ]);
}

function table(name: string, contestants: ContestantSummary[], columns: Column[]): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: `grid compact eval-${name}`, 'data-table': name },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', null, 'Contestant'),
          ...columns.map((col) => h('th', { class: col.num ? 'num' : null, title: col.hint }, col.title)),
        ),
      ),
      h(
        'tbody',
        null,
        ...contestants.map((c) =>
          h(
            'tr',
            { 'data-contestant': c.index },
            h('th', { scope: 'row' }, contestantName(c)),
            ...columns.map((col) =>
              h(
                'td',
                {
                  class: [col.num ? 'num' : '', col.tone?.(c) ?? ''].join(' ').trim() || null,
                  'data-field': col.field,
                },
                col.cell(c),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
