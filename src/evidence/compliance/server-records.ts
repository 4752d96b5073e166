import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadPolicy } from '../../policy/load.ts';
import { policyDigest } from '../../receipt/policy-digest.ts';
import { openSqliteAccountStore } from '../../server/sqlite-account-store.ts';
import { openSqliteTaskStore } from '../../server/sqlite-task-store.ts';
import type { TaskRecord } from '../../server/task-store.ts';
import type { ServerRecords } from './collect.ts';

/** Plenty for one report; a server with more approvals in its whole history is read in part. */
const MAX_APPROVALS = 100_000;

/**
 * What `warden serve --data DIR` keeps beside its logs (SQLite mode): tasks (a task's session id is
 * its id), approvals with who decided them, users and teams, and the policies server.yaml names.
 * Undefined when the directory holds no server database (the logs of `warden exec`, say).
 */
export async function readServerRecords(dataDir: string): Promise<ServerRecords | undefined> {
  const db = join(dataDir, 'server.db');
  if (!existsSync(db)) return undefined;
  const tasks = openSqliteTaskStore(db);
  const accounts = openSqliteAccountStore(db);
  try {
    const all: TaskRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await tasks.listTasks({ limit: 500, ...(cursor ? { cursor } : {}) });
      all.push(...page.tasks);
      cursor = page.next;
    } while (cursor);
    return {
      tasks: all,
      approvals: await tasks.listApprovals({ limit: MAX_APPROVALS }),
      users: (await accounts.listUsers()).map(({ id, team, role, createdAt }) => ({
        id,
        team,
        role,
        createdAt,
      })),
      teams: (await accounts.listTeams()).map(({ id, policies, createdAt }) => ({ id, policies, createdAt })),
      policies: await configuredPolicies(join(dataDir, 'server.yaml')),
    };
  } finally {
    await tasks.close();
    await accounts.close();
  }
}

/** server.yaml's `policies:` with the digest of each file as it is now; Warden's default besides. */
async function configuredPolicies(configFile: string): Promise<ServerRecords['policies']> {
  let named: Record<string, string> = {};
  try {
    const config = parse(readFileSync(configFile, 'utf8')) as { policies?: Record<string, string> } | null;
    named = config?.policies ?? {};
  } catch {
    // No server.yaml, or one the server itself would refuse: only the default is known.
  }
  const entries = Object.entries({ default: '', ...named });
  return Promise.all(
    entries.map(async ([name, path]) => {
      const file = path ? resolve(dirname(configFile), path) : 'default';
      try {
        return { name, file, digest: policyDigest(await loadPolicy(path ? file : undefined)) };
      } catch (error) {
        return { name, file, problem: (error as Error).message };
      }
    }),
  );
}
