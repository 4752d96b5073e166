import { refNameProblem } from '../guard/git-ref-name.ts';

/** What `gh pr create` asks for, as the broker makes it. */
export interface PrCreateCommand {
  title: string;
  body: string;
  /** Unset: the repository's default branch, asked of the API. */
  base?: string;
  /** Unset: the current branch. */
  head?: string;
  draft: boolean;
}

export type PrCommandMatch =
  | { kind: 'create'; command: PrCreateCommand }
  | { kind: 'refused'; reason: string };

export const PR_FORM = '`gh pr create --title T --body B [--base BRANCH] [--head BRANCH] [--draft]`';

// gh's own spellings of the options the broker takes; anything else it would do (--fill, --web,
// --repo, --reviewer, --body-file, …) is not the broker's to do.
const VALUED: Record<string, 'title' | 'body' | 'base' | 'head'> = {
  '--title': 'title',
  '-t': 'title',
  '--body': 'body',
  '-b': 'body',
  '--base': 'base',
  '-B': 'base',
  '--head': 'head',
  '-H': 'head',
};
const DRAFT = new Set(['--draft', '-d']);

/**
 * The argv of a plain command (literal words, see plain-command.ts) read as `gh pr create`: the
 * request, a refusal that says what the broker takes, or undefined when it is not that command.
 * Branch names are checked here, before anything is asked or sent.
 */
export function parsePrCreate(words: readonly string[]): PrCommandMatch | undefined {
  if (words[0] !== 'gh' || words[1] !== 'pr' || words[2] !== 'create') return undefined;
  const refused = (reason: string): PrCommandMatch => ({ kind: 'refused', reason });
  const given: Partial<Record<'title' | 'body' | 'base' | 'head', string>> = {};
  let draft = false;
  const args = words.slice(3);
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as string;
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const flag = eq > 0 ? word.slice(0, eq) : word;
    if (DRAFT.has(flag)) {
      const value = eq > 0 ? word.slice(eq + 1) : 'true';
      if (value !== 'true' && value !== 'false')
        return refused(`${flag} is true or false, not ${JSON.stringify(value)}`);
      draft = value === 'true';
      continue;
    }
    const key = VALUED[flag];
    if (key === undefined) {
      return refused(
        word.startsWith('-')
          ? `the broker does not open pull requests with ${flag}; it makes ${PR_FORM}`
          : `gh pr create takes no arguments (${JSON.stringify(word)}); the broker makes ${PR_FORM}`,
      );
    }
    if (given[key] !== undefined) return refused(`${flag} is given twice`);
    const value = eq > 0 ? word.slice(eq + 1) : args[++i];
    if (value === undefined) return refused(`${flag} needs a value`);
    given[key] = value;
  }
  const { title, body, base, head } = given;
  if (title === undefined || body === undefined)
    return refused(`give both --title and --body (the broker neither prompts nor fills them in): ${PR_FORM}`);
  if (title.trim() === '') return refused('the title is empty');
  for (const [option, branch] of [
    ['--base', base],
    ['--head', head],
  ] as const) {
    if (branch === undefined) continue;
    if (option === '--head' && branch.includes(':'))
      return refused(
        `${JSON.stringify(branch)}: pull requests from another repository (owner:branch) are not made by the broker`,
      );
    const problem = refNameProblem(branch);
    if (problem)
      return refused(`${option} ${JSON.stringify(branch)} is not a branch name Warden acts on: ${problem}`);
  }
  return {
    kind: 'create',
    command: {
      title,
      body,
      draft,
      ...(base === undefined ? {} : { base }),
      ...(head === undefined ? {} : { head }),
    },
  };
}
