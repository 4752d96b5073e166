/**
 * The gateway's virtual keys on a server: issued, listed and revoked through the API, looked up
 * in the key store on every call (a revoked key stops at once), spend written per call, and a
 * key's spend counted toward its team's budget as a task's is.
 */
import {
  checkKeyBudget,
  hashVirtualKey,
  type KeyVerifier,
  newVirtualKey,
  type StoredVirtualKey,
} from '../gateway/index.ts';
import type { AccountStore } from './account-store.ts';
import { budgetExhausted } from './budget.ts';
import type { KeyRecord, KeyStore } from './key-store.ts';
import type { Spend, TaskStore } from './task-store.ts';

export interface ServerKeys {
  /** A new key for `owner` in `team`: the `wk-…` key is in the answer only, its hash in the store. */
  issue(input: {
    owner: string;
    team: string;
    budget: { tokens?: number; cost?: number };
    createdBy: string;
  }): Promise<{ key: string; record: KeyRecord }>;
  list(teams?: string[]): Promise<KeyRecord[]>;
  get(id: string): Promise<KeyRecord | undefined>;
  revoke(id: string): Promise<boolean>;
  /** What the gateway plugin authenticates, checks and charges with. */
  verifier: KeyVerifier;
}

export function createServerKeys(options: {
  store: KeyStore;
  accounts: AccountStore;
  /** The team's whole spend, tasks and keys: see `withKeySpend`. */
  teamSpend: (team: string) => Promise<Spend>;
  log: (line: string) => void;
}): ServerKeys {
  const { store, accounts } = options;
  return {
    async issue({ owner, team, budget, createdBy }) {
      const fresh = newVirtualKey();
      const record = await store.createKey({
        id: fresh.id,
        hash: fresh.hash,
        owner,
        team,
        budgetTokens: budget.tokens,
        budgetCost: budget.cost,
        createdBy,
      });
      return { key: fresh.key, record };
    },
    list: (teams) => store.listKeys(teams),
    get: (id) => store.getKey(id),
    revoke: (id) => store.revokeKey(id),
    verifier: {
      async verify(key) {
        const hash = hashVirtualKey(key);
        const record = hash === undefined ? undefined : await store.keyByHash(hash);
        return record === undefined ? undefined : toStored(record);
      },
      async check(holder) {
        const own = checkKeyBudget(holder);
        if (!own.ok || holder.team === undefined) return own;
        const team = await accounts.getTeam(holder.team);
        const exhausted = team && budgetExhausted(team, await options.teamSpend(team.id));
        return exhausted ? { ok: false, message: exhausted } : { ok: true };
      },
      async charge(holder, usage, cost) {
        const tokens = usage.inputTokens + usage.outputTokens;
        try {
          await store.addKeySpend(holder.id, { tokens, cost: cost ?? 0 });
        } catch (error) {
          // The answer is already on its way; the operator learns the spend went unrecorded.
          options.log(`gateway key ${holder.id}: spend not recorded: ${(error as Error).message}`);
        }
      },
    },
  };
}

function toStored(record: KeyRecord): StoredVirtualKey {
  return {
    id: record.id,
    hash: record.hash,
    owner: record.owner,
    team: record.team,
    budget: {
      ...(record.budgetTokens === undefined ? {} : { tokens: record.budgetTokens }),
      ...(record.budgetCost === undefined ? {} : { costUsd: record.budgetCost }),
    },
    spent: { tokens: record.spent.tokens, costUsd: record.spent.cost, calls: record.spent.calls },
  };
}

/**
 * The task store as the rest of the server sees it once keys and evaluations spend too: a team's
 * spend is its tasks' plus its keys' plus its evaluations' trials', so a budget spent one way stops
 * the others. A Proxy, so whatever the store is (an object, a class instance) every other method
 * is its own.
 */
export function withKeySpend(
  tasks: TaskStore,
  keys: KeyStore,
  evals?: { teamSpend(team: string): Promise<Spend> },
): TaskStore {
  const teamSpend = async (team: string): Promise<Spend> => {
    const parts = await Promise.all([
      tasks.teamSpend(team),
      keys.teamKeySpend(team),
      ...(evals ? [evals.teamSpend(team)] : []),
    ]);
    return parts.reduce((sum, part) => ({ tokens: sum.tokens + part.tokens, cost: sum.cost + part.cost }));
  };
  return new Proxy(tasks, {
    get(target, property) {
      if (property === 'teamSpend') return teamSpend;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
