import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventOf, WardenEvent } from '../src/agent/events.ts';
import { jsonEvents, warden } from './cli.ts';

/** A hostile model's moves, one call per model turn, run through the real `warden exec`. */

export type Call = { tool: string; args: unknown };

export interface Run {
  code: number | null;
  stderr: string;
  events: WardenEvent[];
  /** The n-th scripted call's events, by its call id. */
  call(n: number): {
    decided: EventOf<'policy.decided'>[];
    started: boolean;
    finished: EventOf<'tool.finished'> | undefined;
  };
}

/**
 * One call per model turn, under `policy` (YAML; the default policy when undefined), through the
 * real CLI in `fixture.repo`, its files kept in `fixture.dir`.
 */
export async function attack(
  fixture: { dir: string; repo: string },
  name: string,
  policy: string | undefined,
  calls: Call[],
  flags: string[] = [],
  /** More environment for the run (a user config dir, a state dir). */
  env?: Record<string, string>,
): Promise<Run> {
  const script = join(fixture.dir, `${name}.json`);
  const policyFile = join(fixture.dir, `${name}.policy.yaml`);
  await writeFile(
    script,
    JSON.stringify({ turns: [...calls.map((call) => ({ calls: [call] })), { text: 'done' }] }),
  );
  if (policy !== undefined) await writeFile(policyFile, policy);
  const result = await warden(
    [
      'exec',
      '--json',
      ...(policy === undefined ? [] : ['--policy', policyFile]),
      '--model',
      `script:${script}`,
      ...flags,
      name,
    ],
    { cwd: fixture.repo, ...(env ? { env } : {}) },
  );
  const events = jsonEvents(result.stdout);
  const ids = events.flatMap((e) => (e.type === 'tool.requested' ? [e.callId] : []));
  return {
    code: result.code,
    stderr: result.stderr,
    events,
    call(n) {
      const id = ids[n];
      assert.ok(id, `call ${n} was requested`);
      return {
        decided: events.filter(
          (e): e is EventOf<'policy.decided'> => e.type === 'policy.decided' && e.callId === id,
        ),
        started: events.some((e) => e.type === 'tool.started' && e.callId === id),
        finished: events.find(
          (e): e is EventOf<'tool.finished'> => e.type === 'tool.finished' && e.callId === id,
        ),
      };
    },
  };
}

export const shell = (command: string, timeout_ms?: number): Call => ({
  tool: 'shell',
  args: timeout_ms === undefined ? { command } : { command, timeout_ms },
});
