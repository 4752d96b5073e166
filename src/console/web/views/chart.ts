import { h, s } from '../dom.ts';

export interface Series {
  name: string;
  /** A CSS class that colours it (`series-1`…), so both colour schemes apply. */
  cls: string;
  values: number[];
}

export interface BarChartOptions {
  title: string;
  /** One per bar, for the axis and the tooltips. */
  labels: string[];
  series: Series[];
  format: (value: number) => string;
  /** A line under the title, when the numbers need one. */
  note?: string | undefined;
}

const HEIGHT = 200;
const MARGIN = { top: 10, right: 8, bottom: 24, left: 56 };

/**
 * Stacked bars over time, drawn as SVG by hand (no chart library): a y axis with round ticks, as
 * many x labels as fit, a tooltip per bar. It is redrawn at its box's width whenever that changes,
 * so text keeps its size instead of scaling with the drawing.
 */
export function barChart(options: BarChartOptions): HTMLElement {
  let svg = draw(options, 640);
  const figure = h(
    'figure',
    { class: 'chart-box' },
    h('figcaption', null, options.title, options.note ? h('div', { class: 'hint' }, options.note) : null),
    svg,
    options.series.length > 1
      ? h(
          'div',
          { class: 'legend' },
          ...options.series.map((one) =>
            h('span', null, h('span', { class: `swatch ${one.cls}` }), one.name),
          ),
        )
      : null,
  );
  let width = 0;
  new ResizeObserver(([entry]) => {
    const now = Math.floor(entry?.contentRect.width ?? 0);
    if (now < 120 || now === width) return;
    width = now;
    const next = draw(options, width);
    svg.replaceWith(next);
    svg = next;
  }).observe(figure);
  return figure;
}

function draw(options: BarChartOptions, width: number): SVGSVGElement {
  const { labels, series, format } = options;
  const totals = labels.map((_, i) => series.reduce((sum, one) => sum + (one.values[i] ?? 0), 0));
  const ticks = niceTicks(Math.max(0, ...totals));
  const top = ticks.at(-1) ?? 1;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const y = (value: number) => MARGIN.top + plotH - (value / top) * plotH;
  const slot = plotW / Math.max(1, labels.length);
  const barW = Math.max(1, Math.min(48, slot * 0.72));
  const longest = Math.max(...labels.map((label) => label.length), 1);
  const labelEvery = Math.ceil(labels.length / Math.max(1, Math.floor(plotW / (longest * 7 + 16))));

  const svg = s('svg', {
    viewBox: `0 0 ${width} ${HEIGHT}`,
    width,
    height: HEIGHT,
    class: 'chart',
    role: 'img',
    'aria-label': `${options.title}: ${format(totals.reduce((a, b) => a + b, 0))} in total`,
  });
  for (const tick of ticks) {
    svg.append(
      s('line', { class: 'grid-line', x1: MARGIN.left, x2: width - MARGIN.right, y1: y(tick), y2: y(tick) }),
      s('text', { class: 'axis', x: MARGIN.left - 6, y: y(tick) + 4, 'text-anchor': 'end' }, format(tick)),
    );
  }
  labels.forEach((label, i) => {
    const x = MARGIN.left + slot * i + (slot - barW) / 2;
    let base = 0;
    const group = s('g', { class: 'bar', 'data-index': i });
    for (const one of series) {
      const value = one.values[i] ?? 0;
      if (value <= 0) continue;
      const height = Math.max(1, (value / top) * plotH);
      group.append(s('rect', { class: one.cls, x, width: barW, y: y(base) - height, height }));
      base += value;
    }
    const detail = series.map((one) => `${one.name}: ${format(one.values[i] ?? 0)}`).join('\n');
    // The whole slot answers to the pointer, so a short bar is as easy to hover as a tall one.
    group.append(
      s(
        'rect',
        { class: 'hit', x: MARGIN.left + slot * i, y: MARGIN.top, width: slot, height: plotH },
        s('title', null, `${label}\n${detail}`),
      ),
    );
    svg.append(group);
    if ((labels.length - 1 - i) % labelEvery === 0) {
      svg.append(axisLabel(label, x + barW / 2, width));
    }
  });
  svg.append(
    s('line', { class: 'axis-line', x1: MARGIN.left, x2: width - MARGIN.right, y1: y(0), y2: y(0) }),
  );
  return svg;
}

/** An x label under its bar, kept inside the drawing at either end. */
function axisLabel(label: string, center: number, width: number): SVGTextElement {
  const half = (label.length * 6.5) / 2;
  const [x, anchor] =
    center + half > width - MARGIN.right
      ? [width - MARGIN.right, 'end']
      : center - half < MARGIN.left
        ? [MARGIN.left, 'start']
        : [center, 'middle'];
  return s('text', { class: 'axis', x, y: HEIGHT - 6, 'text-anchor': anchor }, label);
}

/** Round tick values from 0 to at least `max`: 0, 5, 10… or 0, 0.02, 0.04… */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let value = 0; value < max + step * 0.999; value += step) ticks.push(Number(value.toPrecision(12)));
  return ticks;
}
