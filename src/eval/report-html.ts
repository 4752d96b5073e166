/**
 * `warden eval report --html`: one self-contained file (inline CSS and SVG, no script, nothing
 * fetched; its Content-Security-Policy forbids both) with the run's facts, the contestants, the
 * resolved-vs-cost chart, the pairwise comparisons and the per-instance grid. Every name from the
 * suite or the run goes through the escaping `html` tag.
 */
import { formatDuration } from '../duration.ts';
import { html, type Markup, toHtmlString, trustedMarkup } from './html.ts';
import { intervalBar, resolvedChart, seriesClass } from './report-chart.ts';
import {
  count,
  decimal,
  dollars,
  formatDate,
  formatP,
  percent,
  SLOT_MARKS,
  tokens,
} from './report-format.ts';
import { REPORT_CSS } from './report-html-style.ts';
import {
  type ContestantSummary,
  contestantLetter,
  type EvalSummary,
  type PairSummary,
  type Slot,
} from './summary.ts';

/** No script, no fetch of any kind: the report is data, opened from disk or a mail attachment. */
export const REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export function renderHtmlReport(summary: EvalSummary): string {
  const { run, trials } = summary;
  const chart = resolvedChart(summary);
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${`Evaluation ${run.suite.name} · ${run.id}`}</title>
<style>${trustedMarkup(REPORT_CSS)}</style>
</head>
<body>
<header>
<h1>Evaluation <span class="name">${run.suite.name}</span></h1>
<p class="muted">run <code>${run.id}</code> · ${formatDate(run.createdAt)} · by ${run.createdBy}${run.team ? ` · team ${run.team}` : ''}</p>
<dl class="facts">
${fact('suite', html`${run.suite.file}<br><code title="${run.suite.digest}">sha256 ${run.suite.digest.slice(0, 16)}…</code>`)}
${fact('policy', html`${run.policy.name}<br><code title="${run.policy.digest}">sha256 ${run.policy.digest.slice(0, 16)}…</code>`)}
${fact('trials', html`${count(summary.contestants.length, 'contestant')} × ${count(summary.instances.length, 'instance')} × ${count(run.repeats, 'repeat')} = ${trials.total}`)}
${fact('done', html`${trials.done} of ${trials.total}${trials.pending ? html` · <span class="warn">${trials.pending} pending</span>` : ''}`)}
</dl>
${contestantKeys(summary, 'keys')}
${trials.pending ? html`<p class="banner">${count(trials.pending, 'trial')} of ${trials.total} pending: every number below covers the done trials only.</p>` : ''}
</header>
<main>
<section>
<h2>Results</h2>
<p class="muted">Resolved among done trials with its 95% Wilson interval; pass@k is the chance that at least one of k repeats resolves an instance (unbiased estimator, averaged over instances).</p>
<div class="scroll">${resultsTable(summary)}</div>
</section>
<section>
<h2>Spend</h2>
<p class="muted">Means per done trial; asks, denials and guard flags are totals. “Unpriced”: a trial ran on a model without a price.</p>
<div class="scroll">${spendTable(summary)}</div>
</section>
<section>
<h2>Resolved rate vs ${chart.measure === 'cost' ? 'cost' : 'tokens'} per trial</h2>
<figure>${chart.svg}<figcaption>${contestantKeys(summary, 'keys chart-keys')}${chart.notes.map((note) => html`<p>${note}</p>`)}</figcaption></figure>
</section>
${summary.pairs.length ? pairsSection(summary) : ''}
<section>
<h2>Instances</h2>
<p class="legend">${(Object.keys(SLOT_MARKS) as Slot[]).map((slot) => html`<span><span class="slot ${slot}">${SLOT_MARKS[slot]}</span> ${slot}</span> `)}</p>
<div class="scroll">${instanceGrid(summary)}</div>
</section>
</main>
<footer class="muted">Made by <code>warden eval report</code>. McNemar's test compares two contestants on the trials both have done (same instance, same repeat): exact binomial below 25 discordant pairs, chi-square with continuity correction above.</footer>
</body>
</html>
`;
  return toHtmlString(page);
}

/** Each contestant's letter and colour against its full label. */
function contestantKeys(summary: EvalSummary, className: string): Markup {
  return html`<ul class="${className}">${summary.contestants.map((c) => html`<li><span class="key ${seriesClass(c.index)}">${contestantLetter(c.index)}</span> ${c.label}</li>`)}</ul>`;
}

function fact(term: string, value: Markup): Markup {
  return html`<div><dt>${term}</dt><dd>${value}</dd></div>`;
}

function contestantCell(c: ContestantSummary): Markup {
  return html`<th scope="row" class="contestant"><span class="key ${seriesClass(c.index)}">${contestantLetter(c.index)}</span> <span class="label">${breakable(c.label)}</span></th>`;
}

function resultsTable(summary: EvalSummary): Markup {
  const ks = Array.from({ length: summary.run.repeats }, (_, i) => i + 1);
  return html`<table>
<thead><tr><th>contestant</th><th class="n">done</th><th class="n">resolved</th><th class="n">rate</th><th>95% interval</th><th class="n">unresolved</th><th class="n">broken</th><th class="n">error</th>${ks.map((k) => html`<th class="n">pass@${k}</th>`)}</tr></thead>
<tbody>
${summary.contestants.map(
  (
    c,
  ) => html`<tr>${contestantCell(c)}<td class="n">${c.trials.done}/${c.trials.total}</td><td class="n">${c.resolved.count}</td><td class="n strong">${percent(c.resolved.rate)}</td>
<td class="ci-cell">${intervalBar(c)} <span class="muted">${c.resolved.rate === null ? '' : `${percent(c.resolved.low)}–${percent(c.resolved.high)}`}</span></td>
<td class="n">${c.outcomes.unresolved}</td><td class="n${c.outcomes.broken ? ' bad' : ''}">${c.outcomes.broken}</td><td class="n${c.outcomes.error ? ' warn' : ''}">${c.outcomes.error}</td>
${c.passAtK.map((p) => html`<td class="n" title="${`over ${p.instances} instances`}">${percent(p.value)}</td>`)}</tr>
`,
)}</tbody>
</table>`;
}

function spendTable(summary: EvalSummary): Markup {
  return html`<table>
<thead><tr><th>contestant</th><th class="n">tokens in</th><th class="n">tokens out</th><th class="n">cost / trial</th><th class="n">cost total</th><th class="n">wall mean</th><th class="n">wall median</th><th class="n">turns</th><th class="n">tool calls</th><th class="n">asks</th><th class="n">denials</th><th class="n">guard flags</th></tr></thead>
<tbody>
${summary.contestants.map(
  (
    c,
  ) => html`<tr>${contestantCell(c)}<td class="n">${tokens(c.tokens.input.mean)}</td><td class="n">${tokens(c.tokens.output.mean)}</td>
${c.cost === 'unpriced' ? html`<td class="n muted">unpriced</td><td class="n muted">unpriced</td>` : html`<td class="n">${c.cost.mean === null ? '–' : dollars(c.cost.mean)}</td><td class="n">${dollars(c.cost.total)}</td>`}
<td class="n">${duration(c.wallMs.mean)}</td><td class="n">${duration(c.wallMs.median)}</td><td class="n">${decimal(c.turns.mean)}</td><td class="n">${decimal(c.toolCalls.mean)}</td>
<td class="n">${c.asks.total}</td><td class="n${c.denials.total ? ' warn' : ''}">${c.denials.total}</td><td class="n${c.guardFlags.total ? ' warn' : ''}">${c.guardFlags.total}</td></tr>
`,
)}</tbody>
</table>`;
}

function pairsSection(summary: EvalSummary): Markup {
  return html`<section>
<h2>Pairs</h2>
<p class="muted">Each pair on the trials both have done (same instance, same repeat). “Only A”: trials A resolved and B did not. A difference is called significant below p = 0.05.</p>
<div class="pairs">${summary.pairs.map((pair) => pairCard(summary, pair))}</div>
</section>`;
}

function pairCard(summary: EvalSummary, pair: PairSummary): Markup {
  const [a, b] = [contestantLetter(pair.a), contestantLetter(pair.b)];
  const significant = pair.onlyA + pair.onlyB > 0 && pair.mcnemar.pValue < 0.05;
  const verdict = significant
    ? `${pair.onlyA > pair.onlyB ? a : b} resolves more`
    : 'no significant difference';
  const labels = `${summary.contestants[pair.a]?.label} vs ${summary.contestants[pair.b]?.label}`;
  return html`<div class="pair">
<p class="pair-head" title="${labels}"><span class="key ${seriesClass(pair.a)}">${a}</span> vs <span class="key ${seriesClass(pair.b)}">${b}</span> <span class="${significant ? 'strong' : 'muted'}">${verdict}</span></p>
<p>p = ${formatP(pair.mcnemar.pValue)} <span class="muted">(${pair.mcnemar.exact ? 'exact binomial' : 'chi-square'})</span> · ${pair.paired} paired trials</p>
<p>only ${a} <b>${pair.onlyA}</b> · only ${b} <b>${pair.onlyB}</b> · both ${pair.bothResolved} · neither ${pair.neitherResolved}</p>
${idList(`only ${a} solved`, pair.instancesOnlyA)}${idList(`only ${b} solved`, pair.instancesOnlyB)}</div>
`;
}

/** A few ids inline; a long list folds into a details element (no script needed). */
function idList(head: string, ids: string[]): Markup {
  if (ids.length === 0) return html``;
  // A space between ids lets the list wrap; each id stays whole.
  const items = ids.map((id) => html`<code>${id}</code> `);
  if (ids.length <= 6) return html`<p class="ids"><span class="muted">${head}:</span> ${items}</p>`;
  return html`<details class="ids"><summary><span class="muted">${head}:</span> ${ids.length} instances</summary>${items}</details>`;
}

function instanceGrid(summary: EvalSummary): Markup {
  return html`<table class="grid">
<thead><tr><th>instance</th>${summary.contestants.map((c) => html`<th class="slots" title="${c.label}"><span class="key ${seriesClass(c.index)}">${contestantLetter(c.index)}</span></th>`)}</tr></thead>
<tbody>
${summary.instances.map(
  (instance) => html`<tr><th scope="row"><code>${instance.id}</code></th>${instance.outcomes.map(
    (slots, index) =>
      html`<td class="slots">${slots.map((slot, repeat) => html`<span class="slot ${slot}" title="${`${contestantLetter(index)} · repeat ${repeat + 1}: ${slot}`}">${SLOT_MARKS[slot]}</span>`)}</td>`,
  )}</tr>
`,
)}</tbody>
</table>`;
}

/** On a phone a label may break after / and : (agent/provider:model), never inside a word. */
function breakable(label: string): Markup {
  return html`${label.split(/(?<=[/:])/).map((part) => html`<span>${part}</span>`)}`;
}

function duration(ms: number | null): string {
  return ms === null ? '–' : formatDuration(ms);
}
