import { classifyRunsLater } from '../policy/runs-later.ts';
import { ruleId } from '../policy/runs-later-rules.ts';
import type { PolicyAction, RunsLaterMatch } from '../policy/types.ts';
import type { Authorized } from '../tools/types.ts';
import type { EventStream } from './event-stream.ts';
import type { PlantedWatch } from './planted-watch.ts';
import type { RunsLaterLog } from './runs-later-log.ts';

/**
 * After a command: each file that runs later which the command added, changed or removed is judged
 * as the write it was — the same policy decision, the same question to a person — and put back
 * when the answer is no. Asking rather than always reverting keeps a tool that rightly writes one
 * (a code generator, a formatter) usable in an interactive session; headless, the answer is no.
 * Returns a line for the model about each, since the command's own output does not say.
 */
export async function checkPlanted(options: {
  callId: string;
  watch: PlantedWatch;
  authorize: (actions: PolicyAction[]) => Promise<Authorized>;
  events: EventStream;
  log?: RunsLaterLog;
}): Promise<string[]> {
  const { callId, watch, events } = options;
  const notes: string[] = [];
  for (const change of await watch.after()) {
    const entries = classifyRunsLater(change.path, change.content);
    if (entries.length === 0) continue;
    const matches: RunsLaterMatch[] = entries.map((entry) => ({
      category: entry.category,
      rule: ruleId(entry),
      what: entry.what,
      runs: entry.runs,
    }));
    const what = `${change.path} (${entries.map((e) => e.what).join('; ')})`;
    const verdict = await options.authorize([
      { kind: 'file.write', path: change.path, content: change.content },
    ]);
    if (verdict.allowed) {
      options.log?.record(change.path, matches, 'changed', true);
      events.emit({
        type: 'guard.flagged',
        callId,
        source: 'runs_later',
        rule: 'written-by-command',
        detail: `the command ${change.kind} ${what}, which runs outside the sandbox later; kept (allowed)`,
      });
      notes.push(`[Warden: this command ${change.kind} ${what}; kept, as the policy or a person allowed]`);
      continue;
    }
    const restored = await watch.restore(change);
    options.log?.record(change.path, matches, restored ? 'reverted' : 'not-reverted', true);
    const done = restored ? 'Warden put it back as it was' : 'Warden could not put it back';
    events.emit({
      type: 'guard.flagged',
      callId,
      source: 'runs_later',
      rule: 'written-by-command',
      detail: `the command ${change.kind} ${what}, which runs outside the sandbox later; not allowed, and ${done}`,
    });
    notes.push(
      `[Warden: this command ${change.kind} ${what}, a file that runs outside the sandbox later; not allowed, and ${done}. ${verdict.output}]`,
    );
  }
  return notes;
}
