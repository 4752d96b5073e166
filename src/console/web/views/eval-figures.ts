import type { ContestantSummary, EvalProgress } from '../api.ts';
import { h, s } from '../dom.ts';
import { contestantLetter, percent } from '../eval-format.ts';
import { shortModel } from '../format.ts';

/** Contestant colours in evals.css (the HTML report's eight); a ninth contestant reuses the first. */
const COLOURS = 8;

/** A contestant's letter in its colour, the same in every table, card and column of the page. */
export function contestantKey(index: number): HTMLElement {
  return h('span', { class: `ckey c${index % COLOURS}` }, contestantLetter(index));
}

/** `warden/script:solver` for `warden/script:/long/path/solver`; the whole label is the title. */
export function shortLabel(contestant: { agent: string; model: string }): string {
  return `${contestant.agent}/${shortModel(contestant.model)}`;
}

/** Key and short label, for a table's first column. */
export function contestantName(contestant: { index: number; agent: string; model: string }): HTMLElement {
  return h(
    'span',
    { class: 'contestant', title: `${contestant.agent}/${contestant.model}` },
    contestantKey(contestant.index),
    h('span', { class: 'mono label' }, shortLabel(contestant)),
  );
}

/** Done trials filled, running ones striped after them, queued ones the empty rest. */
export function progressBar(progress: EvalProgress): HTMLElement {
  const share = (n: number) => `${progress.total ? (100 * n) / progress.total : 0}%`;
  const done = h('span', { class: 'done' });
  const running = h('span', { class: 'running' });
  // Widths through the CSSOM: the page's policy forbids style attributes, not this.
  done.style.width = share(progress.done);
  running.style.width = share(progress.running);
  const finished = progress.done === progress.total;
  return h(
    'div',
    {
      class: `progress${finished ? ' finished' : ''}`,
      role: 'progressbar',
      'aria-valuemin': 0,
      'aria-valuemax': progress.total,
      'aria-valuenow': progress.done,
      'aria-label': `${progress.done} of ${progress.total} trials done`,
    },
    done,
    running,
  );
}

const BAR = { width: 120, height: 14 };

/** The resolved rate as a dot on 0–100%, its 95% Wilson interval as the band around it. */
export function intervalBar(c: ContestantSummary): SVGSVGElement {
  const x = (value: number) => 5 + value * (BAR.width - 10);
  const mid = BAR.height / 2;
  const rate = c.resolved.rate;
  const svg = s('svg', {
    class: 'interval',
    viewBox: `0 0 ${BAR.width} ${BAR.height}`,
    width: BAR.width,
    height: BAR.height,
    role: 'img',
    'aria-label':
      rate === null
        ? 'no trial done yet'
        : `${percent(rate)}, 95% interval ${percent(c.resolved.low)} to ${percent(c.resolved.high)}`,
  });
  svg.append(s('line', { class: 'track', x1: x(0), x2: x(1), y1: mid, y2: mid }));
  for (const tick of [0.25, 0.5, 0.75]) {
    svg.append(s('line', { class: 'tick', x1: x(tick), x2: x(tick), y1: mid - 3, y2: mid + 3 }));
  }
  if (rate === null) return svg;
  const colour = `c${c.index % COLOURS}`;
  svg.append(
    s('rect', {
      class: `band ${colour}`,
      x: x(c.resolved.low),
      width: Math.max(1, x(c.resolved.high) - x(c.resolved.low)),
      y: mid - 4,
      height: 8,
      rx: 3,
    }),
    s('circle', { class: `dot ${colour}`, cx: x(rate), cy: mid, r: 4 }),
  );
  return svg;
}
