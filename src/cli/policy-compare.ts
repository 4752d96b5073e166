import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileProblem, WardenError } from '../errors.ts';
import { catalogCommands, distinct, generatedRequests, requestsFromLogs } from '../evidence/corpus.ts';
import { assertNever, parseNever } from '../evidence/never.ts';
import { comparePolicies } from '../evidence/policy-diff.ts';
import { loadPolicy } from '../policy/load.ts';
import { parseFlags } from './args.ts';
import type { CommandIo } from './main.ts';
import { activitiesFrom } from './policy-suggest.ts';
import { forTerminal } from './terminal.ts';

/** `warden policy diff A B`: which requests of the corpus the two policies decide differently. */
export async function policyDiffCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags('policy', args, {
    'from-audit': { type: 'string', multiple: true },
    data: { type: 'string' },
    generated: { type: 'string' },
    seed: { type: 'string' },
    catalog: { type: 'string' },
    examples: { type: 'string' },
    json: { type: 'boolean' },
  });
  const [fileA, fileB, ...logs] = positionals;
  if (!fileA || !fileB)
    throw new WardenError('usage', 'diff takes two policy files', {
      hint: 'warden policy diff A.yaml B.yaml [--from-audit LOG…] [--generated 2000]',
    });
  const [a, b] = await Promise.all([loadPolicy(resolve(io.cwd, fileA)), loadPolicy(resolve(io.cwd, fileB))]);
  const fromAudit = [...(values['from-audit'] ?? []), ...logs];
  const activities = fromAudit.length || values.data ? await activitiesFrom(fromAudit, values.data, io) : [];
  const generated = wholeNumber('generated', values.generated) ?? 1000;
  const seed = wholeNumber('seed', values.seed) ?? 1;
  const catalog = values.catalog ? await readCatalog(resolve(io.cwd, values.catalog)) : [];
  const corpus = distinct([
    ...requestsFromLogs(activities),
    ...(await generatedRequests([a.file, b.file], catalog, generated, seed)),
  ]);
  const compared = await comparePolicies(a, b, corpus);
  if (values.json) {
    io.stdout(`${JSON.stringify({ a: fileA, b: fileB, seed, ...compared })}\n`);
    return compared.differences.length === 0 ? 0 : 1;
  }
  const shown = wholeNumber('examples', values.examples) ?? 3;
  const lines = [
    `${compared.total} requests (${compared.fromLogs} from ${activities.length} audit log(s), the rest generated with seed ${seed}); ${compared.differences.length} decided differently by ${fileA} (A) and ${fileB} (B).`,
  ];
  for (const group of compared.groups) {
    lines.push(
      '',
      `${group.kind}  ${group.change}  ×${group.requests.length}   A: ${group.aRules.join(', ') || '(no rule)'}   B: ${group.bRules.join(', ') || '(no rule)'}`,
    );
    for (const d of group.requests.slice(0, shown))
      lines.push(`  ${d.request}${d.origin === 'generated' ? '' : `   (${d.origin})`}`);
    if (group.requests.length > shown)
      lines.push(`  … and ${group.requests.length - shown} more (--json lists all)`);
  }
  io.stdout(`${forTerminal(lines.join('\n'))}\n`);
  return compared.differences.length === 0 ? 0 : 1;
}

/** `warden policy assert POLICY --never PATTERN…`: exit 1 with a counterexample when the policy could allow one. */
export async function policyAssertCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags('policy', args, {
    never: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  });
  const [file, extra] = positionals;
  if (!file || extra !== undefined || !values.never?.length)
    throw new WardenError('usage', 'assert takes one policy file and at least one --never pattern', {
      hint: "warden policy assert policy.yaml --never 'command: curl *' --never 'write: .github/**'",
    });
  const nevers = values.never.map(parseNever);
  const policy = await loadPolicy(resolve(io.cwd, file));
  const verdicts = [];
  for (const never of nevers) verdicts.push(await assertNever(policy, never));
  const failed = verdicts.filter((v) => v.allowed.length > 0);
  if (values.json) {
    io.stdout(`${JSON.stringify({ policy: file, ok: failed.length === 0, verdicts })}\n`);
    return failed.length === 0 ? 0 : 1;
  }
  const lines: string[] = [];
  for (const v of verdicts) {
    const rules = v.overlapping.length
      ? `rules that could match: ${v.overlapping.map((o) => `${o.rule} (${o.pattern})`).join(', ')}`
      : 'no allow rule matches it as written';
    if (v.allowed.length === 0) {
      lines.push(`ok    never ${v.never.text}: none of ${v.tried} requests allowed; ${rules}`);
      continue;
    }
    const [first] = v.allowed;
    lines.push(
      `FAIL  never ${v.never.text}: ${v.allowed.length} of ${v.tried} requests allowed; ${rules}`,
      `  counterexample: ${first?.request}`,
      `  allowed by ${first?.policies.join(', ') || '(no rule)'}: ${first?.reason}`,
      ...v.allowed.slice(1, 4).map((a) => `  also: ${a.request}  [${a.policies.join(', ')}]`),
    );
  }
  io.stdout(`${forTerminal(lines.join('\n'))}\n`);
  return failed.length === 0 ? 0 : 1;
}

function wholeNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value))
    throw new WardenError('usage', `--${flag} must be a whole number, got "${value}"`);
  return Number(value);
}

async function readCatalog(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new WardenError('usage', `cannot read the catalog ${file}: it ${fileProblem(error)}`);
  }
  try {
    return catalogCommands(JSON.parse(text), file);
  } catch (error) {
    if (error instanceof WardenError) throw error;
    throw new WardenError('usage', `${file} is not JSON: ${(error as Error).message}`);
  }
}
