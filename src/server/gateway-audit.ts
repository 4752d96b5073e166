/**
 * The gateway's audit log: one signed, hash-chained log per server, `<data>/audit/gateway.audit.jsonl`,
 * beside the tasks' logs and signed with the same key. One `gateway.call` record per request —
 * who (key id, owner, team), which model, tokens, cost, duration, status — never prompt or answer text.
 * MCP calls through /mcp are recorded here too (`mcp.*`, see server-mcp.ts), their arguments sealed.
 */
import { readFile } from 'node:fs/promises';
import { type AuditKeys, auditKeysOf } from '../audit/audit-keys.ts';
import {
  type AuditEncryption,
  type AuditLog,
  type AuditRecord,
  DIGEST_TYPE,
  type Durability,
  openAuditLog,
  verifyAuditBytes,
} from '../audit/index.ts';
import type { GatewayCall } from '../gateway/index.ts';

/** The log's name: its file is `gateway.audit.jsonl`, which no task id can take (tasks start with `t`). */
export const GATEWAY_LOG = 'gateway';

export type GatewayAuditCheck =
  | { ok: true; records: number; digests: number; open: boolean }
  | { ok: false; firstBad: { seq?: number; line: number; check: string }; message: string };

export interface GatewayAudit {
  file: string;
  /** Appends the call's record; never throws (a failure is logged: the answer has gone out). */
  record(call: GatewayCall): void;
  /** Appends a record and resolves once it is on disk; rejects when it could not be written. */
  write(type: string, data: unknown): Promise<void>;
  /** Appends a record; never throws (a failure is logged). */
  append(type: string, data: unknown): void;
  /** The log checked as `warden audit verify` does; see `verify` below for a log still being written. */
  verify(): Promise<GatewayAuditCheck>;
  /** Writes the final signed digest. */
  close(): Promise<void>;
}

/** What one call becomes: the call's own fields; a provider's error text is left out, it may quote the prompt. */
export function gatewayRecord(call: GatewayCall): Record<string, unknown> {
  const error =
    call.error === undefined
      ? undefined
      : call.error.code.startsWith('gateway.')
        ? call.error
        : { code: call.error.code };
  return {
    id: call.id,
    time: call.time,
    api: call.api,
    keyId: call.keyId ?? null,
    owner: call.owner ?? null,
    team: call.team ?? null,
    requestedModel: call.requestedModel ?? null,
    model: call.model ?? null,
    stream: call.stream,
    status: call.status,
    ...(error === undefined ? {} : { error }),
    usage: call.usage,
    cost: call.cost ?? null,
    ...(call.estimated === true ? { estimated: true } : {}),
    durationMs: call.durationMs,
    attempts: call.attempts,
  };
}

export async function openGatewayAudit(options: {
  dir: string;
  keyDir: string;
  keys?: AuditKeys;
  /** What the server routes, written first so the log says what its calls could reach. */
  routes: string[];
  /** The MCP servers /mcp reaches, when it is on. */
  mcpServers?: string[];
  /** Seals the payloads of these record types (MCP call arguments). */
  encryption?: AuditEncryption;
  /** Default `group`: a record awaited with `write` is on disk when it resolves. */
  durability?: Durability;
  log: (line: string) => void;
}): Promise<GatewayAudit> {
  const log: AuditLog = await openAuditLog({
    dir: options.dir,
    session: GATEWAY_LOG,
    signer: await auditKeysOf(options).signer(),
    ...(options.encryption ? { encryption: options.encryption } : {}),
    ...(options.durability ? { durability: options.durability } : {}),
  });
  let last: AuditRecord = await log.append('gateway.opened', {
    pid: process.pid,
    routes: options.routes,
    ...(options.mcpServers ? { mcpServers: options.mcpServers } : {}),
  });
  const pending = new Set<Promise<unknown>>();
  let closed = false;
  // Held while verify reads the file, so it never reads a record half written.
  let gate: Promise<unknown> = Promise.resolve();

  const write = (type: string, data: unknown): Promise<void> => {
    const written = gate
      .then(() => log.append(type, data))
      .then((record) => {
        if (record.seq > last.seq) last = record;
      });
    const tracked: Promise<unknown> = written.catch(() => {}).finally(() => pending.delete(tracked));
    pending.add(tracked);
    return written;
  };
  const append = (type: string, data: unknown) => {
    write(type, data).catch((error: Error) =>
      options.log(`gateway audit: a record was not written: ${error.message}`),
    );
  };

  return {
    file: log.file,
    record: (call) => append('gateway.call', gatewayRecord(call)),
    write,
    append,
    /**
     * A log this server still writes has no final digest yet, which `warden audit verify` calls
     * truncated. It passes here (`open: true`) only when everything on disk verifies and ends at
     * the last record this process wrote (digests after it aside): so a cut tail is still caught.
     */
    async verify() {
      const before = [...pending];
      let release = () => {};
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let bytes: Buffer;
      try {
        await Promise.all(before);
        bytes = await readFile(log.file);
      } finally {
        release();
      }
      const publicKey = await auditKeysOf(options).publicKey();
      const result = verifyAuditBytes(bytes, { publicKey, session: GATEWAY_LOG });
      const lines = bytes.toString('utf8').split('\n').filter(Boolean);
      const digests = lines.filter((line) => line.includes(`"type":"${DIGEST_TYPE}"`)).length;
      if (result.ok) return { ok: true, records: result.records, digests: result.digests, open: false };
      const live =
        !closed &&
        result.firstBad.check === 'truncated' &&
        result.validBytes === bytes.length &&
        endsAt(lines, last);
      if (live) return { ok: true, records: result.records, digests, open: true };
      return { ok: false, firstBad: result.firstBad, message: result.message };
    },
    async close() {
      closed = true;
      await Promise.all(pending);
      await log.close();
    },
  };
}

/** Whether the verified lines hold `last` as written and nothing after it but digests. */
function endsAt(lines: string[], last: AuditRecord): boolean {
  const records = lines.map((line) => JSON.parse(line) as AuditRecord);
  const index = records.findIndex((record) => record.seq === last.seq);
  return (
    index >= 0 &&
    records[index]?.hash === last.hash &&
    records.slice(index + 1).every((record) => record.type === DIGEST_TYPE)
  );
}
