/**
 * The HTML report's stylesheet: the console's palette (src/console/web/base.css), light or dark
 * after the reader's system, system fonts only (nothing is fetched).
 */
export const REPORT_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f5f6f8; --surface: #ffffff; --surface-2: #f0f2f5; --border: #d9dee4; --text: #1b1f24;
  --muted: #5b6570; --ok: #1a7f37; --ok-soft: #dcf5e3; --bad: #c9252d; --bad-soft: #fde6e6;
  --warn: #8a5d00; --warn-soft: #fff2cc; --grid: #e4e8ed;
  --c0: #2f6fde; --c1: #8250df; --c2: #c2590a; --c3: #0a7d86; --c4: #bf3989; --c5: #6f7f00;
  --c6: #7d5a2c; --c7: #57606a;
  --mono: ui-monospace, "SFMono-Regular", "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0e1116; --surface: #161b22; --surface-2: #1c222b; --border: #2d343d; --text: #e3e8ee;
    --muted: #8d97a3; --ok: #3fb950; --ok-soft: #12301b; --bad: #f2555a; --bad-soft: #3a1518;
    --warn: #d7a22a; --warn-soft: #352a0d; --grid: #252b33;
    --c0: #4b8dff; --c1: #a371f7; --c2: #f0883e; --c3: #39c5cf; --c4: #f778ba; --c5: #b5c13a;
    --c6: #c69a62; --c7: #8d97a3;
  }
}
* { box-sizing: border-box; }
html { font-size: 14px; }
body { margin: 0; background: var(--bg); color: var(--text); font: 1rem / 1.45 var(--sans); }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 20px; }
h1 { font-size: 1.6rem; margin: 0 0 2px; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 0 0 4px; }
section { background: var(--surface); border: 1px solid var(--border); border-radius: 8px; padding: 14px 16px; margin: 14px 0; }
p { margin: 0 0 8px; }
code { font-family: var(--mono); font-size: 0.92em; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.strong { font-weight: 600; }
.warn { color: var(--warn); }
.bad { color: var(--bad); font-weight: 600; }
.banner { background: var(--warn-soft); color: var(--warn); border-radius: 6px; padding: 6px 10px; }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 6px 20px; margin: 12px 0; }
.facts div { min-width: 0; }
.facts dt { color: var(--muted); font-size: 0.85rem; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--border); text-align: left; vertical-align: middle; }
thead th { color: var(--muted); font-weight: 500; font-size: 0.88rem; white-space: nowrap; }
tbody th { font-weight: 500; }
tbody tr:last-child > * { border-bottom: none; }
.n { text-align: right; white-space: nowrap; }
.contestant { max-width: 20em; overflow-wrap: anywhere; }
.label span { display: inline-block; }
.key { display: inline-block; min-width: 1.5em; padding: 0 4px; border-radius: 4px; color: #fff; font-weight: 700; text-align: center; }
.c0 { --series: var(--c0); } .c1 { --series: var(--c1); } .c2 { --series: var(--c2); } .c3 { --series: var(--c3); }
.c4 { --series: var(--c4); } .c5 { --series: var(--c5); } .c6 { --series: var(--c6); } .c7 { --series: var(--c7); }
.key { background: var(--series); }
@media (prefers-color-scheme: dark) { .key { color: #0b0e13; } }
.ci-cell { white-space: nowrap; }
svg.ci { vertical-align: middle; }
svg.ci .track { stroke: var(--grid); stroke-width: 2; }
svg.ci .band { fill: var(--series); opacity: 0.35; }
svg.ci .dot { fill: var(--series); }
figure { margin: 0; display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: flex-start; }
svg.chart { display: block; flex: 1 1 420px; min-width: 0; max-width: 760px; height: auto; font-family: var(--sans); }
svg.chart .grid { stroke: var(--grid); }
svg.chart .divider { stroke: var(--border); stroke-dasharray: 4 3; }
svg.chart .tick { fill: var(--muted); font-size: 12px; }
svg.chart .axis { fill: var(--muted); font-size: 12px; }
svg.chart .whisker { stroke: var(--series); stroke-width: 2; }
svg.chart .dot { fill: var(--series); stroke: var(--surface); stroke-width: 1.5; }
svg.chart .label { fill: var(--series); font-size: 14px; font-weight: 700; }
figcaption { flex: 1 1 260px; color: var(--muted); margin-top: 6px; }
.keys { list-style: none; margin: 0 0 10px; padding: 0; color: var(--text); }
.keys li { margin: 3px 0; overflow-wrap: anywhere; }
header .keys { display: flex; flex-wrap: wrap; gap: 4px 22px; }
svg.chart.narrow { display: none; }
figcaption p { margin: 2px 0; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; color: var(--muted); }
table.grid { width: auto; }
.grid th, .grid td { padding: 3px 8px; }
.grid tbody th code { overflow-wrap: normal; white-space: nowrap; }
.grid td.slots { padding: 3px 10px; }
.slots { white-space: nowrap; text-align: center; }
.slot { display: inline-block; width: 18px; height: 18px; margin: 0 1px; border-radius: 3px; font-size: 12px; line-height: 18px; text-align: center; font-weight: 700; }
.slot.resolved { background: var(--ok); color: var(--surface); }
.slot.unresolved { background: var(--surface-2); color: var(--muted); border: 1px solid var(--border); line-height: 16px; }
.slot.broken { background: var(--bad); color: var(--surface); }
.slot.error { background: var(--warn-soft); color: var(--warn); border: 1px solid var(--warn); line-height: 16px; }
.slot.pending { background: transparent; color: var(--muted); border: 1px dashed var(--border); line-height: 16px; }
.pairs { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 10px; }
.pair { border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px; min-width: 0; }
.pair p, .pair details { margin: 2px 0; }
.pair-head { font-size: 1.05rem; }
.ids code { white-space: nowrap; }
summary { cursor: pointer; }
footer { padding-bottom: 24px; font-size: 0.9rem; }
@media (max-width: 600px) {
  header, main, footer { padding: 0 10px; }
  header { padding-top: 12px; }
  section { padding: 10px; border-radius: 6px; }
  th, td { padding: 4px 6px; }
  /* The header lists every contestant: on a phone the tables name them by letter only. */
  .contestant .label, .chart-keys { display: none; }
  svg.chart.wide { display: none; }
  svg.chart.narrow { display: block; }
  .pairs { grid-template-columns: 1fr; }
  .grid tbody th code { white-space: normal; font-size: 0.85em; }
  .slot { width: 15px; height: 15px; line-height: 15px; font-size: 10px; }
  .slot.unresolved, .slot.error, .slot.pending { line-height: 13px; }
  .grid td.slots { padding: 3px 4px; }
}
`;
