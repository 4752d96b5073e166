import type { CompiledPolicy } from './engine.ts';
import { mcpSummary, mcpWarnings } from './mcp-explain.ts';
import { dependencyRules } from './policy-file.ts';
import { CATEGORY_TITLES, RUNS_LATER_CATALOG, RUNS_LATER_CATEGORIES } from './runs-later-catalog.ts';
import { runsLaterVerdicts } from './runs-later-rules.ts';

export interface PolicyWarning {
  /** The rule that grants too much, e.g. `commands.allow[0]`. */
  rule: string;
  message: string;
  /** How much this grant adds to the breadth score. */
  weight: number;
}

export interface PolicyExplanation {
  /** The one-page plain-language summary. */
  text: string;
  warnings: PolicyWarning[];
  /** 0 (narrow) to 100 (grants nearly everything). */
  breadth: number;
}

const INTERPRETERS =
  /^(sh|bash|dash|zsh|ksh|python3?|node|deno|bun|perl|ruby|php|eval|env|xargs|sudo)( \*|\*)$/;

/** What the policy lets the agent do, in words, and where it grants more than it probably means. */
export function explainPolicy(policy: CompiledPolicy): PolicyExplanation {
  const { file } = policy;
  const warnings: PolicyWarning[] = [];
  const warn = (rule: string, weight: number, message: string) => warnings.push({ rule, weight, message });

  (file.files?.write ?? []).forEach((p, i) => {
    if (p === '*') warn(`files.write[${i}]`, 30, 'the agent may write anywhere in the workspace');
    else if (p.startsWith('*'))
      warn(
        `files.write[${i}]`,
        10,
        `the agent may write any path ending in "${p.slice(1)}", in every directory`,
      );
  });
  if ((file.files?.read ?? []).includes('*') && (file.files?.deny ?? []).length === 0) {
    warn(
      `files.read[${file.files?.read?.indexOf('*')}]`,
      15,
      'the agent may read everything, secrets included: nothing is in files.deny',
    );
  }
  (file.commands?.allow ?? []).forEach((p, i) => {
    if (/^\*+$/.test(p)) warn(`commands.allow[${i}]`, 40, 'any command runs without asking');
    else if (INTERPRETERS.test(p))
      warn(`commands.allow[${i}]`, 25, `"${p}" runs arbitrary code without asking`);
  });
  (file.network?.allow ?? []).forEach((p, i) => {
    const host = p.slice(0, p.lastIndexOf(':'));
    if (host === '*') warn(`network.allow[${i}]`, 30, 'the agent may connect to any host');
    else if (/^\*\.[^.]+$/.test(host))
      warn(`network.allow[${i}]`, 15, `the agent may connect to any host under ".${host.slice(2)}"`);
  });
  const deps = dependencyRules(file);
  const depsKey = typeof file.dependencies === 'object' ? 'dependencies.add' : 'dependencies';
  if (deps.add === 'allow')
    warn(depsKey, 10, 'new packages are installed without asking when their registry check is clear');
  if (deps.installScripts)
    warn('dependencies.install_scripts', 10, "packages' install scripts run when they are installed");
  (file.git?.push ?? []).forEach((p, i) => {
    if (p === '*') warn(`git.push[${i}]`, 10, 'the agent may push any branch, main included');
  });
  (file.git?.pull_requests ?? []).forEach((p, i) => {
    if (p === '*')
      warn(`git.pull_requests[${i}]`, 5, 'the agent may open a pull request into any branch without asking');
  });
  const planted = runsLaterVerdicts(file);
  const plantedKey = (category: string) =>
    typeof file.runs_later === 'object' ? `runs_later.${category}` : 'runs_later';
  for (const category of RUNS_LATER_CATEGORIES) {
    if (planted[category] === 'allow')
      warn(
        plantedKey(category),
        5,
        `${CATEGORY_TITLES[category]} are written without asking, and run later outside the sandbox`,
      );
  }
  warnings.push(...mcpWarnings(file.mcp));
  const breadth = Math.min(
    100,
    warnings.reduce((sum, w) => sum + w.weight, 0),
  );
  return { text: summary(policy, warnings, breadth), warnings, breadth };
}

function list(items: readonly string[] | undefined, none: string): string {
  return items && items.length > 0 ? items.join(', ') : none;
}

function pullRequests(bases: readonly string[] | undefined): string {
  if (bases === undefined) return 'asked each time (no git.pull_requests list); opened by the broker';
  if (bases.length === 0) return 'never';
  return `into ${bases.join(', ')}; other bases never; opened by the broker`;
}

/** The files that run later, outside the sandbox: each sub-category's verdict and what it covers. */
function runsLater(policy: CompiledPolicy): string[] {
  const verdicts = runsLaterVerdicts(policy.file);
  const word = { allow: 'allow', ask: 'ask', deny: 'deny' } as const;
  const lines = [
    '',
    'Runs later, outside the sandbox (writes judged again; paths at any depth, any letter case)',
  ];
  for (const category of RUNS_LATER_CATEGORIES) {
    const entries = RUNS_LATER_CATALOG.filter((e) => e.category === category && !e.paths[0]?.endsWith('#?'));
    const shown = [...new Set(entries.map((e) => (e.paths[0] ?? '').replace(/#(\w+).*$/, ' $1')))];
    const more = shown.length > 5 ? `, … (${entries.length} kinds)` : '';
    lines.push(
      `  ${`${category}:`.padEnd(20)}${word[verdicts[category]].padEnd(6)}${CATEGORY_TITLES[category]}: ${shown.slice(0, 5).join(', ')}${more}`,
    );
  }
  lines.push('');
  return lines;
}

function summary(policy: CompiledPolicy, warnings: PolicyWarning[], breadth: number): string {
  const { file, limits } = policy;
  const rules = dependencyRules(file);
  const deps = {
    allow: 'added without asking when the registry check is clear',
    ask: 'added only after a person approves',
    deny: 'never added',
  }[rules.add];
  const checks =
    rules.add === 'deny'
      ? []
      : [
          `  checked:     in their registry first; a name it does not hold is refused as made up; new`,
          `               (under ${rules.minAgeDays ?? 14} days), little used (under ${rules.minWeeklyDownloads ?? 1000} npm downloads a week),`,
          '               look-alikes of popular names and packages with install scripts are asked about',
          `  scripts:     install scripts ${rules.installScripts ? 'run' : 'off (npm, pnpm, yarn)'}`,
        ];
  const secrets = Object.entries(file.secrets ?? {}).map(([name, acts]) => `${name} for ${acts.join(', ')}`);
  const limitParts = [
    limits.wallTimeMs && `session ${file.limits?.wall_time}`,
    limits.commandTimeMs && `command ${file.limits?.command_time}`,
    limits.cpuSeconds && `cpu ${file.limits?.cpu}`,
    limits.memoryBytes && `memory ${file.limits?.memory}`,
    limits.processes && `${limits.processes} processes`,
    limits.fileSizeBytes && `files up to ${file.limits?.file_size}`,
    limits.diskBytes && `workspace disk ${file.limits?.disk}`,
    limits.outputBytes && `output ${file.limits?.output}`,
    limits.tokens && `${limits.tokens} tokens`,
    limits.cost && `$${limits.cost}`,
  ].filter(Boolean);
  const lines = [
    `Policy: ${policy.source}   (default deny: anything not granted below is refused)`,
    '',
    'Files (workspace-relative; * matches any characters, / included)',
    `  read:        ${list(file.files?.read, 'nothing')}`,
    `  write:       ${list(file.files?.write, 'nothing')}`,
    `  never:       ${list(file.files?.deny, 'nothing listed')}`,
    '  built in:    .git and .warden are never written',
    '',
    'Commands (every simple command of a program is judged; deny > ask > allow)',
    `  run:         ${list(file.commands?.allow, 'nothing without asking')}`,
    `  ask first:   ${list(file.commands?.ask, 'nothing listed')}`,
    `  never:       ${list(file.commands?.deny, 'nothing listed')}`,
    '  otherwise:   a person is asked; what cannot be analysed is asked too',
    '  built in:    options are read as each program parses them (prefixes, --opt=value); one that',
    '               runs a program or code named on the command line is asked; a file a redirect',
    '               or an option writes is judged as a file write; in `run`, git diff* is not difftool',
    '',
    `Network:       ${list(file.network?.allow, 'none (no host is reachable)')}`,
    `Dependencies:  ${deps}`,
    ...checks,
    ...runsLater(policy),
    `Git push:      ${list(file.git?.push, 'no branch')}; force push never`,
    `Pull requests: ${pullRequests(file.git?.pull_requests)}`,
    `Secrets:       ${list(secrets, 'none')}`,
    '',
    ...mcpSummary(file.mcp),
    '',
    `Limits:        ${list(limitParts as string[], 'none set')}`,
    '',
    `Breadth:       ${breadth}/100`,
  ];
  if (warnings.length > 0) {
    lines.push('Warnings:');
    for (const w of warnings) lines.push(`  ! ${w.rule}: ${w.message}`);
  }
  return lines.join('\n');
}
