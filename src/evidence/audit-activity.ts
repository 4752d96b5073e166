import { readFile } from 'node:fs/promises';
import { DIGEST_TYPE } from '../audit/record.ts';
import { fileProblem, WardenError } from '../errors.ts';
import type { RecordedAction } from '../policy/recorded-action.ts';
import type { Verdict } from '../policy/types.ts';

/** One action a session's policy judged, as its audit log tells it, with a person's answer if asked. */
export interface ObservedAction {
  session: string;
  seq: number;
  time: string;
  callId: string;
  tool: string;
  action: RecordedAction;
  decision: Verdict;
  policies: string[];
  reason: string;
  /** The answer to an `ask`: who gave it, and whether it was a person. */
  approval?: { decision: 'allow' | 'deny'; by: string; person: boolean };
}

export interface ApprovalEvent {
  session: string;
  callId: string;
  tool: string;
  reason: string;
  requested: string;
  resolved?: string;
  decision?: 'allow' | 'deny';
  by?: string;
  person?: boolean;
}

export interface SessionActivity {
  session: string;
  /** Where the log was read from. */
  where: string;
  first: string | undefined;
  last: string | undefined;
  actions: ObservedAction[];
  /** Decisions recorded without the action (logs written before Warden kept it). */
  undescribed: number;
  approvals: ApprovalEvent[];
  policies: Array<{ source: string; digest: string; time: string }>;
  keyIds: string[];
  /** How the session ended (`finished`, `failed`, …), if it did. */
  status: string | undefined;
  records: number;
}

/** Answers no person gave: `--approvals deny` in a headless run, or a task stopped while it waited. */
const NOT_A_PERSON = /^(headless|nobody\b)/;

/** Reads a log's records in order; lines that are not JSON are skipped (verify names them). */
export async function readActivity(file: string): Promise<SessionActivity> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new WardenError('evidence.read', `cannot read the audit log ${file}: it ${fileProblem(error)}`, {
      hint: 'pass audit log files (*.audit.jsonl) or the directories that hold them',
    });
  }
  return activityOf(text, file);
}

export function activityOf(text: string, where: string): SessionActivity {
  const activity: SessionActivity = {
    session: '',
    where,
    first: undefined,
    last: undefined,
    actions: [],
    undescribed: 0,
    approvals: [],
    policies: [],
    keyIds: [],
    status: undefined,
    records: 0,
  };
  const open = new Map<string, ApprovalEvent>();
  for (const line of text.split('\n')) {
    const record = parse(line);
    if (!record) continue;
    activity.records += 1;
    activity.session ||= record.session;
    activity.first ??= record.time;
    activity.last = record.time;
    observe(activity, record, open);
  }
  return activity;
}

type Row = { seq: number; time: string; session: string; type: string; data: Record<string, unknown> };

function parse(line: string): Row | undefined {
  if (!line.trim()) return undefined;
  try {
    const r = JSON.parse(line) as Partial<Row>;
    if (typeof r.type !== 'string' || typeof r.session !== 'string' || typeof r.time !== 'string')
      return undefined;
    const data = typeof r.data === 'object' && r.data !== null ? r.data : {};
    return { seq: Number(r.seq), time: r.time, session: r.session, type: r.type, data };
  } catch {
    return undefined;
  }
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function observe(activity: SessionActivity, r: Row, open: Map<string, ApprovalEvent>): void {
  const d = r.data;
  switch (r.type) {
    case 'policy.decided': {
      const action = d.action as RecordedAction | undefined;
      if (!action || typeof action !== 'object' || typeof action.kind !== 'string') {
        activity.undescribed += 1;
        return;
      }
      activity.actions.push({
        session: r.session,
        seq: r.seq,
        time: r.time,
        callId: text(d.callId),
        tool: text(d.tool),
        action,
        decision: d.decision as Verdict,
        policies: Array.isArray(d.policies) ? d.policies.map(String) : [],
        reason: text(d.reason),
      });
      return;
    }
    case 'net.request':
      // The egress proxy decides by network.allow alone: its record is the decision.
      activity.actions.push({
        session: r.session,
        seq: r.seq,
        time: r.time,
        callId: '',
        tool: 'network',
        action: { kind: 'net.connect', host: text(d.host), port: Number(d.port) },
        decision: d.allowed === true ? 'allow' : 'deny',
        policies: d.allowed === true ? ['network.allow'] : [],
        reason: `${text(d.method)} ${text(d.host)}:${String(d.port)} ${d.allowed === true ? 'allowed' : 'refused'} by the egress proxy`,
      });
      return;
    case 'approval.requested': {
      const event = {
        session: r.session,
        callId: text(d.callId),
        tool: text(d.tool),
        reason: text(d.reason),
        requested: r.time,
      };
      activity.approvals.push(event);
      open.set(event.callId, event);
      return;
    }
    case 'approval.resolved': {
      const callId = text(d.callId);
      const decision = d.decision === 'allow' ? 'allow' : 'deny';
      const by = text(d.by);
      const person = !NOT_A_PERSON.test(by);
      const event = open.get(callId);
      if (event) Object.assign(event, { resolved: r.time, decision, by, person });
      open.delete(callId);
      // The answer covers every action of the call the policy asked about.
      for (const action of activity.actions)
        if (action.callId === callId && action.decision === 'ask' && !action.approval)
          action.approval = { decision, by, person };
      return;
    }
    case 'policy.loaded':
      activity.policies.push({ source: text(d.source), digest: text(d.digest), time: r.time });
      return;
    case DIGEST_TYPE:
      if (typeof d.keyId === 'string' && !activity.keyIds.includes(d.keyId)) activity.keyIds.push(d.keyId);
      return;
    case 'session.finished': {
      const report = d.report as { status?: unknown } | undefined;
      activity.status = typeof report?.status === 'string' ? report.status : undefined;
      return;
    }
  }
}
