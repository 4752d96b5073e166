import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WardenEvent } from '../agent/events.ts';
import { pgSessionState } from './pg-session-state.ts';
import { type SessionState, sessionStateOf } from './session-state.ts';
import { SessionStore } from './session-store.ts';
import { type Backend, onBothBackends } from './testing/both-stores.ts';

const open = async (backend: Backend): Promise<SessionState> =>
  backend.kind === 'sqlite' ? sessionStateOf(SessionStore.memory()) : pgSessionState(await backend.pool());

const event = (session: string, seq: number, type = 'model.request'): WardenEvent =>
  ({ v: 1, session, seq, time: '2025-01-01T00:00:00.000Z', type, turn: seq }) as unknown as WardenEvent;

const checkpoint = {
  messages: [{ role: 'user' as const, text: 'fix it' }],
  turns: 2,
  usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0 },
  cost: 0.5,
  lastSeq: 3,
};

onBothBackends('session state', (backend) => {
  test('a session is created running, checkpointed, finished, and found by a unique prefix', async () => {
    const state = await open(backend);
    await state.create({ id: 's20250101-aaaa', task: 'fix', model: 'script:x', repo: '/r' });
    await state.create({ id: 's20250101-aabb', task: 'fix', model: 'script:x', repo: '/r' });
    assert.equal((await state.get('s20250101-aaaa'))?.status, 'running');
    assert.equal(await state.loadCheckpoint('s20250101-aaaa'), undefined);
    await state.checkpoint('s20250101-aaaa', checkpoint);
    assert.deepEqual(await state.loadCheckpoint('s20250101-aaaa'), checkpoint);
    await state.finish('s20250101-aaaa', { status: 'finished', reason: 'done' } as never);
    const finished = await state.find('s20250101-aaa');
    assert.deepEqual(
      [finished?.id, finished?.status, finished?.report?.reason],
      ['s20250101-aaaa', 'finished', 'done'],
    );
    await assert.rejects(state.find('s20250101-aa'), /more than one session/);
    assert.equal(await state.find('s2024'), undefined);
    await state.markRunning('s20250101-aaaa', 'script:y');
    const again = await state.get('s20250101-aaaa');
    assert.deepEqual([again?.status, again?.model], ['running', 'script:y']);
  });

  test('events are stored in order, paged after a sequence number, and a taken number is refused', async () => {
    const state = await open(backend);
    await state.create({ id: 's1', task: 't', model: 'm', repo: '/r' });
    await state.create({ id: 's2', task: 't', model: 'm', repo: '/r' });
    assert.equal(await state.lastSeq('s1'), 0);
    await state.appendEvents([event('s1', 1), event('s1', 2), event('s1', 3)]);
    await state.appendEvents([event('s2', 1)]);
    assert.equal(await state.lastSeq('s1'), 3);
    assert.deepEqual(
      (await state.eventsAfter('s1', 1, 10)).map((e) => e.seq),
      [2, 3],
    );
    assert.deepEqual(await state.eventsAfter('s1', 0, 1), [event('s1', 1)]);
    await assert.rejects(state.appendEvents([event('s1', 3, 'tool.started')]));
    assert.equal((await state.eventsAfter('s1', 2, 10))[0]?.type, 'model.request', 'the first write stands');
  });
});
