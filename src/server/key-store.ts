/**
 * The gateway's virtual keys on a server: who holds one (an owner, in a team), its budget and what
 * it has spent, kept as a hash. Behind an async interface like the other stores, so a PostgreSQL
 * store can take the SQLite one's place.
 */
import type { Spend } from './task-store.ts';

export interface KeyRecord {
  /** `wk-` and the first 12 hex digits of the hash: safe to print, record and pass in a URL. */
  id: string;
  /** SHA-256 of the whole key, hex; the key itself is never stored. */
  hash: string;
  /** The user or agent the key is for: named in every audit record of its calls. */
  owner: string;
  /** Whose budget its calls also spend. */
  team: string;
  /** Limits of the key itself, over its life; undefined for none. */
  budgetTokens: number | undefined;
  budgetCost: number | undefined;
  /** Input plus output tokens, USD, and calls answered, over the key's life. */
  spent: Spend & { calls: number };
  createdBy: string;
  createdAt: string;
  /** A revoked key keeps its row: its spend still counts toward its team's. */
  revokedAt: string | undefined;
}

export interface KeyStore {
  createKey(key: Omit<KeyRecord, 'spent' | 'createdAt' | 'revokedAt'>): Promise<KeyRecord>;
  /** The live (unrevoked) key with this hash. */
  keyByHash(hash: string): Promise<KeyRecord | undefined>;
  getKey(id: string): Promise<KeyRecord | undefined>;
  /** Live keys, oldest first; only these teams' when given. */
  listKeys(teams?: string[]): Promise<KeyRecord[]>;
  /** False when there is no live key with this id. */
  revokeKey(id: string): Promise<boolean>;
  /** Adds one answered call's spend to the key, in one statement (no lost update between servers). */
  addKeySpend(id: string, spend: Spend): Promise<void>;
  /** What a team's keys, revoked ones included, have spent in total. */
  teamKeySpend(team: string): Promise<Spend>;
  close(): Promise<void>;
}
