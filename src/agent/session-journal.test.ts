import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  type AuditRecord,
  type AuditStorage,
  createLocalKeyWrapper,
  createLocalSigner,
  fileStorage,
  openAuditLog,
  verifyAuditLog,
} from '../audit/index.ts';
import { type SessionState, sessionStateOf } from '../store/session-state.ts';
import { SessionStore } from '../store/session-store.ts';
import { createAuditRecorder } from './audit-recorder.ts';
import type { WardenEvent } from './events.ts';
import { createSessionJournal, replayUnaudited } from './session-journal.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'warden-journal-'));
});
after(async () => rm(root, { recursive: true, force: true }));

const event = (seq: number, type = 'model.request'): WardenEvent =>
  ({ v: 1, session: 's', seq, time: '2025-01-01T00:00:00.000Z', type, turn: seq }) as unknown as WardenEvent;

async function openLog(dir: string, opened: AuditStorage[] = []) {
  const keyDir = join(root, 'keys');
  const files = fileStorage(dir);
  return openAuditLog({
    dir,
    session: 's',
    signer: await createLocalSigner({ keyDir }),
    encryption: { wrapper: await createLocalKeyWrapper({ keyDir }) },
    storage: async (session) => {
      const storage = await files(session);
      opened.push(storage);
      return storage;
    },
  });
}

test('each event is stored, then audited, then shown; a checkpoint follows the events before it', async () => {
  const order: string[] = [];
  const store = sessionStateOf(SessionStore.memory());
  await store.create({ id: 's', task: 't', model: 'm', repo: '/r' });
  const state: SessionState = {
    ...store,
    appendEvents: async (events) => {
      order.push(`store ${events.map((e) => e.seq).join(',')}`);
      await store.appendEvents(events);
    },
    checkpoint: async (_id, checkpoint) => {
      order.push(`checkpoint ${checkpoint.lastSeq}`);
    },
  };
  const recorder = {
    auditedThrough: 0,
    sink: (e: WardenEvent) => order.push(`audit ${e.seq}`),
    durable: async () => undefined,
    close: async () => undefined,
  };
  const journal = createSessionJournal({
    state,
    sessionId: 's',
    recorder,
    stored: [(e) => order.push(`shown ${e.seq}`)],
  });
  journal.sink(event(1));
  journal.sink(event(2));
  journal.checkpoint({ messages: [], turns: 1, usage: {} as never, cost: undefined, lastSeq: 2 });
  journal.sink(event(3));
  await journal.durable();
  // Event 3 joins the batch still waiting to be written: later events may go before a checkpoint,
  // earlier ones never after it.
  assert.deepEqual(order, [
    'store 1,2,3',
    'audit 1',
    'shown 1',
    'audit 2',
    'shown 2',
    'audit 3',
    'shown 3',
    'checkpoint 2',
  ]);
});

test('after a failed write nothing more is stored or shown, and durable() says so', async () => {
  const store = sessionStateOf(SessionStore.memory());
  await store.create({ id: 's', task: 't', model: 'm', repo: '/r' });
  let fail = false;
  const state: SessionState = {
    ...store,
    appendEvents: async (events) => {
      if (fail) throw new Error('disk full');
      await store.appendEvents(events);
    },
  };
  const shown: number[] = [];
  const journal = createSessionJournal({
    state,
    sessionId: 's',
    recorder: undefined,
    stored: [(e) => shown.push(e.seq)],
  });
  journal.sink(event(1));
  await journal.durable();
  fail = true;
  journal.sink(event(2));
  await assert.rejects(journal.durable(), /disk full/);
  fail = false;
  journal.sink(event(3));
  await assert.rejects(journal.drain(), /disk full/);
  assert.deepEqual(shown, [1]);
  assert.equal(await store.lastSeq('s'), 1, 'no gap: event 3 is not stored after 2 was lost');
});

test('events stored but not yet audited when the process died are audited on resume, once each', async () => {
  const dir = join(root, 'replay');
  const store = sessionStateOf(SessionStore.memory());
  await store.create({ id: 's', task: 't', model: 'm', repo: '/r' });
  const opened: AuditStorage[] = [];
  const first = createAuditRecorder(await openLog(dir, opened));
  assert.equal(first.auditedThrough, 0);
  await store.appendEvents([event(1), event(2, 'tool.finished'), event(3), event(4)]);
  first.sink(event(1));
  first.sink(event(2, 'tool.finished'));
  await first.durable();
  // kill -9 here: events 3 and 4 are stored, the log has 1 and 2 and no final digest.
  await opened.pop()?.close();

  const second = createAuditRecorder(await openLog(dir));
  assert.equal(second.auditedThrough, 2, 'read through the sealed payload of the last record');
  assert.equal(await replayUnaudited(store, 's', second), 2);
  second.sink(event(5));
  await second.close();

  const publicKey = await readFile(join(root, 'keys', 'audit-ed25519.pub.pem'), 'utf8');
  const file = join(dir, 's.audit.jsonl');
  assert.equal((await verifyAuditLog(file, { publicKey })).ok, true);
  const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  const types = lines
    .map((line) => (JSON.parse(line) as AuditRecord).type)
    .filter((t) => !t.startsWith('audit.'));
  assert.deepEqual(types, [
    'model.request',
    'tool.finished',
    'model.request',
    'model.request',
    'model.request',
  ]);
  const replayedSeqs = lines
    .map((line) => JSON.parse(line) as AuditRecord)
    .filter((r) => r.type === 'model.request')
    .map((r) => (r.data as { seq: number }).seq);
  assert.deepEqual(replayedSeqs, [1, 3, 4, 5]);
});
