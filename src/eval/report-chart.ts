/**
 * The HTML report's inline SVG: a contestant's Wilson interval as a bar, and the chart of resolved
 * rate against cost per trial (tokens per trial when no contestant has a price). Coordinates are
 * computed here; colours come from the page's CSS classes so light and dark both work.
 */
import { html, type Markup } from './html.ts';
import { percent } from './report-format.ts';
import { type ContestantSummary, contestantLetter, type EvalSummary } from './summary.ts';

/** The page defines this many contestant colours (`.c0` …); more contestants reuse them. */
export const SERIES = 8;

export function seriesClass(index: number): string {
  return `c${index % SERIES}`;
}

/** A 0–100% track, the interval as a band, the rate as a dot. */
export function intervalBar(c: ContestantSummary): Markup {
  const width = 120;
  const x = (value: number) => (value * width).toFixed(1);
  if (c.resolved.rate === null) return html`<span class="muted">no trial done</span>`;
  return html`<svg class="ci ${seriesClass(c.index)}" viewBox="-4 0 ${width + 8} 14" width="${width + 8}" height="14" role="img" aria-label="${`95% interval ${percent(c.resolved.low)} to ${percent(c.resolved.high)}`}">
<line class="track" x1="0" x2="${width}" y1="7" y2="7"/>
<rect class="band" x="${x(c.resolved.low)}" y="3" width="${x(c.resolved.high - c.resolved.low)}" height="8" rx="2"/>
<circle class="dot" cx="${x(c.resolved.rate)}" cy="7" r="3.5"/>
</svg>`;
}

interface Point {
  contestant: ContestantSummary;
  /** undefined: plotted apart, in the unpriced band. */
  x: number | undefined;
}

export interface Chart {
  /** What the x axis measures, for the heading. */
  measure: 'cost' | 'tokens';
  svg: Markup;
  /** Sentences under the chart: how to read it, and who is not on the x axis or not at all. */
  notes: string[];
}

interface Frame {
  name: 'wide' | 'narrow';
  width: number;
  height: number;
  /** About how many steps the x axis is cut into. */
  steps: number;
  band: number;
}

/** Two drawings of one chart: the page shows the narrow one on a phone, where text must stay legible. */
const FRAMES: Frame[] = [
  { name: 'wide', width: 560, height: 320, steps: 4, band: 96 },
  { name: 'narrow', width: 340, height: 280, steps: 3, band: 64 },
];
const M = { left: 40, right: 14, top: 14, bottom: 46 };

export function resolvedChart(summary: EvalSummary): Chart {
  const shown = summary.contestants.filter((c) => c.resolved.rate !== null);
  const priced = shown.filter((c) => c.cost !== 'unpriced');
  const measure = priced.length ? 'cost' : 'tokens';
  const points: Point[] = shown.map((contestant) => ({
    contestant,
    x:
      measure === 'tokens'
        ? (contestant.tokens.input.mean ?? 0) + (contestant.tokens.output.mean ?? 0)
        : contestant.cost === 'unpriced'
          ? undefined
          : (contestant.cost.mean ?? 0),
  }));
  const apart = points.filter((p) => p.x === undefined);
  return {
    measure,
    svg: html`${FRAMES.map((frame) => drawChart(frame, measure, points, apart))}`,
    notes: chartNotes(summary, measure, apart),
  };
}

function drawChart(frame: Frame, measure: Chart['measure'], points: Point[], apart: Point[]): Markup {
  const { width: W, height: H, band } = frame;
  const right = W - M.right - (apart.length ? band : 0);
  const max = Math.max(0, ...points.map((p) => p.x ?? 0));
  // Fewer, wider steps until the tick labels have room.
  let ticks = niceTicks(max, frame.steps);
  for (let steps = frame.steps - 1; steps >= 1 && (right - M.left) / (ticks.length - 1) < 54; steps--)
    ticks = niceTicks(max, steps);
  const top = ticks[ticks.length - 1] as number;
  const sx = (value: number) => M.left + (value / top) * (right - M.left);
  const sy = (rate: number) => H - M.bottom - rate * (H - M.top - M.bottom);
  const format = tickFormat(measure, (ticks[1] as number) - (ticks[0] as number));
  const bandX = (i: number) => right + 6 + ((i + 1) * (band - 6)) / (apart.length + 1);
  const placed = points.map((point) => ({
    ...point,
    px: point.x === undefined ? bandX(apart.indexOf(point)) : sx(point.x),
    py: sy(point.contestant.resolved.rate as number),
  }));
  // A letter goes left of its dot when another dot sits where it would go on the right.
  const plotted = placed.map((point) => ({
    ...point,
    left: placed.some(
      (other) =>
        other !== point && Math.abs(other.px - (point.px + 13)) < 14 && Math.abs(other.py - point.py) < 16,
    ),
  }));

  return html`<svg class="chart ${frame.name}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${`resolved rate against ${measure === 'cost' ? 'cost' : 'tokens'} per trial`}">
${[0, 0.25, 0.5, 0.75, 1].map(
  (rate) => html`<line class="grid" x1="${M.left}" x2="${right}" y1="${sy(rate)}" y2="${sy(rate)}"/>
<text class="tick" x="${M.left - 6}" y="${sy(rate) + 4}" text-anchor="end">${`${rate * 100}%`}</text>
`,
)}${ticks.map(
  (tick, i) => html`<line class="grid" x1="${sx(tick)}" x2="${sx(tick)}" y1="${M.top}" y2="${H - M.bottom}"/>
<text class="tick" x="${sx(tick)}" y="${H - M.bottom + 18}" text-anchor="${i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle'}">${format(tick)}</text>
`,
)}<text class="axis" x="${(M.left + right) / 2}" y="${H - 8}" text-anchor="middle">${measure === 'cost' ? 'mean cost per trial (USD)' : 'mean tokens per trial (in + out)'}</text>
${
  apart.length
    ? html`<line class="divider" x1="${right + 6}" x2="${right + 6}" y1="${M.top}" y2="${H - M.bottom}"/>
<text class="tick" x="${right + 6 + (band - 6) / 2}" y="${H - M.bottom + 18}" text-anchor="middle">no price</text>
`
    : ''
}${plotted.map(({ contestant: c, px, py, left }) => {
  const rate = c.resolved.rate as number;
  return html`<g class="${seriesClass(c.index)}"><title>${`${contestantLetter(c.index)} ${c.label}: ${percent(rate)} resolved (95% ${percent(c.resolved.low)}–${percent(c.resolved.high)})`}</title>
<line class="whisker" x1="${px}" x2="${px}" y1="${sy(c.resolved.low)}" y2="${sy(c.resolved.high)}"/>
<line class="whisker" x1="${px - 4}" x2="${px + 4}" y1="${sy(c.resolved.low)}" y2="${sy(c.resolved.low)}"/>
<line class="whisker" x1="${px - 4}" x2="${px + 4}" y1="${sy(c.resolved.high)}" y2="${sy(c.resolved.high)}"/>
<circle class="dot" cx="${px}" cy="${py}" r="5"/>
<text class="label" x="${left ? px - 8 : px + 8}" y="${py + 4}" text-anchor="${left ? 'end' : 'start'}">${contestantLetter(c.index)}</text></g>
`;
})}</svg>`;
}

function chartNotes(summary: EvalSummary, measure: Chart['measure'], apart: Point[]): string[] {
  const notes = [
    `Each dot is a contestant's resolved rate, its whisker the 95% interval; up and to the left is better.`,
  ];
  const names = (list: ContestantSummary[]) => list.map((c) => contestantLetter(c.index)).join(', ');
  if (measure === 'tokens')
    notes.push(
      'No contestant ran on a model with a price: the chart plots tokens per trial instead of cost.',
    );
  if (apart.length)
    notes.push(
      `${names(apart.map((p) => p.contestant))} ran on a model without a price: shown apart, at the right, at the height of ${apart.length === 1 ? 'its' : 'their'} rate.`,
    );
  const missing = summary.contestants.filter((c) => c.resolved.rate === null);
  if (missing.length) notes.push(`${names(missing)}: no trial done yet, not plotted.`);
  return notes;
}

/** Tick labels as short as the step allows: $0.05, $0.10; 20k, 40k. */
function tickFormat(measure: Chart['measure'], step: number): (value: number) => string {
  const decimals = (unit: number) => Math.max(0, -Math.floor(Math.log10(step / unit) + 1e-9));
  if (measure === 'cost') return (value) => `$${value.toFixed(Math.max(step < 1 ? 2 : 0, decimals(1)))}`;
  if (step >= 1000) return (value) => (value ? `${(value / 1000).toFixed(decimals(1000))}k` : '0');
  return (value) => value.toFixed(decimals(1));
}

/** Round steps of 1, 2 or 5 × 10ⁿ from 0 just past max, about `steps` of them. */
export function niceTicks(max: number, steps = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / steps;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  // The round step nearest the rough one, on a log scale.
  const step =
    ([1, 2, 5, 10].reduce((best, m) =>
      Math.abs(Math.log((m * magnitude) / rough)) < Math.abs(Math.log((best * magnitude) / rough)) ? m : best,
    ) as number) * magnitude;
  const ticks: number[] = [];
  for (let i = 0; ticks.length === 0 || (ticks[ticks.length - 1] as number) < max * 1.08; i++)
    ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}
