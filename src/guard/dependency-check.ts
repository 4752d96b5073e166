import { type Ecosystem, isRegistryName, type LookupResult } from '../broker/registry-lookup.ts';
import { POPULAR_CRATES, POPULAR_NPM, POPULAR_PYPI } from './popular-packages.ts';
import { lookAlike } from './typosquat.ts';

/** When a package is worth a person's look before it is installed. */
export interface DependencyThresholds {
  /** Younger than this (first published) is asked about; default 14. */
  minAgeDays: number;
  /** npm weekly downloads below this are asked about (crates.io: 13× over its 90 days); default 1000. */
  minWeeklyDownloads: number;
  /** A package this downloaded every week is not taken for a typosquat; default 1,000,000. */
  popularWeeklyDownloads: number;
}

export const DEFAULT_THRESHOLDS: DependencyThresholds = {
  minAgeDays: 14,
  minWeeklyDownloads: 1000,
  popularWeeklyDownloads: 1_000_000,
};

/** One reason to look twice; `rule` names the check for records (`guard.flagged`). */
export interface DependencyFinding {
  rule:
    | 'hallucinated'
    | 'new'
    | 'few-downloads'
    | 'typosquat'
    | 'install-scripts'
    | 'unchecked'
    | 'outside-registry';
  reason: string;
}

export interface DependencyVerdict {
  decision: 'allow' | 'ask' | 'deny';
  reasons: string[];
  findings: DependencyFinding[];
}

export interface DependencyRequest {
  ecosystem: string;
  name: string;
}

/** Checks one dependency: looks it up (through the broker) and judges what the registry said. */
export type DependencyCheck = (dependency: DependencyRequest) => Promise<DependencyVerdict>;

const ECOSYSTEMS: readonly Ecosystem[] = ['npm', 'pypi', 'crates', 'go'];
const POPULAR: Record<Ecosystem, ReadonlySet<string>> = {
  npm: POPULAR_NPM,
  pypi: POPULAR_PYPI,
  crates: POPULAR_CRATES,
  go: new Set(),
};
const DAY_MS = 86_400_000;

export function createDependencyCheck(options: {
  lookup: (ecosystem: Ecosystem, name: string) => Promise<LookupResult>;
  thresholds?: Partial<DependencyThresholds>;
  now?: () => number;
}): DependencyCheck {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const now = options.now ?? Date.now;
  return async ({ ecosystem, name }) => {
    if (!ECOSYSTEMS.includes(ecosystem as Ecosystem))
      return verdict([{ rule: 'unchecked', reason: `${ecosystem} packages cannot be checked` }]);
    const known = ecosystem as Ecosystem;
    // The workspace's own code (`pip install -e .`, `npm install ./lib`) has no registry to ask.
    if (/^(\.|\/|~|file:)/.test(name)) return verdict([]);
    if (!isRegistryName(known, name)) {
      return verdict([
        {
          rule: 'outside-registry',
          reason: `${name} comes from outside the registry, where nothing vouches for it`,
        },
      ]);
    }
    return judgeDependency(known, name, await options.lookup(known, name), thresholds, now());
  };
}

/** What the registry's answer means: a name it does not hold is made up; risk is a question. */
export function judgeDependency(
  ecosystem: Ecosystem,
  name: string,
  result: LookupResult,
  thresholds: DependencyThresholds = DEFAULT_THRESHOLDS,
  now = Date.now(),
): DependencyVerdict {
  const squat = lookAlike(name, POPULAR[ecosystem], ecosystem === 'pypi');
  if (result.status === 'missing') {
    const hint = squat ? ` (did you mean ${squat.target}?)` : '';
    return verdict([
      { rule: 'hallucinated', reason: `hallucinated: no package ${name} in ${result.registry}${hint}` },
    ]);
  }
  if (result.status === 'unchecked')
    return verdict([{ rule: 'unchecked', reason: `${name} could not be checked: ${result.reason}` }]);

  const { facts } = result;
  const findings: DependencyFinding[] = [];
  if (facts.firstPublished === undefined) {
    findings.push({
      rule: 'unchecked',
      reason: `${name}: the registry does not say when it was first published`,
    });
  } else {
    const days = Math.floor((now - Date.parse(facts.firstPublished)) / DAY_MS);
    if (!(days >= thresholds.minAgeDays))
      findings.push({
        rule: 'new',
        reason: `${name} is new: first published ${days === 0 ? 'today' : `${days} day${days === 1 ? '' : 's'} ago`} (under ${thresholds.minAgeDays})`,
      });
  }
  const weekly =
    facts.downloads &&
    (facts.downloads.period === 'week' ? facts.downloads.count : facts.downloads.count / 13);
  if (facts.downloads && weekly !== undefined && weekly < thresholds.minWeeklyDownloads) {
    const floor =
      facts.downloads.period === 'week' ? thresholds.minWeeklyDownloads : thresholds.minWeeklyDownloads * 13;
    findings.push({
      rule: 'few-downloads',
      reason: `${name} has few users: ${facts.downloads.count} downloads in the last ${facts.downloads.period} (under ${floor})`,
    });
  }
  if (squat && !(weekly !== undefined && weekly >= thresholds.popularWeeklyDownloads))
    findings.push({
      rule: 'typosquat',
      reason: `${name} may be a typosquat of the popular ${squat.target} (${squat.how})`,
    });
  for (const script of facts.installScripts)
    findings.push({ rule: 'install-scripts', reason: `${name} runs code when installed: ${script}` });
  for (const fact of facts.unchecked)
    findings.push({ rule: 'unchecked', reason: `${name}: could not check ${fact}` });
  return verdict(findings);
}

function verdict(findings: DependencyFinding[]): DependencyVerdict {
  const decision = findings.some((f) => f.rule === 'hallucinated')
    ? 'deny'
    : findings.length > 0
      ? 'ask'
      : 'allow';
  return { decision, reasons: findings.map((f) => f.reason), findings };
}
