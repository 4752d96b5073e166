import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sqliteGitHubStore } from './store.ts';

const DAY = 24 * 60 * 60 * 1000;

test('a delivery is taken once: the same id (a redelivery) and the same body under a new id (a replay) are not new', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'github-store-'));
  const store = sqliteGitHubStore(join(dir, 'server.db'));
  try {
    assert.equal(await store.recordDelivery({ id: 'd1', bodySha256: 'a', event: 'issues' }, DAY), 'new');
    assert.equal(await store.recordDelivery({ id: 'd1', bodySha256: 'a', event: 'issues' }, DAY), 'same-id');
    assert.equal(
      await store.recordDelivery({ id: 'd2', bodySha256: 'a', event: 'issues' }, DAY),
      'same-body',
    );
    assert.equal(await store.recordDelivery({ id: 'd1', bodySha256: 'b', event: 'issues' }, DAY), 'same-id');
    // A delivery whose handling failed is forgotten, so GitHub's redelivery is taken.
    await store.forgetDelivery('d1');
    assert.equal(await store.recordDelivery({ id: 'd1', bodySha256: 'a', event: 'issues' }, DAY), 'new');
    // Kept no longer than asked: a delivery older than that is forgotten (its event is refused as stale).
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(await store.recordDelivery({ id: 'd3', bodySha256: 'c', event: 'issues' }, 1), 'new');
    assert.equal(await store.recordDelivery({ id: 'd1', bodySha256: 'a', event: 'issues' }, DAY), 'new');
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('links: the tasks on an issue, and on the pull request one of them opened', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'github-store-'));
  const store = sqliteGitHubStore(join(dir, 'server.db'));
  const link = (taskId: string, issueNumber: number) => ({
    taskId,
    repository: 'acme/api',
    installationId: 1,
    issueNumber,
    trigger: { kind: 'label' as const, sender: 'alice', url: 'u' },
    material: [{ source: 's', content: 'c' }],
    branch: 'warden/issue-7-abc',
    startFrom: 'main',
  });
  try {
    await store.link(link('t1', 7));
    await store.update('t1', { pullNumber: 9, checkRunId: 5 });
    await store.link(link('t2', 9));
    assert.deepEqual(await store.tasksOn('acme/api', 9), ['t1', 't2']);
    assert.deepEqual(await store.tasksOn('acme/api', 7), ['t1']);
    assert.deepEqual(await store.tasksOn('acme/other', 9), []);
    const got = await store.get('t1');
    assert.equal(got?.pullNumber, 9);
    assert.equal(got?.checkRunId, 5);
    assert.deepEqual(got?.material, [{ source: 's', content: 'c' }]);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
