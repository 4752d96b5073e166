import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WardenError } from '../errors.ts';
import { SessionStore } from '../store/session-store.ts';
import { parseFlags } from './args.ts';
import { renderReport } from './live-view.ts';
import type { CommandIo } from './main.ts';
import { locateRepo } from './repo.ts';
import { renderableReport } from './stored-report.ts';
import { formatCost, formatDuration, forTerminal } from './terminal.ts';

export const SESSIONS_HELP = `Usage: warden sessions list [--repo DIR] [--json]
       warden sessions show ID [--repo DIR] [--json] [--events]

Lists the sessions recorded in the repository's .warden/ store, or shows one: its task, status,
report and, with --events, every event it emitted. ID may be a unique prefix.`;

export async function sessionsCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags('sessions', args, {
    repo: { type: 'string' },
    json: { type: 'boolean' },
    events: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  const [action = 'list', id] = positionals;
  if (values.help) {
    io.stdout(`${SESSIONS_HELP}\n`);
    return 0;
  }
  const repo = locateRepo(values.repo, io.cwd);
  const stateDir = join(repo.root, '.warden');
  // Looking must not create: a repository Warden never ran in stays untouched.
  const store = existsSync(stateDir) ? SessionStore.open(stateDir) : SessionStore.memory();
  try {
    if (action === 'list') return list(store, io, values.json === true);
    if (action === 'show') {
      if (!id) throw new WardenError('usage', 'which session?', { hint: 'warden sessions show ID' });
      return show(store, id, io, { json: values.json === true, events: values.events === true });
    }
    throw new WardenError('usage', `unknown sessions action "${action}"`, { hint: 'use list or show' });
  } finally {
    store.close();
  }
}

function list(store: SessionStore, io: CommandIo, json: boolean): number {
  const sessions = store.list();
  if (json) {
    io.stdout(`${JSON.stringify(sessions)}\n`);
    return 0;
  }
  if (sessions.length === 0) {
    io.stdout('no sessions yet; start one with: warden exec "<task>"\n');
    return 0;
  }
  // The store sits in the repository, so every field is untrusted text.
  const rows = sessions
    .map((s) => ({ ...s, report: renderableReport(s.report) }))
    .map((s) =>
      [
        s.id,
        s.status,
        s.createdAt.slice(0, 19).replace('T', ' '),
        s.report ? formatDuration(s.report.durationMs) : '',
        s.report ? formatCost(s.report.cost).replace(/ \(.*/, '') : '',
        s.model,
        (s.task.split('\n', 1)[0] ?? '').slice(0, 60),
      ].map(forTerminal),
    );
  const header = ['ID', 'STATUS', 'STARTED (UTC)', 'TIME', 'COST', 'MODEL', 'TASK'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const row of [header, ...rows]) {
    io.stdout(
      `${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}\n`,
    );
  }
  return 0;
}

function show(
  store: SessionStore,
  id: string,
  io: CommandIo,
  options: { json: boolean; events: boolean },
): number {
  const session = store.find(id);
  if (!session) {
    throw new WardenError('session.not_found', `no session "${id}" in this repository`, {
      hint: 'list them with: warden sessions list',
    });
  }
  const events = options.events ? store.events(session.id) : undefined;
  if (options.json) {
    io.stdout(`${JSON.stringify({ ...session, ...(events ? { events } : {}) })}\n`);
    return 0;
  }
  io.stdout(
    [
      `session  ${forTerminal(session.id)}`,
      `status   ${forTerminal(session.status)}`,
      `model    ${forTerminal(session.model)}`,
      `repo     ${forTerminal(session.repo)}`,
      `started  ${forTerminal(session.createdAt)}`,
      `updated  ${forTerminal(session.updatedAt)}`,
      `task     ${forTerminal(session.task)}`,
    ].join('\n'),
  );
  io.stdout('\n');
  // Rendered plain, then cleaned whole: a planted record may carry escapes in any field.
  const report = renderableReport(session.report);
  if (report) io.stdout(forTerminal(renderReport(report)));
  else if (session.status === 'running')
    io.stdout('\nno report: the session has not finished (resume it with warden exec --resume ID "…")\n');
  else
    io.stdout('\nno report: the stored one cannot be read (the session store was changed outside Warden)\n');
  for (const event of events ?? []) {
    io.stdout(`${String(event.seq).padStart(4)} ${forTerminal(`${event.time} ${event.type}`)}\n`);
  }
  return 0;
}
