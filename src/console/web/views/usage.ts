import { type Task, TERMINAL } from '../api.ts';
import { h, replace } from '../dom.ts';
import { cost, duration, shortModel, tokens } from '../format.ts';
import { errorBox, pageHeader, type View } from '../view.ts';
import { barChart } from './chart.ts';

const RANGES: Record<string, { label: string; ms: number | undefined }> = {
  '24h': { label: 'Last 24 hours', ms: 86_400_000 },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000 },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000 },
  all: { label: 'All time', ms: undefined },
};

/** Bucket widths, smallest first; the first that keeps the chart to at most 48 bars wins. */
const BUCKETS = [60_000, 300_000, 900_000, 3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000];

/** At most this many tasks are read (pages of 200) to draw the charts. */
const MAX_TASKS = 2000;

interface Team {
  id: string;
  budgetTokens?: number;
  budgetCost?: number;
  spent: { tokens: number; cost: number };
}

/** Tokens, cost and tasks over time, by model and by team, from the tasks the person may see. */
export const usageView: View = (ctx) => {
  const rangeKey = RANGES[ctx.query.get('range') ?? ''] ? (ctx.query.get('range') as string) : '7d';
  const range = RANGES[rangeKey] as (typeof RANGES)[string];
  const body = h('div', { class: 'usage' }, h('div', { class: 'muted' }, 'Reading tasks…'));
  ctx.main.append(
    pageHeader('Usage'),
    h(
      'div',
      { class: 'filters' },
      ...Object.entries(RANGES).map(([key, r]) =>
        h('a', { class: `chip${key === rangeKey ? ' active' : ''}`, href: `#/usage?range=${key}` }, r.label),
      ),
    ),
    body,
  );

  void (async () => {
    try {
      const now = Date.now();
      const since = range.ms === undefined ? 0 : now - range.ms;
      const tasks: Task[] = [];
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({ limit: '200' });
        if (cursor) query.set('cursor', cursor);
        const page: { tasks: Task[]; next: string | null } = await ctx.api.get(`/v1/tasks?${query}`);
        tasks.push(...page.tasks.filter((t) => Date.parse(t.createdAt) >= since));
        cursor = page.next;
        // Newest first: once a page reaches before the range, older pages are all outside it.
        if (page.tasks.some((t) => Date.parse(t.createdAt) < since)) break;
      } while (cursor && tasks.length < MAX_TASKS);
      const teams =
        ctx.me.role === 'admin'
          ? await ctx.api.get<{ teams: Team[] }>('/v1/teams').catch(() => undefined)
          : undefined;
      replace(
        body,
        ...render(
          tasks,
          since || Math.min(now, ...tasks.map((t) => Date.parse(t.createdAt))),
          now,
          teams?.teams,
        ),
      );
    } catch (error) {
      replace(body, errorBox(error));
    }
  })();
  return undefined;
};

function render(tasks: Task[], since: number, now: number, teams: Team[] | undefined): HTMLElement[] {
  if (tasks.length === 0) return [h('div', { class: 'empty' }, 'No tasks in this period.')];
  const span = Math.max(60_000, now - since);
  const size = BUCKETS.find((b) => span / b <= 48) ?? (BUCKETS.at(-1) as number);
  const start = Math.floor(since / size) * size;
  const count = Math.floor((now - start) / size) + 1;
  const labels = Array.from({ length: count }, (_, i) => bucketLabel(start + i * size, size));
  const zero = () => new Array<number>(count).fill(0);
  const byStatus = { succeeded: zero(), failed: zero(), cancelled: zero(), active: zero() };
  const tokenSeries = zero();
  const costSeries = zero();
  let priced = false;
  for (const task of tasks) {
    const i = Math.min(count - 1, Math.floor((Date.parse(task.createdAt) - start) / size));
    const group = TERMINAL.has(task.status)
      ? (task.status as 'succeeded' | 'failed' | 'cancelled')
      : 'active';
    byStatus[group][i] = (byStatus[group][i] ?? 0) + 1;
    tokenSeries[i] = (tokenSeries[i] ?? 0) + task.tokens;
    if (task.cost !== null) {
      priced = true;
      costSeries[i] = (costSeries[i] ?? 0) + task.cost;
    }
  }
  const totalTokens = tasks.reduce((sum, t) => sum + t.tokens, 0);
  const totalCost = tasks.reduce((sum, t) => sum + (t.cost ?? 0), 0);
  const durations = tasks.flatMap((t) =>
    t.durationMs === null || !TERMINAL.has(t.status) ? [] : [t.durationMs],
  );
  const stat = (label: string, value: string) =>
    h('div', { class: 'metric' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
  return [
    h(
      'div',
      { class: 'metrics' },
      stat('Tasks', String(tasks.length)),
      stat('Succeeded', String(tasks.filter((t) => t.status === 'succeeded').length)),
      stat('Tokens', tokens(totalTokens)),
      stat('Cost', priced ? cost(totalCost) : '—'),
      stat('Median duration', duration(median(durations))),
    ),
    h(
      'div',
      { class: 'charts' },
      barChart({
        title: `Tokens per ${bucketName(size)}`,
        labels,
        series: [{ name: 'tokens', cls: 'series-1', values: tokenSeries }],
        format: tokens,
      }),
      barChart({
        title: `Cost per ${bucketName(size)} (USD)`,
        note: priced
          ? undefined
          : 'No model in this period reports a price (scripted and local models have none).',
        labels,
        series: [{ name: 'cost', cls: 'series-2', values: costSeries }],
        format: cost,
      }),
      barChart({
        title: `Tasks started per ${bucketName(size)}, by outcome`,
        labels,
        series: [
          { name: 'succeeded', cls: 'series-ok', values: byStatus.succeeded },
          { name: 'failed', cls: 'series-bad', values: byStatus.failed },
          { name: 'cancelled', cls: 'series-muted', values: byStatus.cancelled },
          { name: 'queued or running', cls: 'series-1', values: byStatus.active },
        ],
        format: (n) => String(Math.round(n * 100) / 100),
      }),
    ),
    breakdown('By model', tasks, (t) => t.model, shortModel),
    breakdown(
      'By team',
      tasks,
      (t) => t.team,
      (k) => k,
    ),
    teams && teams.length > 0 ? budgets(teams) : h('span'),
  ];
}

function breakdown(
  title: string,
  tasks: Task[],
  key: (t: Task) => string,
  show: (k: string) => string,
): HTMLElement {
  const groups = new Map<string, Task[]>();
  for (const task of tasks) groups.set(key(task), [...(groups.get(key(task)) ?? []), task]);
  const rows = [...groups].sort((a, b) => sum(b[1], 'tokens') - sum(a[1], 'tokens'));
  return h(
    'section',
    { class: 'breakdown' },
    h('h2', null, title),
    h(
      'table',
      { class: 'grid compact' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', null, ''),
          h('th', { class: 'num' }, 'Tasks'),
          h('th', { class: 'num' }, 'Tokens'),
          h('th', { class: 'num' }, 'Cost'),
        ),
      ),
      h(
        'tbody',
        null,
        ...rows.map(([k, list]) =>
          h(
            'tr',
            null,
            h('td', { class: 'mono', title: k }, show(k)),
            h('td', { class: 'num' }, String(list.length)),
            h('td', { class: 'num' }, tokens(sum(list, 'tokens'))),
            h('td', { class: 'num' }, list.some((t) => t.cost !== null) ? cost(sum(list, 'cost')) : '—'),
          ),
        ),
      ),
    ),
  );
}

function budgets(teams: Team[]): HTMLElement {
  const used = (spent: number, budget: number | undefined) =>
    budget === undefined
      ? 'no limit'
      : `${Math.round((spent / Math.max(budget, 1e-9)) * 100)}% of ${budget.toLocaleString()}`;
  return h(
    'section',
    { class: 'breakdown' },
    h('h2', null, 'Team budgets (all time)'),
    h(
      'table',
      { class: 'grid compact' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ...['Team', 'Tokens spent', 'Token budget', 'Cost spent', 'Cost budget'].map((t) =>
            h('th', null, t),
          ),
        ),
      ),
      h(
        'tbody',
        null,
        ...teams.map((team) =>
          h(
            'tr',
            null,
            h('td', null, team.id),
            h('td', { class: 'num' }, tokens(team.spent.tokens)),
            h('td', null, used(team.spent.tokens, team.budgetTokens)),
            h('td', { class: 'num' }, cost(team.spent.cost)),
            h('td', null, used(team.spent.cost, team.budgetCost)),
          ),
        ),
      ),
    ),
  );
}

function sum(tasks: Task[], field: 'tokens' | 'cost'): number {
  return tasks.reduce((total, t) => total + (t[field] ?? 0), 0);
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? null;
}

function bucketName(size: number): string {
  if (size < 3_600_000) return `${size / 60_000} minutes`.replace(/^1 minutes$/, 'minute');
  if (size === 3_600_000) return 'hour';
  if (size < 86_400_000) return `${size / 3_600_000} hours`;
  return size === 86_400_000 ? 'day' : 'week';
}

function bucketLabel(time: number, size: number): string {
  const date = new Date(time);
  const day = date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  if (size >= 86_400_000) return day;
  const clock = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });
  return size >= 3_600_000 ? `${day} ${clock}` : clock;
}
