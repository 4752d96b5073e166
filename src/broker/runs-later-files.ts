import { classifyRunsLater, contentJudged } from '../policy/runs-later.ts';
import { git } from './git.ts';

/** A file of a branch that runs later, outside the sandbox. */
export interface BranchRunsLaterFile {
  path: string;
  kind: 'added' | 'modified' | 'deleted';
  what: string;
  runs: string;
}

/** At most this many are listed in a pull request's body; the rest are counted. */
const LISTED = 50;

/**
 * The files that run later which `head` changes compared with where it left `base`: the merge
 * base with the remote's (or else the local) `base`, and failing both, the commits of `head` that
 * no other branch holds. package.json and its kind count only when a lifecycle script or the
 * like changed, as when they were written.
 */
export async function runsLaterInBranch(
  root: string,
  branch: { remote: string; base: string; head: string },
): Promise<BranchRunsLaterFile[] | { problem: string }> {
  const head = `refs/heads/${branch.head}`;
  if ((await git(root, ['rev-parse', '--verify', '--quiet', `${head}^{commit}`])).code !== 0)
    return { problem: `there is no local branch ${branch.head}` };
  const from = await startOf(root, branch, head);
  if ('problem' in from) return from;
  const diff = await git(root, ['diff-tree', '-r', '-z', '--no-renames', '--name-status', from.rev, head]);
  if (diff.code !== 0) return { problem: `git diff-tree failed: ${diff.stderr.trim()}` };
  const fields = diff.stdout.split('\0');
  const found: BranchRunsLaterFile[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const code = fields[i] ?? '';
    const path = fields[i + 1] ?? '';
    const kind = code === 'A' ? 'added' : code === 'D' ? 'deleted' : 'modified';
    let content: { before?: string; after?: string } = { after: '' };
    if (contentJudged(path)) {
      if (kind === 'deleted') continue;
      content = {
        ...(kind === 'added' ? {} : { before: await blob(root, from.rev, path) }),
        after: (await blob(root, head, path)) ?? '',
      };
    }
    const [entry] = classifyRunsLater(path, content);
    if (entry) found.push({ path, kind, what: entry.what, runs: entry.runs });
  }
  return found;
}

async function startOf(
  root: string,
  branch: { remote: string; base: string; head: string },
  head: string,
): Promise<{ rev: string } | { problem: string }> {
  for (const ref of [`refs/remotes/${branch.remote}/${branch.base}`, `refs/heads/${branch.base}`]) {
    const base = await git(root, ['merge-base', ref, head]);
    if (base.code === 0) return { rev: base.stdout.trim() };
  }
  // Its own branch, also as pushed to the remote, is left out of the others.
  const own = await git(root, [
    'rev-list',
    '--reverse',
    head,
    '--not',
    `--exclude=${branch.head}`,
    '--branches',
    `--exclude=${branch.remote}/${branch.head}`,
    '--remotes',
  ]);
  if (own.code !== 0) return { problem: `git rev-list failed: ${own.stderr.trim()}` };
  const first = own.stdout.split('\n')[0];
  if (!first) return { rev: head };
  const parent = await git(root, ['rev-parse', '--verify', '--quiet', `${first}^`]);
  // A root commit: everything in it is new. The empty tree's id is fixed by git.
  return { rev: parent.code === 0 ? parent.stdout.trim() : '4b825dc642cb6eb9a060e54bf8d69288fbee4904' };
}

async function blob(root: string, rev: string, path: string): Promise<string | undefined> {
  const shown = await git(root, ['cat-file', 'blob', `${rev}:${path}`]);
  return shown.code === 0 ? shown.stdout : undefined;
}

/**
 * The section Warden appends to a pull request's body, after the model's text: the files a
 * reviewer should read before approving the workflows a pull request from an agent would run.
 * Empty when there are none.
 */
export function runsLaterSection(files: BranchRunsLaterFile[] | { problem: string }): string {
  if (Array.isArray(files) && files.length === 0) return '';
  const title = '### Runs outside the sandbox\n_Listed by Warden, not written by the agent._\n\n';
  if ('problem' in files) return `${title}Warden could not list them: ${oneLine(files.problem)}.`;
  if (files.length === 0)
    return `${title}None: this pull request changes no file that runs later outside the sandbox.`;
  const lines = files
    .slice(0, LISTED)
    .map((f) => `- ${codeSpan(f.path)}${f.kind === 'modified' ? '' : ` (${f.kind})`} — ${f.what}: ${f.runs}`);
  if (files.length > LISTED) lines.push(`- and ${files.length - LISTED} more`);
  return `${title}These run later with more power than the agent had: review them before approving workflows for this pull request.\n\n${lines.join('\n')}`;
}

/** A path as inline code whatever it holds: a fence longer than any run of backticks in it. */
function codeSpan(text: string): string {
  const clean = oneLine(text);
  const longest = Math.max(0, ...[...clean.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  return text.replace(/[\u0000-\u001f\u007f]/g, '?');
}
