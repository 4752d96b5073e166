/** A gateway on a loopback port with one key and a record log, for end-to-end tests and the bench. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redactor } from '../../guard/redactor.ts';
import type { ModelConfig } from '../../models/config-schema.ts';
import { FAST_RETRY, userConfig } from '../../models/testing/turn-fixtures.ts';
import { createVirtualKeys, type KeyBudget, type VirtualKeys } from '../keys.ts';
import { createModelRouter, type RouteTable } from '../router.ts';
import { type RunningGateway, startGateway } from '../server.ts';
import type { GatewayCall } from '../types.ts';

export interface TestGateway {
  gateway: RunningGateway;
  /** A key for `tester`. */
  key: string;
  keys: VirtualKeys;
  records: GatewayCall[];
  /** Script files go here; removed on close. */
  dir: string;
  close(): Promise<void>;
}

export interface TestGatewayOptions extends RouteTable {
  /** The user's model config (providers, fallbacks); fast retries unless it sets its own. */
  config?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  budget?: KeyBudget;
  redactor?: Redactor;
  /** Write these scripts (file name → turns) before the router resolves them. */
  scripts?: Record<string, unknown[]>;
  streamGraceMs?: number;
}

export async function startTestGateway(options: TestGatewayOptions): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-gateway-'));
  for (const [name, turns] of Object.entries(options.scripts ?? {})) {
    writeFileSync(join(dir, name), JSON.stringify({ turns }));
  }
  const config: ModelConfig = userConfig({ retry: FAST_RETRY, ...options.config });
  const routes = createModelRouter({
    config,
    env: options.env ?? {},
    cwd: dir,
    ...(options.aliases === undefined ? {} : { aliases: options.aliases }),
    ...(options.default === undefined ? {} : { default: options.default }),
    ...(options.models === undefined ? {} : { models: options.models }),
  });
  const keys = createVirtualKeys();
  const { key } = keys.issue({
    owner: 'tester',
    ...(options.budget === undefined ? {} : { budget: options.budget }),
  });
  const records: GatewayCall[] = [];
  const gateway = await startGateway({
    routes,
    keys,
    record: (call) => records.push(call),
    ...(options.redactor === undefined ? {} : { redactor: options.redactor }),
    ...(options.streamGraceMs === undefined ? {} : { streamGraceMs: options.streamGraceMs }),
  });
  return {
    gateway,
    key,
    keys,
    records,
    dir,
    async close() {
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** POST JSON with the key as a Bearer token (both vendors accept it) unless headers say otherwise. */
export function postJson(
  url: string,
  body: unknown,
  key: string | undefined,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      ...headers,
    },
    body: JSON.stringify(body),
  });
}
