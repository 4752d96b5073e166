import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Report, WardenEvent } from '../agent/events.ts';
import { SessionStore } from './session-store.ts';

const usage = { inputTokens: 1, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0 };

test('a session survives closing the store: checkpoint, events, report', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'warden-store-'));
  try {
    const store = SessionStore.open(join(dir, '.warden'));
    store.create({ id: 's1-abc', task: 'fix it', model: 'script:x.json', repo: dir });
    store.checkpoint('s1-abc', {
      messages: [{ role: 'user', text: 'fix it' }],
      turns: 1,
      usage,
      cost: undefined,
      lastSeq: 2,
    });
    const event = {
      v: 1,
      session: 's1-abc',
      seq: 1,
      time: 't',
      type: 'session.started',
      task: 'fix it',
      model: 'm',
      repo: dir,
    };
    store.appendEvent(event as WardenEvent);
    store.close();

    const again = SessionStore.open(join(dir, '.warden'));
    assert.equal(again.get('s1-abc')?.status, 'running');
    assert.equal(again.find('s1-')?.id, 's1-abc', 'found by unique prefix');
    assert.deepEqual(again.loadCheckpoint('s1-abc')?.messages, [{ role: 'user', text: 'fix it' }]);
    assert.deepEqual(again.events('s1-abc'), [event]);
    const report = { status: 'finished', reason: 'done' } as Report;
    again.finish('s1-abc', report);
    assert.equal(again.list()[0]?.status, 'finished');
    assert.deepEqual(again.get('s1-abc')?.report, report);
    again.close();
    assert.equal(await readFile(join(dir, '.warden', '.gitignore'), 'utf8'), '*\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an ambiguous prefix is an error, a LIKE wildcard is not a prefix', () => {
  const store = SessionStore.memory();
  store.create({ id: 'sa-1', task: 't', model: 'm', repo: '/r' });
  store.create({ id: 'sa-2', task: 't', model: 'm', repo: '/r' });
  assert.throws(() => store.find('sa-'), { code: 'session.ambiguous' });
  assert.equal(store.find('%'), undefined);
  assert.equal(store.find('sa_1'), undefined);
});

test('event sequence numbers are unique per session', () => {
  const store = SessionStore.memory();
  store.create({ id: 's', task: 't', model: 'm', repo: '/r' });
  const event = { v: 1, session: 's', seq: 1, time: 't', type: 'limit.reached' } as unknown as WardenEvent;
  store.appendEvent(event);
  assert.throws(() => store.appendEvent(event));
});

test('eventsAfter pages through a session in order, from after a sequence number', () => {
  const store = SessionStore.memory();
  store.create({ id: 's2', task: 't', model: 'm', repo: '/r' });
  for (let seq = 1; seq <= 5; seq++) {
    store.appendEvent({
      v: 1,
      session: 's2',
      seq,
      time: 't',
      type: 'tool.progress',
    } as unknown as WardenEvent);
  }
  assert.deepEqual(
    store.eventsAfter('s2', 1, 2).map((e) => e.seq),
    [2, 3],
  );
  assert.deepEqual(
    store.eventsAfter('s2', 3, 100).map((e) => e.seq),
    [4, 5],
  );
  assert.deepEqual(store.eventsAfter('s2', 5, 100), []);
  assert.deepEqual(store.eventsAfter('nope', 0, 100), []);
  store.close();
});
