import type { Report } from '../../../agent/events.ts';
import { h } from '../dom.ts';
import { cost, duration, tokens } from '../format.ts';
import { exitLabel } from './tool-card.ts';

/** The session's report, as `session.finished` and GET /v1/tasks/{id}/report carry it. */
export function renderReport(report: Report): HTMLElement {
  const used = report.tokens.inputTokens + report.tokens.outputTokens;
  const stat = (label: string, value: string) => h('div', null, h('dt', null, label), h('dd', null, value));
  return h(
    'section',
    { class: `report report-${report.status}`, 'data-report': report.status },
    h('h3', null, `Report · ${report.status}`, h('span', { class: 'muted' }, ` — ${report.reason}`)),
    report.summary ? h('p', { class: 'summary' }, report.summary) : null,
    report.error
      ? h('div', { class: 'callout error' }, h('strong', null, report.error.code), ` ${report.error.message}`)
      : null,
    h(
      'dl',
      { class: 'stats' },
      stat('Duration', duration(report.durationMs)),
      stat('Turns', String(report.turns)),
      stat(
        'Tool calls',
        report.toolErrors ? `${report.toolCalls} (${report.toolErrors} failed)` : String(report.toolCalls),
      ),
      stat('Denials', String(report.denials)),
      stat(
        'Tokens',
        `${tokens(used)} (${tokens(report.tokens.inputTokens)} in, ${tokens(report.tokens.outputTokens)} out)`,
      ),
      stat('Cost', cost(report.cost)),
    ),
    runsLater(report),
    report.filesChanged.length > 0
      ? h(
          'div',
          null,
          h(
            'h4',
            null,
            `Files changed (${report.diffStat.files}) `,
            h('span', { class: 'plus' }, `+${report.diffStat.added}`),
            ' ',
            h('span', { class: 'minus' }, `−${report.diffStat.removed}`),
          ),
          h(
            'table',
            { class: 'grid compact' },
            h(
              'tbody',
              null,
              ...report.filesChanged.map((file) =>
                h(
                  'tr',
                  null,
                  h('td', { class: 'mono' }, file.from ? `${file.from} → ${file.path}` : file.path),
                  h('td', null, h('span', { class: `kind kind-${file.kind}` }, file.kind)),
                  h('td', { class: 'num plus' }, `+${file.added}`),
                  h('td', { class: 'num minus' }, `−${file.removed}`),
                ),
              ),
            ),
          ),
        )
      : null,
    report.commands.length > 0
      ? h(
          'div',
          null,
          h('h4', null, `Commands (${report.commands.length})`),
          h(
            'table',
            { class: 'grid compact' },
            h(
              'tbody',
              null,
              ...report.commands.map((run) =>
                h(
                  'tr',
                  null,
                  h('td', { class: 'mono' }, `$ ${run.command}`),
                  h('td', null, exitLabel(run)),
                  h('td', { class: 'num' }, duration(run.durationMs)),
                ),
              ),
            ),
          ),
        )
      : null,
  );
}

const OUTCOMES: Record<NonNullable<Report['runsLater']>[number]['outcome'], string> = {
  changed: 'changed',
  refused: 'refused',
  reverted: 'put back',
  'not-reverted': 'not put back',
};

/** Files that run later, outside the sandbox: their own section, above the other files. */
function runsLater(report: Report): HTMLElement | null {
  const files = report.runsLater ?? [];
  if (files.length === 0) return null;
  const changed = files.filter((f) => f.outcome === 'changed' || f.outcome === 'not-reverted').length;
  return h(
    'div',
    { class: `callout ${changed > 0 ? 'warn' : 'ok'} runs-later`, 'data-runs-later': String(files.length) },
    h('h4', null, `Runs outside the sandbox (${files.length})`),
    h(
      'p',
      { class: 'muted' },
      changed > 0
        ? 'These files run later with more power than the agent had. Review them before merging, and before approving workflows for a pull request.'
        : 'The agent tried to change these files, which run later outside the sandbox; none of them changed.',
    ),
    h(
      'ul',
      { class: 'runs-later-list' },
      ...files.map((file) =>
        h(
          'li',
          { 'data-outcome': file.outcome },
          h('span', { class: 'mono path' }, file.path),
          ' ',
          h('span', { class: `kind outcome-${file.outcome}` }, OUTCOMES[file.outcome]),
          file.byCommand ? h('span', { class: 'muted' }, ' by a command') : null,
          h('div', { class: 'what' }, `${file.what} — ${file.runs}`),
        ),
      ),
    ),
  );
}
