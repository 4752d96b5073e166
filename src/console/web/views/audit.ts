import { ApiFailure, path, type Task, type Verification } from '../api.ts';
import { h, replace, route } from '../dom.ts';
import { clock, firstLine, statusBadge } from '../format.ts';
import { errorBox, pageHeader, type View } from '../view.ts';

const SHOWN_RECORDS = 1000;

interface AuditRecord {
  seq: number;
  time: string;
  type: string;
  data: unknown;
  prev: string;
  hash: string;
}

/**
 * A task's audit trail: the server's verification of the chain and signatures, the log to
 * download (as written, sensitive payloads still encrypted), and its records in order.
 */
export const auditView: View = (ctx) => {
  const id = ctx.params[0] ?? '';
  const summary = h('div', { class: 'audit-task' });
  const verdict = h('div', { class: 'verdict pending' }, 'Verifying…');
  const download = h('div', { class: 'download' });
  const records = h('div');
  ctx.main.append(
    pageHeader('Audit', h('a', { class: 'button', href: route('tasks', id) }, 'Back to the task')),
    summary,
    verdict,
    download,
    records,
  );
  let objectUrl: string | undefined;

  void (async () => {
    try {
      const task = await ctx.api.get<Task>(path('tasks', id));
      replace(
        summary,
        statusBadge(task.status),
        ' ',
        h('a', { href: route('tasks', id) }, firstLine(task.instruction)),
        h('span', { class: 'mono muted small' }, `  ${task.id}`),
      );
    } catch (error) {
      replace(summary, errorBox(error));
      return;
    }
    try {
      const result = await ctx.api.get<Verification>(`${path('tasks', id)}/audit/verify`);
      replace(
        verdict,
        result.ok
          ? h(
              'div',
              null,
              h('strong', null, '✓ Verified'),
              ` — ${result.records} records, hash chain intact, ${result.digests} signed digest${result.digests === 1 ? '' : 's'} valid.`,
            )
          : h(
              'div',
              null,
              h('strong', null, `✗ Verification failed at record ${result.firstBad}`),
              ` — ${result.message}`,
            ),
      );
      verdict.className = `verdict ${result.ok ? 'ok' : 'bad'}`;
      verdict.dataset.verified = String(result.ok);
    } catch (error) {
      verdict.className = 'verdict';
      replace(
        verdict,
        error instanceof ApiFailure && error.code === 'audit.none' ? error.describe() : errorBox(error),
      );
      return;
    }
    try {
      const blob = await ctx.api.blob(`${path('tasks', id)}/audit`);
      objectUrl = URL.createObjectURL(blob);
      replace(
        download,
        h(
          'a',
          { class: 'button', href: objectUrl, download: `${id}.audit.jsonl`, 'data-action': 'download' },
          'Download log (JSONL)',
        ),
        h(
          'span',
          { class: 'hint' },
          'As written: sensitive payloads stay encrypted. Check it offline with ',
          h('code', null, `warden audit verify ${id}.audit.jsonl`),
          '.',
        ),
      );
      replace(records, recordTable(parse(await blob.text())));
    } catch (error) {
      replace(records, errorBox(error));
    }
  })();
  return () => {
    if (objectUrl) URL.revokeObjectURL(objectUrl);
  };
};

function parse(text: string): AuditRecord[] {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as AuditRecord];
      } catch {
        return [];
      }
    });
}

function recordTable(list: AuditRecord[]): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'grid audit' },
      h(
        'thead',
        null,
        h('tr', null, ...['Seq', 'Time', 'Type', 'Payload', 'Hash', 'Prev'].map((t) => h('th', null, t))),
      ),
      h(
        'tbody',
        null,
        ...list
          .slice(0, SHOWN_RECORDS)
          .map((r) =>
            h(
              'tr',
              { 'data-seq': r.seq },
              h('td', { class: 'num' }, String(r.seq)),
              h('td', { title: r.time }, clock(r.time)),
              h('td', { class: 'mono' }, r.type),
              h('td', { class: 'payload' }, payload(r.data)),
              h('td', { class: 'mono small', title: r.hash }, short(r.hash)),
              h('td', { class: 'mono small muted', title: r.prev }, short(r.prev)),
            ),
          ),
      ),
    ),
    list.length > SHOWN_RECORDS
      ? h('div', { class: 'hint' }, `${list.length - SHOWN_RECORDS} more records in the download.`)
      : null,
  );
}

function payload(data: unknown): HTMLElement {
  if (data && typeof data === 'object' && 'ct' in data) {
    return h(
      'span',
      { class: 'sealed', title: 'encrypted at rest: it may hold code, prompts or output' },
      'encrypted',
    );
  }
  const json = JSON.stringify(data) ?? '';
  return h(
    'span',
    { class: 'mono small', title: json.length > 160 ? json.slice(0, 2000) : '' },
    json.length > 160 ? `${json.slice(0, 159)}…` : json,
  );
}

function short(hash: string | undefined): string {
  return hash ? `${hash.slice(0, 12)}…` : '';
}
