import type { EvalListing } from '../api.ts';
import { h, replace, route } from '../dom.ts';
import { relativeTime } from '../format.ts';
import { errorBox, every, pageHeader, type View } from '../view.ts';
import { contestantKey, progressBar, shortLabel } from './eval-figures.ts';

/** While every run is finished the list is re-read this seldom, so a new run still shows up. */
const SETTLED_MS = 30_000;

/** Evaluation runs, newest first; re-read every 3 s while any of them has trials left. */
export const evalListView: View = (ctx) => {
  const stamp = h('span', { class: 'muted small', 'aria-live': 'off' });
  const problem = h('div');
  const body = h('tbody');
  ctx.main.append(
    pageHeader('Evaluations'),
    h(
      'div',
      { class: 'toolbar' },
      h(
        'p',
        { class: 'hint eval-how' },
        'Models and agents on the same tasks, graded by hidden tests. Start one with ',
        h('code', null, 'warden eval run SUITE --models A,B --server URL'),
        '.',
      ),
      stamp,
    ),
    problem,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'grid evals' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', null, 'Suite'),
            h('th', null, 'Contestants'),
            h('th', null, 'Progress'),
            h('th', null, 'Created'),
            h('th', null, 'By'),
          ),
        ),
        body,
      ),
    ),
  );

  let unfinished = true;
  let readAt = 0;
  return every(3000, async () => {
    if (!unfinished && Date.now() - readAt < SETTLED_MS) return;
    try {
      const { evals } = await ctx.api.get<{ evals: EvalListing[] }>('/v1/evals');
      readAt = Date.now();
      unfinished = evals.some(({ progress }) => progress.done < progress.total);
      problem.replaceChildren();
      replace(body, ...(evals.length > 0 ? newestFirst(evals).map(row) : [emptyRow()]));
      stamp.textContent = `Updated ${new Date().toLocaleTimeString(undefined, { hour12: false })}${unfinished ? ' · refreshes every 3 s while a run is unfinished' : ''}`;
    } catch (error) {
      replace(problem, errorBox(error));
      throw error;
    }
  });
};

/** The API lists newest first already; sorted again so the page does not depend on it. */
function newestFirst(evals: EvalListing[]): EvalListing[] {
  return [...evals].sort((a, b) => Date.parse(b.run.createdAt) - Date.parse(a.run.createdAt));
}

function row({ run, progress }: EvalListing): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-eval': run.id, 'data-done': progress.done, 'data-total': progress.total },
    h(
      'td',
      { class: 'task-cell' },
      h('a', { href: route('evals', run.id), class: 'task-link' }, run.suite.name),
      h('div', { class: 'mono muted small' }, run.id),
    ),
    h(
      'td',
      { class: 'contestant-list' },
      ...run.contestants.map((c, index) =>
        h(
          'div',
          { class: 'contestant', title: `${c.agent}/${c.model}` },
          contestantKey(index),
          h('span', { class: 'mono small label' }, shortLabel(c)),
        ),
      ),
    ),
    h(
      'td',
      { class: 'progress-cell' },
      progressBar(progress),
      h(
        'div',
        { class: 'muted small num-left' },
        `${progress.done}/${progress.total} trials`,
        progress.running ? ` · ${progress.running} running` : '',
        progress.queued ? ` · ${progress.queued} queued` : '',
      ),
    ),
    h('td', { class: 'created', title: run.createdAt }, relativeTime(run.createdAt)),
    h(
      'td',
      { class: 'by' },
      run.createdBy,
      run.team ? h('span', { class: 'muted small team' }, run.team) : null,
    ),
  );
}

function emptyRow(): HTMLTableRowElement {
  return h('tr', null, h('td', { colspan: 5, class: 'empty' }, 'No evaluations on this server yet.'));
}
