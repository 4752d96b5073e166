import { classifyRunsLater, contentJudged } from '../policy/runs-later.ts';
import type { RunsLaterMatch } from '../policy/types.ts';
import type { FileChangeSummary, RunsLaterFile } from './events.ts';

/**
 * What a session did to files that run later, outside the sandbox: each write the policy judged as
 * one (allowed, approved or refused) and each a command made that was kept or put back. The last
 * word on a path stands. The report lists them apart from the other files.
 */
export class RunsLaterLog {
  readonly #files = new Map<string, RunsLaterFile>();

  record(
    path: string,
    matches: readonly RunsLaterMatch[],
    outcome: RunsLaterFile['outcome'],
    byCommand = false,
  ): void {
    const [first] = matches;
    if (!first) return;
    const what = [...new Set(matches.map((m) => m.what))].join('; ');
    this.#files.set(path, {
      path,
      category: first.category,
      what,
      runs: first.runs,
      outcome,
      ...(byCommand ? { byCommand } : {}),
    });
  }

  /**
   * The report's list: a change counts once it is among the files the session changed; a file
   * changed some other way (without a policy, or outside what was judged) is classified by its
   * path. package.json and its kind are left out there: only what a write changes says whether
   * they run later, and that was judged when they were written.
   */
  report(filesChanged: readonly FileChangeSummary[]): RunsLaterFile[] {
    const changed = new Set(filesChanged.flatMap((f) => (f.from ? [f.path, f.from] : [f.path])));
    const listed = [...this.#files.values()].filter((f) => f.outcome !== 'changed' || changed.has(f.path));
    const known = new Set(listed.map((f) => f.path));
    for (const path of changed) {
      if (known.has(path) || this.#files.has(path) || contentJudged(path)) continue;
      const [entry] = classifyRunsLater(path, { after: '' });
      if (entry)
        listed.push({
          path,
          category: entry.category,
          what: entry.what,
          runs: entry.runs,
          outcome: 'changed',
        });
    }
    return listed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}
