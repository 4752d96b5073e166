import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { type EvalStore, sqliteEvalStore } from './store.ts';
import type { EvalInstance, TrialResult } from './types.ts';

const instance = (id: string): EvalInstance => ({
  id,
  repository: '/repos/x',
  baseCommit: undefined,
  problemStatement: 'the sum is wrong',
  testPatch: 'diff --git a/t b/t\n',
  failToPass: ['t1'],
  passToPass: ['t2'],
  setup: undefined,
  testCommand: 'true {tests}',
  timeoutSeconds: 60,
});

const result = (outcome: TrialResult['outcome']): TrialResult => ({
  outcome,
  tests: [],
  sessionId: 's1',
  agentStatus: 'finished',
  inputTokens: 10,
  outputTokens: 5,
  cost: undefined,
  wallMs: 100,
  turns: 2,
  toolCalls: 1,
  asks: 0,
  denials: 0,
  guardFlags: 0,
  diffStat: { files: 1, added: 1, removed: 1 },
});

describe('the evaluation store', () => {
  let dir: string;
  let store: EvalStore;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-evals-'));
    store = sqliteEvalStore(join(dir, 'evals.db'));
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const newRun = (ids: string[], contestants = 2, repeats = 2) =>
    store.createRun(
      {
        suite: { name: 's', file: '/s.jsonl', digest: 'd', instances: ids.length },
        contestants: Array.from({ length: contestants }, (_, i) => ({ agent: 'warden', model: `m${i}` })),
        repeats,
        policy: { name: 'default', digest: 'p' },
        createdBy: 'me',
        team: undefined,
      },
      ids.map(instance),
    );

  it('makes one queued trial per instance × contestant × repeat, and keeps the instances', async () => {
    const run = await newRun(['a', 'b', 'c']);
    const trials = await store.trials(run.id);
    assert.equal(trials.length, 3 * 2 * 2);
    assert.ok(trials.every((trial) => trial.status === 'queued' && trial.attempts === 0));
    assert.deepEqual(
      (await store.instances(run.id)).map((i) => i.id),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(await store.instanceIds(run.id), ['a', 'b', 'c']);
    assert.deepEqual(await store.getRun(run.id), run);
    assert.equal((await store.findRun(run.id.slice(0, -2)))?.id, run.id);
  });

  it('stores a result once: a second finish (a duplicate delivery) changes nothing', async () => {
    const run = await newRun(['a']);
    const key = { instanceId: 'a', contestant: 1, repeat: 0 };
    assert.deepEqual(await store.startTrial(run.id, key), { attempt: 1, abandonedSession: undefined });
    assert.equal(await store.finishTrial(run.id, key, result('resolved')), true);
    assert.equal(await store.finishTrial(run.id, key, result('broken')), false);
    assert.equal(await store.startTrial(run.id, key), undefined, 'a done trial is never started again');
    const trial = (await store.trials(run.id)).find((t) => t.contestant === 1 && t.repeat === 0);
    assert.equal(trial?.result?.outcome, 'resolved');
    assert.equal(trial?.status, 'done');
  });

  it('puts trials a dead process left running back on the queue, counting attempts', async () => {
    const run = await newRun(['a', 'b'], 1, 1);
    const key = { instanceId: 'a', contestant: 0, repeat: 0 };
    await store.startTrial(run.id, key);
    await store.noteSession(run.id, key, 's-first');
    assert.deepEqual(await store.unfinishedRuns().then((ids) => ids.includes(run.id)), true);
    assert.equal(await store.requeueRunning(run.id), 1);
    // The second attempt is told of the session the first one left open, to close it.
    assert.deepEqual(await store.startTrial(run.id, key), { attempt: 2, abandonedSession: 's-first' });
  });

  it("counts a team's graded trials toward its spend, and no other team's", async () => {
    const teamRun = await store.createRun(
      {
        suite: { name: 's', file: '/s.jsonl', digest: 'd', instances: 1 },
        contestants: [{ agent: 'warden', model: 'm' }],
        repeats: 2,
        policy: { name: 'default', digest: 'p' },
        createdBy: 'me',
        team: 'red',
      },
      [instance('a')],
    );
    assert.deepEqual(await store.teamSpend('red'), { tokens: 0, cost: 0 });
    await store.finishTrial(
      teamRun.id,
      { instanceId: 'a', contestant: 0, repeat: 0 },
      { ...result('resolved'), cost: 0.25 },
    );
    await store.finishTrial(teamRun.id, { instanceId: 'a', contestant: 0, repeat: 1 }, result('unresolved'));
    assert.deepEqual(await store.teamSpend('red'), { tokens: 30, cost: 0.25 });
    assert.deepEqual(await store.teamSpend('blue'), { tokens: 0, cost: 0 });
  });

  it('finds a run by prefix only when the prefix is unique, and treats LIKE wildcards as text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('%', '_', 'e%', 'e_', '\\'), async (prefix) => {
        assert.equal(await store.findRun(prefix), undefined);
      }),
    );
  });
});
