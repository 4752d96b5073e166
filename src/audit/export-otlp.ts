import { hash } from 'node:crypto';
import { WardenError } from '../errors.ts';
import { type ExportedRecord, type ExportReadOptions, readForExport } from './export-jsonl.ts';

type AnyValue = { stringValue: string } | { intValue: string } | { boolValue: boolean };
export type OtlpAttribute = { key: string; value: AnyValue };
export type OtlpEvent = { timeUnixNano: string; name: string; attributes: OtlpAttribute[] };
export type OtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 1 internal, 3 client (OTLP SpanKind numbers). */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  events: OtlpEvent[];
  /** 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
};
export type OtlpTraces = {
  resourceSpans: {
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[];
  }[];
};

const KIND_INTERNAL = 1;
const KIND_CLIENT = 3;
const STATUS_ERROR = 2;

/** Stable across exports, so sending a session twice gives the collector the same trace, not two. */
export function traceIdOf(session: string): string {
  return hash('sha256', `warden.trace:${session}`).slice(0, 32);
}

function spanIdOf(session: string, name: string): string {
  return hash('sha256', `warden.span:${session}:${name}`).slice(0, 16);
}

function nanos(time: string): string {
  const ms = Date.parse(time);
  return Number.isFinite(ms) ? (BigInt(ms) * 1_000_000n).toString() : '0';
}

function attr(key: string, value: unknown): OtlpAttribute[] {
  if (typeof value === 'string') return [{ key, value: { stringValue: value } }];
  if (typeof value === 'boolean') return [{ key, value: { boolValue: value } }];
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    return [{ key, value: { intValue: String(value) } }];
  }
  return [];
}

/** An encrypted record's content is not ours to send: only the fact that it was encrypted. */
function fields(record: ExportedRecord): Record<string, unknown> {
  const data = record.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return {};
  if ('enc' in data) return { encrypted: true };
  return data as Record<string, unknown>;
}

function nested(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * Turns one session's audit records into OTLP traces following the OpenTelemetry GenAI semantic
 * conventions: a root `invoke_agent warden` span, `chat <model>` per model call, `execute_tool
 * <tool>` per tool call, policy decisions and network requests as span events.
 */
export function auditToOtlp(records: ExportedRecord[]): OtlpTraces {
  const first = records[0];
  const last = records.at(-1);
  if (first === undefined || last === undefined) return { resourceSpans: [] };
  const session = first.session;
  const traceId = traceIdOf(session);
  const rootId = spanIdOf(session, 'root');
  const root: OtlpSpan = {
    traceId,
    spanId: rootId,
    name: 'invoke_agent warden',
    kind: KIND_INTERNAL,
    startTimeUnixNano: nanos(first.time),
    endTimeUnixNano: nanos(last.time),
    attributes: [
      ...attr('gen_ai.operation.name', 'invoke_agent'),
      ...attr('gen_ai.agent.name', 'warden'),
      ...attr('gen_ai.conversation.id', session),
      ...attr(
        'warden.audit.verified',
        records.every((r) => r.verified),
      ),
    ],
    events: [],
    status: { code: 0 },
  };
  const spans: OtlpSpan[] = [root];
  const openChats: OtlpSpan[] = [];
  const tools = new Map<string, OtlpSpan>();
  const openTools = new Set<OtlpSpan>();
  const child = (name: string, kind: number, record: ExportedRecord, attributes: OtlpAttribute[]) => {
    const span: OtlpSpan = {
      traceId,
      spanId: spanIdOf(session, `${record.seq}`),
      parentSpanId: rootId,
      name,
      kind,
      startTimeUnixNano: nanos(record.time),
      endTimeUnixNano: nanos(record.time),
      attributes: [...attributes, ...attr('warden.audit.seq', record.seq)],
      events: [],
      status: { code: 0 },
    };
    spans.push(span);
    return span;
  };

  for (const record of records) {
    const data = fields(record);
    if (data.encrypted === true) root.attributes.push(...attr('warden.audit.encrypted', true));
    switch (record.type) {
      case 'session.started':
        root.attributes.push(...attr('gen_ai.request.model', data.model));
        break;
      case 'model.request': {
        const model = typeof data.model === 'string' ? data.model : 'unknown';
        openChats.push(
          child(`chat ${model}`, KIND_CLIENT, record, [
            ...attr('gen_ai.operation.name', 'chat'),
            ...attr('gen_ai.request.model', model),
          ]),
        );
        break;
      }
      case 'model.response': {
        // Requests and responses alternate within a session; pair with the oldest one still open.
        const span = openChats.shift();
        if (span === undefined) break;
        span.endTimeUnixNano = nanos(record.time);
        span.attributes.push(
          ...attr('gen_ai.usage.input_tokens', nested(data.usage, 'inputTokens')),
          ...attr('gen_ai.usage.output_tokens', nested(data.usage, 'outputTokens')),
        );
        if (typeof data.finishReason === 'string') {
          span.attributes.push({
            key: 'gen_ai.response.finish_reasons',
            value: { stringValue: data.finishReason },
          });
        }
        break;
      }
      case 'tool.started': {
        const tool = typeof data.tool === 'string' ? data.tool : 'unknown';
        const span = child(`execute_tool ${tool}`, KIND_INTERNAL, record, [
          ...attr('gen_ai.operation.name', 'execute_tool'),
          ...attr('gen_ai.tool.name', tool),
          ...attr('gen_ai.tool.call.id', data.callId),
        ]);
        if (typeof data.callId === 'string') tools.set(data.callId, span);
        openTools.add(span);
        break;
      }
      case 'tool.finished': {
        const span = typeof data.callId === 'string' ? tools.get(data.callId) : undefined;
        if (span === undefined) break;
        span.endTimeUnixNano = nanos(record.time);
        openTools.delete(span);
        if (data.ok === false) span.status = { code: STATUS_ERROR, message: 'tool failed' };
        break;
      }
      case 'policy.decided': {
        // Decided before the tool starts, so it is an event of the session, naming the call.
        root.events.push({
          timeUnixNano: nanos(record.time),
          name: 'warden.policy.decided',
          attributes: [
            ...attr('gen_ai.tool.call.id', data.callId),
            ...attr('gen_ai.tool.name', data.tool),
            ...attr('warden.policy.decision', data.decision),
            ...attr('warden.policy.reason', data.reason),
          ],
        });
        break;
      }
      case 'net.request': {
        // A request made while a tool runs is that tool's doing (the proxy does not know the call id).
        ([...openTools].at(-1) ?? root).events.push({
          timeUnixNano: nanos(record.time),
          name: 'warden.net.request',
          attributes: [
            ...attr('server.address', data.host),
            ...attr('server.port', data.port),
            ...attr('http.request.method', data.method),
            ...attr('warden.net.allowed', data.allowed),
            ...attr('warden.net.bytes', data.bytes),
          ],
        });
        break;
      }
    }
  }
  return {
    resourceSpans: [
      {
        resource: { attributes: [...attr('service.name', 'warden')] },
        scopeSpans: [{ scope: { name: 'warden.audit' }, spans }],
      },
    ],
  };
}

export type OtlpExportOptions = ExportReadOptions & {
  /** The collector's base URL; traces go to `<endpoint>/v1/traces`. */
  endpoint: string;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
};

/** Verifies the log (see readForExport), converts it and POSTs it as OTLP/HTTP JSON. */
export async function exportOtlp(file: string, options: OtlpExportOptions): Promise<{ spans: number }> {
  const { records } = await readForExport(file, options);
  const traces = auditToOtlp(records);
  const url = `${options.endpoint.replace(/\/+$/, '')}/v1/traces`;
  const send = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(traces),
    });
  } catch (error) {
    throw new WardenError(
      'audit.export_failed',
      `cannot reach the OTLP collector: ${(error as Error).message}`,
      {
        where: url,
        cause: error,
      },
    );
  }
  if (!response.ok) {
    const body = (await response.text()).slice(0, 200);
    throw new WardenError('audit.export_failed', `the OTLP collector answered ${response.status}: ${body}`, {
      where: url,
    });
  }
  return { spans: traces.resourceSpans[0]?.scopeSpans[0]?.spans.length ?? 0 };
}
