import { type Api, ApiFailure, type EvalDetail, path } from '../api.ts';
import { h, replace } from '../dom.ts';
import { counted } from '../eval-format.ts';
import { relativeTime } from '../format.ts';
import { errorBox, every, type View } from '../view.ts';
import { contestantKey, progressBar } from './eval-figures.ts';
import { instanceGrid } from './eval-grid.ts';
import { pairsSection } from './eval-pairs.ts';
import { resultsTable, spendTable } from './eval-tables.ts';

/** How long an opened report's blob URL lives: long enough for the new tab to load it. */
const REPORT_URL_MS = 60_000;

/**
 * One evaluation: its facts and progress, the contestants' results and spend, every pair compared,
 * and the per-instance grid; re-read every 2 s until the last trial is graded. Every name on it
 * (suite, file, contestants, instances, who started it) came from whoever started the run.
 */
export const evalRunView: View = (ctx) => {
  const id = ctx.params[0] ?? '';
  const body = h('div', { class: 'eval-run' }, h('div', { class: 'muted' }, 'Reading the evaluation…'));
  ctx.main.append(body);
  let finished = false;
  let drawn = '';
  const stop = every(2000, async () => {
    if (finished) return;
    try {
      const detail = await ctx.api.get<EvalDetail>(path('evals', id));
      finished = detail.progress.done === detail.progress.total;
      // Redrawn only when something changed: an open details element or a selection stays put.
      const key = JSON.stringify(detail);
      if (key === drawn) return;
      drawn = key;
      replace(body, ...render(ctx.api, detail));
    } catch (error) {
      replace(body, errorBox(error));
      // No such run (or not one this person may read) will not become one by asking again.
      if (error instanceof ApiFailure && error.status === 404) finished = true;
      throw error;
    }
  });
  return stop;
};

function render(api: Api, detail: EvalDetail): Node[] {
  const { run, progress, summary } = detail;
  const finished = progress.done === progress.total;
  const metric = (label: string, value: string, key: string) =>
    h(
      'div',
      { class: 'metric', 'data-metric': key },
      h('div', { class: 'label' }, label),
      h('div', { class: 'value' }, value),
    );
  return [
    h(
      'div',
      { class: 'page-head eval-head' },
      h('h1', null, 'Evaluation ', h('span', { class: 'suite-name' }, run.suite.name)),
      reportActions(api, run.id),
    ),
    h(
      'div',
      { class: 'eval-meta' },
      h('span', { class: 'mono' }, run.id),
      h('span', { title: run.createdAt }, `created ${relativeTime(run.createdAt)}`),
      h('span', null, 'by ', h('strong', null, run.createdBy), run.team ? ` (${run.team})` : ''),
      h(
        'span',
        { title: `sha256 ${run.suite.digest}`, 'data-fact': 'suite' },
        'suite ',
        h('strong', { class: 'mono' }, run.suite.file),
      ),
      h(
        'span',
        { title: `sha256 ${run.policy.digest}`, 'data-fact': 'policy' },
        'policy ',
        h('strong', null, run.policy.name),
      ),
    ),
    h(
      'div',
      { class: 'metrics eval-metrics' },
      metric('Trials done', `${progress.done} of ${progress.total}`, 'done'),
      metric('Running', String(progress.running), 'running'),
      metric('Queued', String(progress.queued), 'queued'),
      metric('Contestants', String(run.contestants.length), 'contestants'),
      metric('Instances', String(summary.instances.length), 'instances'),
      metric('Repeats', String(run.repeats), 'repeats'),
    ),
    h(
      'div',
      { class: 'eval-progress' },
      progressBar(progress),
      h(
        'span',
        { class: 'muted small' },
        finished
          ? `${counted(progress.total, 'trial')}, all graded`
          : `${progress.done} of ${progress.total} graded · ${progress.running} running · ${progress.queued} queued · refreshes every 2 s`,
      ),
    ),
    finished
      ? null
      : h(
          'p',
          { class: 'callout warn' },
          `${counted(summary.trials.pending, 'trial')} of ${summary.trials.total} pending: every number below covers the done trials only.`,
        ),
    h(
      'ul',
      { class: 'contestant-keys' },
      ...summary.contestants.map((c) =>
        h('li', null, contestantKey(c.index), h('span', { class: 'mono full-label' }, c.label)),
      ),
    ),
    h(
      'section',
      { class: 'eval-section' },
      h('h2', null, 'Results'),
      h(
        'p',
        { class: 'hint' },
        'Resolved among done trials, with its 95% Wilson interval drawn on 0–100%; pass@k is the chance that at least one of k repeats resolves an instance.',
      ),
      resultsTable(summary),
    ),
    h(
      'section',
      { class: 'eval-section' },
      h('h2', null, 'Spend'),
      h(
        'p',
        { class: 'hint' },
        'Means per done trial; asks, denials and guard flags are totals. “Unpriced”: a trial ran on a model without a price.',
      ),
      spendTable(summary),
    ),
    pairsSection(summary),
    instanceGrid(summary),
  ].filter((node): node is HTMLElement => node !== null);
}

/**
 * The full HTML report needs the token, so it is fetched here and handed over as a blob: opened in
 * a new tab (the console's policy lets exactly the report's stylesheet in, by its hash) or saved.
 */
function reportActions(api: Api, id: string): HTMLElement {
  const problem = h('span', { class: 'bad small', role: 'alert', hidden: true });
  const fetchReport = async (): Promise<string | undefined> => {
    problem.hidden = true;
    try {
      const blob = await api.blob(`${path('evals', id)}/report.html`);
      const url = URL.createObjectURL(new Blob([blob], { type: 'text/html' }));
      setTimeout(() => URL.revokeObjectURL(url), REPORT_URL_MS);
      return url;
    } catch (error) {
      problem.hidden = false;
      problem.textContent = `The report could not be read: ${error instanceof ApiFailure ? error.describe() : (error as Error).message}`;
      return undefined;
    }
  };
  return h(
    'div',
    { class: 'actions' },
    problem,
    h(
      'button',
      {
        type: 'button',
        'data-action': 'open-report',
        onclick: async () => {
          const url = await fetchReport();
          if (url) window.open(url, '_blank', 'noopener');
        },
      },
      'Open HTML report',
    ),
    h(
      'button',
      {
        type: 'button',
        'data-action': 'download-report',
        onclick: async () => {
          const url = await fetchReport();
          if (!url) return;
          const a = h('a', { href: url, download: `evaluation-${id}.html`, hidden: true });
          document.body.append(a);
          a.click();
          a.remove();
        },
      },
      'Download',
    ),
  );
}
