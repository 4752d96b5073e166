import { createHash, randomBytes } from 'node:crypto';
import { WardenError } from '../errors.ts';
import type { Usage } from '../models/types.ts';

/** Limits of one key; a key without a limit on a dimension is unlimited on it. */
export interface KeyBudget {
  /** Input plus output tokens, over the key's life. */
  tokens?: number;
  /** USD, over the key's life. Calls to models without a price cost nothing here. */
  costUsd?: number;
}

export interface KeySpend {
  tokens: number;
  costUsd: number;
  calls: number;
}

/**
 * A key as Warden keeps it: the SHA-256 of the key, never the key, so a leaked store or log
 * hands out nothing usable. `id` is a short prefix of the hash, safe to print and record.
 */
export interface StoredVirtualKey {
  id: string;
  hash: string;
  owner: string;
  /** The team whose budget the key's calls also spend (`warden serve`); none on a standalone gateway. */
  team?: string;
  budget: KeyBudget;
  spent: KeySpend;
}

export interface IssuedKey {
  /** `wk-…`: shown once, to hand to the client. */
  key: string;
  id: string;
  owner: string;
}

export type BudgetCheck = { ok: true } | { ok: false; message: string };

/**
 * What the gateway asks of its keys. In memory (`createVirtualKeys`, for `warden wrap`) each
 * answer is at hand; behind a store (`warden serve`) it may be a promise.
 */
export interface KeyVerifier {
  /** The key's record, or undefined for a missing, unknown or revoked key. */
  verify(key: string | undefined): StoredVirtualKey | undefined | Promise<StoredVirtualKey | undefined>;
  /** Whether the key may start another call. */
  check(holder: StoredVirtualKey): BudgetCheck | Promise<BudgetCheck>;
  /** Adds what a call spent; must not throw (the answer is already on its way). */
  charge(holder: StoredVirtualKey, usage: Usage, cost: number | undefined): void | Promise<void>;
}

/**
 * Virtual keys: what a client (a wrapped agent, a user of `warden serve`) authenticates with
 * instead of a provider key. The provider keys stay in Warden's process; a virtual key only
 * works against this gateway, carries an owner for the audit record, and a budget.
 */
export interface VirtualKeys extends KeyVerifier {
  issue(options: { owner: string; budget?: KeyBudget }): IssuedKey;
  /** The key's record, or undefined for a missing, unknown or revoked key. */
  verify(key: string | undefined): StoredVirtualKey | undefined;
  /** Whether the key may start another call. */
  check(holder: StoredVirtualKey): BudgetCheck;
  charge(holder: StoredVirtualKey, usage: Usage, cost: number | undefined): void;
  revoke(key: string): boolean;
  /** Every key, hashed, with its spend: for a store to persist and a console to show. */
  list(): StoredVirtualKey[];
}

const KEY_PREFIX = 'wk-';

/** The SHA-256 a key is kept as; undefined for anything not shaped like a virtual key. */
export function hashVirtualKey(key: string | undefined): string | undefined {
  if (key === undefined || !key.startsWith(KEY_PREFIX)) return undefined;
  return createHash('sha256').update(key).digest('hex');
}

/** A fresh key (shown once), its hash (kept) and its id (a prefix of the hash, safe to print). */
export function newVirtualKey(): { key: string; hash: string; id: string } {
  const key = `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
  const hash = hashVirtualKey(key) as string;
  return { key, hash, id: `${KEY_PREFIX}${hash.slice(0, 12)}` };
}

/** Whether a key's own budget allows another call. */
export function checkKeyBudget(holder: StoredVirtualKey): BudgetCheck {
  const { budget, spent } = holder;
  if (budget.tokens !== undefined && spent.tokens >= budget.tokens) {
    return {
      ok: false,
      message: `the token budget of ${holder.owner}'s key is spent (${spent.tokens} of ${budget.tokens} tokens)`,
    };
  }
  if (budget.costUsd !== undefined && spent.costUsd >= budget.costUsd) {
    return {
      ok: false,
      message: `the cost budget of ${holder.owner}'s key is spent ($${spent.costUsd.toFixed(4)} of $${budget.costUsd})`,
    };
  }
  return { ok: true };
}

export function validateKeyBudget(budget: KeyBudget, where: string): void {
  for (const [name, value] of Object.entries(budget)) {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      throw new WardenError('gateway.key', `budget ${name} must be a number ≥ 0, got ${String(value)}`, {
        where,
      });
    }
  }
}

/**
 * In-memory keys, optionally starting from stored ones. Budgets are checked before a call and
 * charged after it, so calls running at the same time can together overshoot a budget by what
 * they spend; the next call is refused.
 */
export function createVirtualKeys(options: { stored?: StoredVirtualKey[] } = {}): VirtualKeys {
  const byHash = new Map<string, StoredVirtualKey>();
  for (const stored of options.stored ?? [])
    byHash.set(stored.hash, { ...stored, spent: { ...stored.spent } });

  return {
    issue({ owner, budget = {} }) {
      if (owner.trim() === '') {
        throw new WardenError('gateway.key', 'a virtual key needs an owner', {
          hint: 'name the user or agent the key is for',
        });
      }
      validateKeyBudget(budget, `key for ${owner}`);
      const { key, hash, id } = newVirtualKey();
      byHash.set(hash, {
        id,
        hash,
        owner,
        budget: { ...budget },
        spent: { tokens: 0, costUsd: 0, calls: 0 },
      });
      return { key, id, owner };
    },
    verify(key) {
      const hash = hashVirtualKey(key);
      return hash === undefined ? undefined : byHash.get(hash);
    },
    check: checkKeyBudget,
    charge(holder, usage, cost) {
      holder.spent.tokens += usage.inputTokens + usage.outputTokens;
      holder.spent.costUsd += cost ?? 0;
      holder.spent.calls += 1;
    },
    revoke(key) {
      const hash = hashVirtualKey(key);
      return hash !== undefined && byHash.delete(hash);
    },
    list() {
      return [...byHash.values()].map((entry) => ({
        ...entry,
        budget: { ...entry.budget },
        spent: { ...entry.spent },
      }));
    },
  };
}
