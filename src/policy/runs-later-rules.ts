import type { PolicyFile } from './policy-file.ts';
import { anyDepth, entryPatterns } from './runs-later.ts';
import {
  RUNS_LATER_CATALOG,
  RUNS_LATER_CATEGORIES,
  type RunsLaterCategory,
  type RunsLaterEntry,
} from './runs-later-catalog.ts';
import type { Verdict } from './types.ts';

/** Each sub-category's verdict: `runs_later: ask` sets them all; a mapping sets each, the rest ask. */
export function runsLaterVerdicts(file: PolicyFile): Record<RunsLaterCategory, Verdict> {
  const given = file.runs_later;
  const all = typeof given === 'string' ? given : 'ask';
  return Object.fromEntries(
    RUNS_LATER_CATEGORIES.map((category) => [
      category,
      typeof given === 'object' ? (given[category] ?? 'ask') : all,
    ]),
  ) as Record<RunsLaterCategory, Verdict>;
}

export interface RunsLaterRule {
  id: string;
  verdict: Verdict;
  entry: RunsLaterEntry;
  /** Cedar condition on the folded subject (`resource.path`). */
  when: string;
}

/** The rule id of a catalog entry: `runs_later.ci:github-actions`. */
export function ruleId(entry: RunsLaterEntry): string {
  return `runs_later.${entry.category}:${entry.slug}`;
}

/** One rule per catalog entry, with its sub-category's verdict: a forbid for deny, else a permit. */
export function runsLaterRules(
  file: PolicyFile,
  like: (attr: string, pattern: string) => string,
): RunsLaterRule[] {
  const verdicts = runsLaterVerdicts(file);
  return RUNS_LATER_CATALOG.map((entry) => ({
    id: ruleId(entry),
    verdict: verdicts[entry.category],
    entry,
    when: entryPatterns(entry)
      .flatMap(anyDepth)
      .map((p) => like('path', p))
      .join(' || '),
  }));
}

const BY_ID = new Map(RUNS_LATER_CATALOG.map((entry) => [ruleId(entry), entry]));

export function entryOfRule(id: string): RunsLaterEntry | undefined {
  return BY_ID.get(id);
}

/** One line for a reason or a report: what the file is, and what runs it when. */
export function describeEntry(entry: RunsLaterEntry): string {
  return `${entry.what}: ${entry.runs}`;
}
