import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVirtualKeys } from './keys.ts';

const USAGE = { inputTokens: 600, outputTokens: 400, cacheReadTokens: 0, cacheWriteTokens: 0 };

describe('virtual keys', () => {
  it('issues wk- keys that verify to their owner, and are kept only as hashes', () => {
    const keys = createVirtualKeys();
    const issued = keys.issue({ owner: 'alice' });
    assert.match(issued.key, /^wk-[A-Za-z0-9_-]{32}$/);
    assert.equal(keys.verify(issued.key)?.owner, 'alice');
    const stored = JSON.stringify(keys.list());
    assert.ok(!stored.includes(issued.key.slice(3)), 'the key itself is not stored');
    assert.equal(keys.list()[0]?.id, issued.id);
  });

  it('refuses missing, unknown, foreign-shaped and revoked keys', () => {
    const keys = createVirtualKeys();
    const { key } = keys.issue({ owner: 'bob' });
    assert.equal(keys.verify(undefined), undefined);
    assert.equal(keys.verify('wk-not-a-key'), undefined);
    assert.equal(keys.verify('sk-ant-real-provider-key'), undefined);
    assert.equal(keys.revoke(key), true);
    assert.equal(keys.verify(key), undefined);
  });

  it('a token budget allows calls until it is spent, then says whose and how much', () => {
    const keys = createVirtualKeys();
    const holder = keys.verify(keys.issue({ owner: 'codex', budget: { tokens: 1500 } }).key);
    assert.ok(holder);
    assert.deepEqual(keys.check(holder), { ok: true });
    keys.charge(holder, USAGE, undefined);
    assert.deepEqual(keys.check(holder), { ok: true });
    keys.charge(holder, USAGE, undefined);
    const check = keys.check(holder);
    assert.equal(check.ok, false);
    assert.match(
      !check.ok ? check.message : '',
      /token budget of codex's key is spent \(2000 of 1500 tokens\)/,
    );
    assert.deepEqual(holder.spent, { tokens: 2000, costUsd: 0, calls: 2 });
  });

  it('a cost budget counts USD; calls to unpriced models cost nothing', () => {
    const keys = createVirtualKeys();
    const holder = keys.verify(keys.issue({ owner: 'claude', budget: { costUsd: 0.01 } }).key);
    assert.ok(holder);
    keys.charge(holder, USAGE, undefined);
    assert.equal(keys.check(holder).ok, true);
    keys.charge(holder, USAGE, 0.012);
    assert.equal(keys.check(holder).ok, false);
  });

  it('starts from stored keys, so a server can persist them', () => {
    const first = createVirtualKeys();
    const { key } = first.issue({ owner: 'carol', budget: { tokens: 10 } });
    const second = createVirtualKeys({ stored: first.list() });
    assert.equal(second.verify(key)?.owner, 'carol');
  });

  it('rejects an empty owner and a negative budget with a clear error', () => {
    const keys = createVirtualKeys();
    assert.throws(() => keys.issue({ owner: ' ' }), /needs an owner/);
    assert.throws(
      () => keys.issue({ owner: 'x', budget: { tokens: -1 } }),
      /budget tokens must be a number ≥ 0/,
    );
  });
});
