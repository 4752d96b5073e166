import { diffDigest } from './diff-digest.ts';
import { commitId, firstLine, receiptGit } from './receipt-git.ts';
import type { ReceiptPredicate } from './statement.ts';
import type { ReceiptCheck } from './verify.ts';

/**
 * The receipt against a repository on this machine: the commit is there as its id names it (not
 * only through `git replace`), its tree is the receipt's, and the patch from the base hashes to the
 * receipt's digest — which catches content changed under unchanged ids (a rewritten object file).
 */
export async function repositoryChecks(
  repo: string,
  predicate: ReceiptPredicate,
  rev: string | undefined,
): Promise<ReceiptCheck[]> {
  const checks: ReceiptCheck[] = [];
  const { commit, baseCommit, tree } = predicate;
  const found = await commitId(repo, commit);
  const replaced = await receiptGit(repo, ['rev-parse', '--verify', '--quiet', `refs/replace/${commit}`]);
  if (found !== commit) {
    checks.push({ name: 'commit', ok: false, detail: `commit ${commit} is not in ${repo}` });
    return checks;
  }
  if (replaced.code === 0) {
    checks.push({
      name: 'commit',
      ok: false,
      detail: `the repository replaces commit ${commit} with ${replaced.stdout.trim()} (git replace): git shows another commit under its id`,
    });
    return checks;
  }
  checks.push({ name: 'commit', ok: true, detail: `commit ${commit} is in the repository` });

  if (rev !== undefined) {
    const at = await commitId(repo, rev);
    checks.push(
      at === commit
        ? { name: 'rev', ok: true, detail: `${rev} is the receipt's commit` }
        : {
            name: 'rev',
            ok: false,
            detail: `${rev} is ${at ?? 'not a commit'}, not the receipt's commit ${commit}`,
          },
    );
  }

  const actualTree = await receiptGit(repo, ['rev-parse', '--verify', `${commit}^{tree}`]);
  const treeId = actualTree.code === 0 ? actualTree.stdout.trim() : undefined;
  checks.push(
    treeId === tree
      ? { name: 'tree', ok: true, detail: `the commit's tree is ${tree}` }
      : {
          name: 'tree',
          ok: false,
          detail: `the commit's tree is ${treeId ?? `unreadable (${firstLine(actualTree.stderr)})`}, the receipt says ${tree}`,
        },
  );

  if ((await commitId(repo, baseCommit)) !== baseCommit) {
    checks.push({ name: 'diff', ok: false, detail: `the base commit ${baseCommit} is not in ${repo}` });
    return checks;
  }
  let digest: string;
  try {
    digest = await diffDigest(repo, baseCommit, commit);
  } catch (error) {
    checks.push({
      name: 'diff',
      ok: false,
      detail: `the diff could not be made: ${(error as Error).message}`,
    });
    return checks;
  }
  checks.push(
    digest === predicate.diffDigest
      ? {
          name: 'diff',
          ok: true,
          detail: `the diff ${short(baseCommit)}..${short(commit)} hashes to ${digest}`,
        }
      : {
          name: 'diff',
          ok: false,
          detail: `the diff ${short(baseCommit)}..${short(commit)} hashes to ${digest}, the receipt says ${predicate.diffDigest}`,
        },
  );
  return checks;
}

function short(id: string): string {
  return id.slice(0, 12);
}
