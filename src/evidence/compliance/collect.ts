import { readFile } from 'node:fs/promises';
import { keyIdOf, verifyAuditBytes } from '../../audit/index.ts';
import type { ApprovalRecord, TaskRecord } from '../../server/task-store.ts';
import { activityOf, type SessionActivity } from '../audit-activity.ts';
import { describeAction } from '../describe.ts';
import {
  CONTROLS,
  type Control,
  type EvidenceSection,
  FRAMEWORK_TITLES,
  type Framework,
} from './controls.ts';

/** What a server's data directory holds besides the logs: tasks, approvals, people, policies. */
export interface ServerRecords {
  tasks: TaskRecord[];
  approvals: ApprovalRecord[];
  users: Array<{ id: string; team: string; role: string; createdAt: string }>;
  teams: Array<{ id: string; policies: string[] | undefined; createdAt: string }>;
  /** server.yaml's policies: name → file and the digest of what the file holds now. */
  policies: Array<{ name: string; file: string; digest?: string; problem?: string }>;
}

export interface ReportInput {
  framework: Framework;
  from: string;
  /** Exclusive. */
  to: string;
  logs: readonly string[];
  publicKey: string;
  server: ServerRecords | undefined;
  source: string;
  wardenVersion: string;
}

export interface ApprovalEvidence {
  session: string;
  team: string;
  time: string;
  tool: string;
  what: string;
  decision: string;
  by: string;
  person: boolean;
  via: 'server' | 'log';
}

export interface ComplianceReport {
  schema: 'warden.compliance-report/v1';
  framework: Framework;
  frameworkTitle: string;
  period: { from: string; to: string };
  generatedAt: string;
  source: string;
  wardenVersion: string;
  controls: Array<Control & { findings: string[] }>;
  evidence: {
    sessions: Array<{
      session: string;
      team: string;
      status: string;
      first: string;
      last: string;
      actions: number;
      denials: number;
      approvals: number;
      policies: string[];
    }>;
    sessionsPerTeam: Record<string, { sessions: number; statuses: Record<string, number> }>;
    policies: {
      inForce: Array<{
        source: string;
        digest: string;
        firstSeen: string;
        lastSeen: string;
        sessions: number;
      }>;
      changes: Array<{ time: string; source: string; from: string; to: string; session: string }>;
      configured: ServerRecords['policies'];
    };
    approvals: ApprovalEvidence[];
    denials: Array<{ session: string; time: string; action: string; rules: string[]; reason: string }>;
    network: {
      allowed: Array<{ host: string; requests: number }>;
      refused: Array<{ session: string; time: string; host: string }>;
    };
    verification: Array<{
      session: string;
      log: string;
      ok: boolean;
      records: number;
      digests: number;
      problem?: string;
    }>;
    keys: { verifyingKeyId: string; logKeyIds: Array<{ keyId: string; sessions: number }> };
    access: { users: ServerRecords['users']; teams: ServerRecords['teams'] } | undefined;
  };
}

const inPeriod = (time: string | undefined, from: string, to: string) =>
  time !== undefined && time >= from && time < to;

/** The evidence of the period, from the logs (each verified) and the server's records, mapped to the framework's controls. */
export async function collectReport(input: ReportInput): Promise<ComplianceReport> {
  const { from, to } = input;
  const teamOf = new Map((input.server?.tasks ?? []).map((t) => [t.id, t.team]));
  const team = (session: string) => teamOf.get(session) ?? 'local';
  const read = await Promise.all(
    input.logs.map(async (file) => {
      const bytes = await readFile(file);
      return { file, bytes, activity: activityOf(bytes.toString('utf8'), file) };
    }),
  );
  // A session belongs to the period when any of its records does.
  const chosen = read.filter(({ activity }) => (activity.first ?? '') < to && (activity.last ?? '') >= from);
  const activities: SessionActivity[] = chosen.map((c) => c.activity);

  const verification = chosen.map(({ file, bytes, activity }) => {
    const result = verifyAuditBytes(bytes, { publicKey: input.publicKey, session: activity.session });
    return result.ok
      ? { session: activity.session, log: file, ok: true, records: result.records, digests: result.digests }
      : {
          session: activity.session,
          log: file,
          ok: false,
          records: result.records,
          digests: 0,
          problem: result.message,
        };
  });

  const denials = activities
    .flatMap((a) =>
      a.actions
        .filter((o) => o.decision === 'deny' && o.tool !== 'network' && inPeriod(o.time, from, to))
        .map((o) => ({
          session: o.session,
          time: o.time,
          action: describeAction(o.action),
          rules: o.policies,
          reason: o.reason,
        })),
    )
    .sort((a, b) => a.time.localeCompare(b.time));
  const connections = activities.flatMap((a) =>
    a.actions.filter((o) => o.tool === 'network' && inPeriod(o.time, from, to)),
  );
  const allowedHosts = new Map<string, number>();
  for (const c of connections)
    if (c.decision === 'allow') {
      const host = describeAction(c.action).slice('net: '.length);
      allowedHosts.set(host, (allowedHosts.get(host) ?? 0) + 1);
    }

  const approvals = approvalsOf(activities, input.server?.approvals ?? [], team, from, to);
  const policies = policyHistory(activities);
  const keyIds = new Map<string, number>();
  for (const a of activities) for (const k of a.keyIds) keyIds.set(k, (keyIds.get(k) ?? 0) + 1);

  const sessions = activities.map((a) => ({
    session: a.session,
    team: team(a.session),
    status: a.status ?? 'unfinished',
    first: a.first ?? '',
    last: a.last ?? '',
    actions: a.actions.length,
    denials: a.actions.filter((o) => o.decision === 'deny').length,
    approvals: a.approvals.length,
    policies: [...new Set(a.policies.map((p) => `${p.source} ${p.digest}`))],
  }));
  const sessionsPerTeam: ComplianceReport['evidence']['sessionsPerTeam'] = {};
  for (const s of sessions) {
    const entry = sessionsPerTeam[s.team] ?? { sessions: 0, statuses: {} };
    entry.sessions += 1;
    entry.statuses[s.status] = (entry.statuses[s.status] ?? 0) + 1;
    sessionsPerTeam[s.team] = entry;
  }

  const evidence: ComplianceReport['evidence'] = {
    sessions,
    sessionsPerTeam,
    policies: { ...policies, configured: input.server?.policies ?? [] },
    approvals,
    denials,
    network: {
      allowed: [...allowedHosts]
        .map(([host, requests]) => ({ host, requests }))
        .sort((a, b) => b.requests - a.requests),
      refused: connections
        .filter((c) => c.decision !== 'allow')
        .map((c) => ({
          session: c.session,
          time: c.time,
          host: describeAction(c.action).slice('net: '.length),
        })),
    },
    verification,
    keys: {
      verifyingKeyId: keyIdOf(input.publicKey),
      logKeyIds: [...keyIds].map(([keyId, n]) => ({ keyId, sessions: n })),
    },
    access: input.server ? { users: input.server.users, teams: input.server.teams } : undefined,
  };
  return {
    schema: 'warden.compliance-report/v1',
    framework: input.framework,
    frameworkTitle: FRAMEWORK_TITLES[input.framework],
    period: { from, to },
    generatedAt: new Date().toISOString(),
    source: input.source,
    wardenVersion: input.wardenVersion,
    controls: CONTROLS[input.framework].map((control) => ({
      ...control,
      findings: control.evidence.map((section) => finding(section, evidence)),
    })),
    evidence,
  };
}

/** The server's approvals (who decided, in which scope), and the logs' for sessions the server did not run. */
function approvalsOf(
  activities: readonly SessionActivity[],
  stored: readonly ApprovalRecord[],
  team: (session: string) => string,
  from: string,
  to: string,
): ApprovalEvidence[] {
  const out: ApprovalEvidence[] = stored
    .filter((a) => inPeriod(a.createdAt, from, to))
    .map((a) => ({
      session: a.taskId,
      team: a.team,
      time: a.decidedAt ?? a.createdAt,
      tool: a.tool,
      what: a.summary,
      decision:
        a.status === 'allowed' ? `allow${a.scope === 'session' ? ' (for the session)' : ''}` : a.status,
      by: a.decidedBy ?? '—',
      person: a.decidedBy !== undefined,
      via: 'server' as const,
    }));
  const onServer = new Set(stored.map((a) => `${a.taskId}\n${a.callId}`));
  for (const a of activities)
    for (const e of a.approvals)
      if (!onServer.has(`${e.session}\n${e.callId}`) && inPeriod(e.requested, from, to))
        out.push({
          session: e.session,
          team: team(e.session),
          time: e.resolved ?? e.requested,
          tool: e.tool,
          what: e.reason,
          decision: e.decision ?? 'unanswered',
          by: e.by ?? '—',
          person: e.person === true,
          via: 'log',
        });
  return out.sort((a, b) => a.time.localeCompare(b.time));
}

/** Which policy (by digest) was in force when, and each change of a named policy's digest. */
function policyHistory(activities: readonly SessionActivity[]) {
  const loads = activities
    .flatMap((a) => a.policies.map((p) => ({ ...p, session: a.session })))
    .sort((a, b) => a.time.localeCompare(b.time));
  const inForce = new Map<
    string,
    { source: string; digest: string; firstSeen: string; lastSeen: string; sessions: Set<string> }
  >();
  const last = new Map<string, string>();
  const changes: ComplianceReport['evidence']['policies']['changes'] = [];
  for (const load of loads) {
    const key = `${load.source}\n${load.digest}`;
    const entry = inForce.get(key) ?? {
      source: load.source,
      digest: load.digest,
      firstSeen: load.time,
      lastSeen: load.time,
      sessions: new Set(),
    };
    entry.lastSeen = load.time;
    entry.sessions.add(load.session);
    inForce.set(key, entry);
    const before = last.get(load.source);
    if (before !== undefined && before !== load.digest)
      changes.push({
        time: load.time,
        source: load.source,
        from: before,
        to: load.digest,
        session: load.session,
      });
    last.set(load.source, load.digest);
  }
  return {
    inForce: [...inForce.values()].map(({ sessions, ...rest }) => ({ ...rest, sessions: sessions.size })),
    changes,
  };
}

function finding(section: EvidenceSection, e: ComplianceReport['evidence']): string {
  const bad = e.verification.filter((v) => !v.ok).length;
  switch (section) {
    case 'policies':
      return `${e.policies.inForce.length} policy version(s) in force across ${e.sessions.length} session(s); ${e.policies.changes.length} change(s) in the period`;
    case 'approvals': {
      const people = new Set(e.approvals.filter((a) => a.person).map((a) => a.by));
      return `${e.approvals.length} approval(s) asked; ${e.approvals.filter((a) => a.decision.startsWith('allow')).length} allowed, by ${people.size} person(s)`;
    }
    case 'denials':
      return `${e.denials.length} action(s) denied by policy, each with the rule that denied it`;
    case 'network':
      return `${e.network.allowed.reduce((n, h) => n + h.requests, 0)} connection(s) to ${e.network.allowed.length} allowed host(s); ${e.network.refused.length} refused`;
    case 'verification':
      return bad === 0
        ? `all ${e.verification.length} audit log(s) of the period verified intact`
        : `${bad} of ${e.verification.length} audit log(s) FAILED verification`;
    case 'keys':
      return `logs signed under ${e.keys.logKeyIds.map((k) => k.keyId).join(', ') || 'no key'}; verified with ${e.keys.verifyingKeyId}`;
    case 'sessions':
      return `${e.sessions.length} session(s) in ${Object.keys(e.sessionsPerTeam).length} team(s)`;
    case 'access':
      return e.access
        ? `${e.access.users.length} user(s) in ${e.access.teams.length} team(s), each with one role`
        : 'no server records (local sessions only)';
  }
}
