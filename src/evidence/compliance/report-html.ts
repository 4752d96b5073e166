import { html, type Interpolation, type Markup, toHtmlString, trustedMarkup } from '../../eval/html.ts';
import type { ComplianceReport } from './collect.ts';
import type { EvidenceSection } from './controls.ts';

const STYLE = `
:root { color-scheme: light; --ink: #1c2430; --muted: #5b6675; --line: #d8dee6; --bad: #a4161a; --ok: #1b6e3a; --band: #f3f5f8; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0; }
main { max-width: 1080px; margin: 0 auto; padding: 32px 24px 64px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 40px 0 8px; padding-top: 8px; border-top: 2px solid var(--ink); }
h3 { font-size: 16px; margin: 24px 0 6px; }
.meta { color: var(--muted); margin: 0 0 24px; }
.meta dt { font-weight: 600; color: var(--ink); }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; }
dl.meta dd { margin: 0; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: 8px 0 16px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--band); font-weight: 600; white-space: nowrap; }
td.mono, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; overflow-wrap: break-word; }
.control { border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 12px 0; break-inside: avoid; }
.control h3 { margin-top: 0; }
.asks { color: var(--muted); margin: 0 0 6px; }
.status { font-weight: 600; }
.status.ok { color: var(--ok); }
.status.bad { color: var(--bad); }
ul.findings { margin: 6px 0 0; padding-left: 20px; }
.empty { color: var(--muted); font-style: italic; }
a { color: #1f4e99; }
footer { margin-top: 48px; color: var(--muted); font-size: 13px; }
@media (max-width: 600px) {
  main { padding: 16px 12px 40px; }
  h1 { font-size: 21px; }
  dl.meta { grid-template-columns: 1fr; }
  dl.meta dd { margin-bottom: 6px; }
  /* On a phone each row is a card of label: value, so no column is squeezed to a letter's width. */
  table, tbody, tr, td { display: block; }
  thead { position: absolute; left: -10000px; }
  tr { border: 1px solid var(--line); border-radius: 6px; padding: 4px 0; margin-bottom: 8px; }
  td { border: 0; padding: 2px 10px; }
  td::before { content: attr(data-label); display: block; font: 600 11px/1.4 system-ui, sans-serif; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
}
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  tr { break-inside: avoid; }
  .scroll { overflow: visible; }
}
`;

const SECTION_TITLES: Record<EvidenceSection, string> = {
  policies: 'Policies in force and their changes',
  approvals: 'Approvals, and who gave them',
  denials: 'Denied actions',
  network: 'Network connections',
  verification: 'Verification of every audit log',
  keys: 'Signing keys',
  sessions: 'Sessions per team',
  access: 'People and roles',
};

type Cell = Interpolation | { mono: string };

function table(headers: string[], rows: Cell[][]): Markup {
  if (rows.length === 0) return html`<p class="empty">None in the period.</p>`;
  const cell = (c: Cell, i: number) =>
    typeof c === 'object' && c !== null && 'mono' in c
      ? html`<td class="mono" data-label="${headers[i]}">${c.mono}</td>`
      : html`<td data-label="${headers[i]}">${c as Interpolation}</td>`;
  return html`<div class="scroll"><table><thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows.map(
    (row) => html`<tr>${row.map(cell)}</tr>`,
  )}</tbody></table></div>`;
}

/** `2026-01-02 03:04:05Z`: an ISO time without its milliseconds, easier to read in a table. */
const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

const short = (text: string) => text.replace(/(sha256:[0-9a-f]{16})[0-9a-f]{48}/g, '$1…');

function section(id: EvidenceSection, r: ComplianceReport): Markup {
  const e = r.evidence;
  switch (id) {
    case 'policies':
      return html`<h3>In force (from the sessions' logs)</h3>
${table(
  ['policy', 'digest', 'first seen', 'last seen', 'sessions'],
  e.policies.inForce.map((p) => [
    p.source,
    { mono: short(p.digest) },
    when(p.firstSeen),
    when(p.lastSeen),
    p.sessions,
  ]),
)}
<h3>Changes in the period</h3>
${table(
  ['when', 'policy', 'from', 'to', 'first session'],
  e.policies.changes.map((c) => [
    when(c.time),
    c.source,
    { mono: short(c.from) },
    { mono: short(c.to) },
    { mono: c.session },
  ]),
)}
<h3>Configured on the server now</h3>
${table(
  ['name', 'file', 'digest'],
  e.policies.configured.map((p) => [
    p.name,
    { mono: p.file },
    p.digest ? { mono: short(p.digest) } : `unreadable: ${p.problem ?? ''}`,
  ]),
)}`;
    case 'approvals':
      return table(
        ['when', 'session', 'team', 'tool', 'what was asked', 'answer', 'by', 'source'],
        e.approvals.map((a) => [
          when(a.time),
          { mono: a.session },
          a.team,
          a.tool,
          a.what,
          a.decision,
          a.person ? a.by : `${a.by} (not a person)`,
          a.via,
        ]),
      );
    case 'denials':
      return table(
        ['when', 'session', 'action', 'rule', 'reason'],
        e.denials.map((d) => [
          when(d.time),
          { mono: d.session },
          { mono: d.action },
          { mono: d.rules.join(', ') || 'no rule grants it' },
          d.reason,
        ]),
      );
    case 'network':
      return html`<h3>Allowed hosts</h3>${table(
        ['host:port', 'requests'],
        e.network.allowed.map((h) => [{ mono: h.host }, h.requests]),
      )}
<h3>Refused connections</h3>${table(
        ['when', 'session', 'host:port'],
        e.network.refused.map((n) => [when(n.time), { mono: n.session }, { mono: n.host }]),
      )}`;
    case 'verification':
      return table(
        ['session', 'result', 'records', 'signed digests', 'log'],
        e.verification.map((v) => [
          { mono: v.session },
          v.ok
            ? html`<span class="status ok">intact</span>`
            : html`<span class="status bad">BROKEN: ${v.problem ?? ''}</span>`,
          v.records,
          v.digests,
          { mono: v.log },
        ]),
      );
    case 'keys':
      return html`<p>Logs verified with the public key <span class="mono">${e.keys.verifyingKeyId}</span>.</p>
${table(
  ['key id in the logs\u2019 signed digests', 'sessions'],
  e.keys.logKeyIds.map((k) => [{ mono: k.keyId }, k.sessions]),
)}`;
    case 'sessions':
      return html`${table(
        ['team', 'sessions', 'how they ended'],
        Object.entries(e.sessionsPerTeam).map(([team, t]) => [
          team,
          t.sessions,
          Object.entries(t.statuses)
            .map(([s, n]) => `${s} ${n}`)
            .join(', '),
        ]),
      )}
<h3>Every session</h3>
${table(
  [
    'session',
    'team',
    'status',
    'first record',
    'last record',
    'actions',
    'denied',
    'approvals asked',
    'policy',
  ],
  e.sessions.map((s) => [
    { mono: s.session },
    s.team,
    s.status,
    when(s.first),
    when(s.last),
    s.actions,
    s.denials,
    s.approvals,
    { mono: s.policies.map(short).join('; ') || '(not recorded)' },
  ]),
)}`;
    case 'access':
      if (!e.access)
        return html`<p class="empty">No server records: these are local sessions (warden exec).</p>`;
      return html`${table(
        ['user', 'team', 'role', 'since'],
        e.access.users.map((u) => [{ mono: u.id }, u.team, u.role, when(u.createdAt)]),
      )}
${table(
  ['team', 'policies it may use', 'since'],
  e.access.teams.map((t) => [t.id, t.policies?.join(', ') ?? 'every server policy', when(t.createdAt)]),
)}`;
  }
}

/** The report as one self-contained page: readable on a phone, printable to PDF from a browser. */
export function reportHtml(r: ComplianceReport, signerKeyId: string): string {
  const failed = r.evidence.verification.filter((v) => !v.ok).length;
  const used = [...new Set(r.controls.flatMap((c) => c.evidence))];
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${`Warden evidence: ${r.frameworkTitle}, ${r.period.from} to ${r.period.to}`}</title>
<style>${trustedMarkup(STYLE)}</style></head>
<body><main>
<h1>Evidence for ${r.frameworkTitle}</h1>
<p class="meta">From Warden's audit logs and server records. Every figure below can be checked against the logs themselves (warden audit verify).</p>
<dl class="meta">
<dt>Period</dt><dd>${r.period.from} to ${r.period.to} (end exclusive, UTC)</dd>
<dt>Source</dt><dd class="mono">${r.source}</dd>
<dt>Generated</dt><dd>${r.generatedAt} by Warden ${r.wardenVersion}</dd>
<dt>Signed by</dt><dd class="mono">${signerKeyId} (report.sig.json: DSSE over report.json and report.html)</dd>
<dt>Audit logs</dt><dd>${failed === 0 ? html`<span class="status ok">all ${r.evidence.verification.length} intact</span>` : html`<span class="status bad">${failed} of ${r.evidence.verification.length} BROKEN</span>`}</dd>
</dl>
<h2>Controls</h2>
${r.controls.map(
  (c) => html`<section class="control" id="${`control-${c.id}`}"><h3>${c.id} — ${c.title}</h3>
<p class="asks">${c.asks}</p><p>${c.answer}</p>
<ul class="findings">${c.findings.map((f, i) => html`<li><a href="${`#${c.evidence[i]}`}">${SECTION_TITLES[c.evidence[i] as EvidenceSection]}</a>: ${f}</li>`)}</ul></section>`,
)}
${used.map((id) => html`<h2 id="${id}">${SECTION_TITLES[id]}</h2>${section(id, r)}`)}
<footer>Schema ${r.schema}. The JSON beside this page holds every figure; the signature covers both files.</footer>
</main></body></html>
`;
  return toHtmlString(page);
}
