import { mcpCedarRules, UNMATCHED_MCP } from './mcp-compile.ts';
import { dependencyRules, type PolicyFile } from './policy-file.ts';
import { runsLaterRules } from './runs-later-rules.ts';
import type { Verdict } from './types.ts';

/** One compiled rule: its Cedar text and what it means when it is among the determining ones. */
export interface CompiledRule {
  id: string;
  effect: 'permit' | 'forbid';
  /** For permits: what a match grants. Forbids always mean deny. */
  verdict: Verdict;
  /** The pattern as written, for reasons a person reads. */
  pattern: string;
  /** The Cedar actions it applies to (`read`, `shell`, …). */
  actions: string[];
  text: string;
}

/** The catch-all for commands: matching no rule is a question for a human, never a yes. */
export const UNMATCHED_COMMAND = 'default.commands.unmatched';

/** What decides a pull request when the policy lists no bases: a person. */
export const UNLISTED_PULL_REQUEST = 'default.git.pull_requests';

// Writes that would let the agent hijack Warden's own git or its records: no file can grant them.
const BUILTIN_WRITE_DENY = ['.git', '.git/*', '*/.git', '*/.git/*', '.warden', '.warden/*'];
// Force push is never allowed, also when spelled as a shell command (`+ref` is a forced refspec);
// nor is deleting a remote branch (`--delete`, `-d`, `:ref`), which a re-push turns into a force push.
const BUILTIN_COMMAND_DENY = [
  'git *push*--force*',
  'git *push* -f*',
  'git *push*+*',
  'git *push*--mirror*',
  'git *push*--delete*',
  'git *push* -d *',
  'git *push* :*',
];

/** Cedar string literal: `*` is the only wildcard; quotes, backslashes and controls are escaped. */
export function cedarLike(pattern: string): string {
  return `"${escapeText(pattern)}"`;
}

function escapeText(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (code < 0x20 || code === 0x7f) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return out;
}

/** A Cedar string literal that matches only itself (no wildcard). */
export function cedarString(text: string): string {
  return `"${escapeText(text)}"`;
}

function each(list: readonly string[] | undefined, visit: (pattern: string, index: number) => void): void {
  for (const [i, p] of (list ?? []).entries()) visit(p, i);
}

/** The whole policy set: the file's rules in order, then the built-ins no file can remove. */
export function compilePolicy(file: PolicyFile): CompiledRule[] {
  const rules: CompiledRule[] = [];
  const add = (
    id: string,
    effect: CompiledRule['effect'],
    verdict: Verdict,
    pattern: string,
    head: string,
    when?: string,
    unless?: string,
  ) => {
    const condition = (when ? ` when { ${when} }` : '') + (unless ? ` unless { ${unless} }` : '');
    const text = `@id(${cedarString(id)})\n@verdict("${verdict}")\n${effect} (principal, ${head}, resource)${condition};`;
    const actions = [...head.matchAll(/Action::"(\w+)"/g)].map((m) => m[1] as string);
    rules.push({ id, effect, verdict, pattern, actions, text });
  };
  const act = (name: string) => `action == Action::"${name}"`;
  const like = (attr: string, p: string) => `resource.${attr} like ${cedarLike(p)}`;

  each(file.files?.read, (p, i) =>
    add(`files.read[${i}]`, 'permit', 'allow', p, act('read'), like('path', p)),
  );
  each(file.files?.write, (p, i) =>
    add(`files.write[${i}]`, 'permit', 'allow', p, act('write'), like('path', p)),
  );
  each(file.files?.deny, (p, i) =>
    add(
      `files.deny[${i}]`,
      'forbid',
      'deny',
      p,
      'action in [Action::"read", Action::"write"]',
      like('path', p),
    ),
  );
  for (const kind of ['allow', 'ask', 'deny'] as const) {
    each(file.commands?.[kind], (p, i) =>
      add(
        `commands.${kind}[${i}]`,
        kind === 'deny' ? 'forbid' : 'permit',
        kind,
        p,
        act('shell'),
        kind === 'allow' ? commandCondition(p) : like('line', p),
      ),
    );
  }
  each(file.network?.allow, (p, i) =>
    add(`network.allow[${i}]`, 'permit', 'allow', p, act('connect'), hostCondition(p)),
  );
  const deps = dependencyRules(file).add;
  add('dependencies', deps === 'deny' ? 'forbid' : 'permit', deps, deps, act('add_dependency'));
  each(file.git?.push, (p, i) => add(`git.push[${i}]`, 'permit', 'allow', p, act('push'), like('name', p)));
  // A pull request is judged by the branch it targets; with no list, a person decides each one.
  const pulls = file.git?.pull_requests;
  if (pulls === undefined)
    add(UNLISTED_PULL_REQUEST, 'permit', 'ask', 'no git.pull_requests list', act('open_pull_request'));
  each(pulls, (p, i) =>
    add(`git.pull_requests[${i}]`, 'permit', 'allow', p, act('open_pull_request'), like('base', p)),
  );
  // Each named credential may serve only the acts listed for it; the broker asks before every use.
  for (const [name, acts] of Object.entries(file.secrets ?? {})) {
    each(acts, (a, i) =>
      add(
        `secrets.${name}[${i}]`,
        'permit',
        'allow',
        `${name} for ${a}`,
        act('use_secret'),
        `resource.name == ${cedarString(name)} && context.act == ${cedarString(a)}`,
      ),
    );
  }
  // MCP tool calls: the call's arguments are in Cedar's context, one string per path a rule names.
  for (const rule of mcpCedarRules(file.mcp, cedarString, cedarLike))
    add(
      rule.id,
      rule.verdict === 'deny' ? 'forbid' : 'permit',
      rule.verdict,
      rule.pattern,
      act('mcp_call'),
      rule.when,
      rule.unless,
    );
  // Files that run later, outside the sandbox: judged after the files rules allow a write.
  for (const rule of runsLaterRules(file, like))
    add(
      rule.id,
      rule.verdict === 'deny' ? 'forbid' : 'permit',
      rule.verdict,
      rule.entry.paths.join(', '),
      act('plant'),
      rule.when,
    );

  each(BUILTIN_WRITE_DENY, (p, i) =>
    add(`default.files.deny[${i}]`, 'forbid', 'deny', p, act('write'), like('path', p)),
  );
  each(BUILTIN_COMMAND_DENY, (p, i) =>
    add(`default.commands.deny[${i}]`, 'forbid', 'deny', p, act('shell'), like('line', p)),
  );
  add('default.git.force_push', 'forbid', 'deny', 'force push', act('push'), 'context.force');
  add(UNMATCHED_COMMAND, 'permit', 'ask', '(no rule)', act('shell'));
  add(UNMATCHED_MCP, 'permit', 'ask', '(no rule)', act('mcp_call'));
  return rules;
}

/** Past this many word-ending stars in one pattern, the rest match any characters (a broader rule). */
const MAX_BOUNDED_STARS = 4;

/**
 * An allow pattern for commands as a Cedar condition. `*` matches any characters, except that a
 * `*` ending a word (after a letter, digit or `_`) completes that word instead of extending it:
 * `git diff*` allows `git diff`, `git diff <anything>` or `git diff=<anything>`, never
 * `git difftool`. Ask and deny patterns keep `*` free (`npm install evil*` covers `evil-pkg`):
 * where a pattern can be read two ways, it is read the way that grants less.
 */
export function commandCondition(pattern: string): string {
  return commandAlternatives(pattern)
    .map((alternative) => `resource.line like ${cedarLike(alternative)}`)
    .join(' || ');
}

export function commandAlternatives(pattern: string): string[] {
  let alternatives = [''];
  let bounded = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    const endsWord = ch === '*' && /\w/.test(pattern[i - 1] ?? '') && /^( |$)/.test(pattern[i + 1] ?? '');
    if (!endsWord || bounded >= MAX_BOUNDED_STARS) {
      alternatives = alternatives.map((a) => a + ch);
      continue;
    }
    bounded++;
    alternatives = alternatives.flatMap((a) => [a, `${a} *`, `${a}=*`]);
  }
  return alternatives;
}

/** `host:port`: a wildcard host never matches a raw IP; an IP must be listed literally. */
function hostCondition(pattern: string): string {
  const colon = pattern.lastIndexOf(':');
  const host = pattern
    .slice(0, colon)
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  const port = pattern.slice(colon + 1);
  const portTest = port === '*' ? '' : ` && resource.port == ${Number(port)}`;
  const hostTest = host.includes('*')
    ? `resource.name like ${cedarLike(host)} && !resource.ip`
    : `resource.name == ${cedarString(host)}`;
  return `${hostTest}${portTest}`;
}
