import type { EvalSummary, PairSummary } from '../api.ts';
import { h } from '../dom.ts';
import { contestantLetter, counted, pValue } from '../eval-format.ts';
import { contestantKey } from './eval-figures.ts';

/** Lists of instance ids longer than this fold into a details element. */
const SHOWN_IDS = 6;

/** Every pair of contestants on the trials both have done: McNemar's test and who solved what. */
export function pairsSection(summary: EvalSummary): HTMLElement | null {
  if (summary.pairs.length === 0) return null;
  return h(
    'section',
    { class: 'eval-section' },
    h('h2', null, 'Pairs'),
    h(
      'p',
      { class: 'hint' },
      'Each pair on the trials both have done (same instance, same repeat), by McNemar’s test. “Only A”: trials A resolved and B did not. A difference is called significant below p = 0.05.',
    ),
    h('div', { class: 'pairs' }, ...summary.pairs.map((pair) => pairCard(summary, pair))),
  );
}

function pairCard(summary: EvalSummary, pair: PairSummary): HTMLElement {
  const [a, b] = [contestantLetter(pair.a), contestantLetter(pair.b)];
  const significant = pair.onlyA + pair.onlyB > 0 && pair.mcnemar.pValue < 0.05;
  const verdict =
    pair.paired === 0
      ? 'nothing to compare yet'
      : significant
        ? `${pair.onlyA > pair.onlyB ? a : b} resolves more`
        : 'no significant difference';
  const count = (field: string, value: number) => h('b', { 'data-field': field }, String(value));
  return h(
    'div',
    {
      class: 'pair-card',
      'data-pair': `${pair.a}-${pair.b}`,
      title: `${summary.contestants[pair.a]?.label ?? a} vs ${summary.contestants[pair.b]?.label ?? b}`,
    },
    h(
      'div',
      { class: 'pair-head' },
      contestantKey(pair.a),
      ' vs ',
      contestantKey(pair.b),
      h('span', { class: significant ? 'verdict-strong' : 'muted', 'data-field': 'verdict' }, verdict),
    ),
    h(
      'div',
      null,
      'p = ',
      h('span', { 'data-field': 'p' }, pValue(pair.mcnemar.pValue)),
      h('span', { class: 'muted' }, pair.mcnemar.exact ? ' (exact binomial)' : ' (chi-square)'),
      ` · ${counted(pair.paired, 'paired trial')}`,
    ),
    h(
      'div',
      null,
      `only ${a} `,
      count('only-a', pair.onlyA),
      ` · only ${b} `,
      count('only-b', pair.onlyB),
      ' · both ',
      count('both', pair.bothResolved),
      ' · neither ',
      count('neither', pair.neitherResolved),
    ),
    idList(`only ${a} solved`, pair.instancesOnlyA, 'ids-only-a'),
    idList(`only ${b} solved`, pair.instancesOnlyB, 'ids-only-b'),
  );
}

function idList(head: string, ids: string[], field: string): HTMLElement | null {
  if (ids.length === 0) return null;
  const items = ids.map((id) => h('code', { 'data-instance': id }, id));
  if (ids.length <= SHOWN_IDS) {
    return h(
      'div',
      { class: 'ids', 'data-field': field },
      h('span', { class: 'muted' }, `${head}: `),
      ...items,
    );
  }
  return h(
    'details',
    { class: 'ids', 'data-field': field },
    h('summary', null, h('span', { class: 'muted' }, `${head}: `), counted(ids.length, 'instance')),
    ...items,
  );
}
