import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { WardenError } from '../errors.ts';
import { readActivity, type SessionActivity } from '../evidence/audit-activity.ts';
import { describeObserved } from '../evidence/describe.ts';
import { notAllowedBy, suggestPolicy } from '../evidence/suggest.ts';
import { suggestionDiff, suggestionText } from '../evidence/suggest-text.ts';
import { compileToPolicy } from '../policy/engine.ts';
import { loadPolicy } from '../policy/load.ts';
import { parsePolicyFile } from '../policy/policy-file.ts';
import { parseFlags, positiveNumber } from './args.ts';
import { namedLogs } from './audit-logs.ts';
import type { CommandIo } from './main.ts';
import { forTerminal } from './terminal.ts';

const DEFAULT_POLICY = new URL('../policy/default.policy.yaml', import.meta.url);

/** The audit logs named by --from-audit (files or directories) and positionals, or a server's under --data. */
export async function activitiesFrom(
  logs: readonly string[],
  data: string | undefined,
  io: CommandIo,
): Promise<SessionActivity[]> {
  const names = [...logs, ...(data ? [join(resolve(io.cwd, data), 'audit')] : [])];
  if (names.length === 0)
    throw new WardenError('usage', 'which sessions? name their audit logs', {
      hint: 'warden policy suggest --from-audit .warden/audit (a directory, or *.audit.jsonl files), or --data DIR for a server',
    });
  const files = [...new Set(names.flatMap((name) => namedLogs([name], io.cwd, io.cwd)))];
  return Promise.all(files.map(readActivity));
}

export async function policySuggestCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags('policy', args, {
    'from-audit': { type: 'string', multiple: true },
    data: { type: 'string' },
    policy: { type: 'string' },
    out: { type: 'string' },
    siblings: { type: 'string' },
    json: { type: 'boolean' },
  });
  const activities = await activitiesFrom([...(values['from-audit'] ?? []), ...positionals], values.data, io);
  const currentFile = values.policy ? resolve(io.cwd, values.policy) : undefined;
  const current = await loadPolicy(currentFile);
  const currentText = await readFile(currentFile ?? DEFAULT_POLICY, 'utf8');
  const siblings = positiveNumber('siblings', values.siblings) ?? 4;
  const suggestion = await suggestPolicy(activities, current, { siblings: Math.ceil(siblings) });
  const text = suggestionText(suggestion, currentText, current.source);
  const parsed = parsePolicyFile(text, 'suggested.policy.yaml');
  if (!parsed.ok)
    throw new WardenError(
      'evidence.suggest',
      `the suggestion does not validate: ${parsed.errors.map((e) => e.describe()).join('; ')}`,
    );
  const missing = await notAllowedBy(await compileToPolicy(parsed.file, 'suggested.policy.yaml'), activities);
  const diff = suggestionDiff(currentText, values.policy ?? 'default.policy.yaml', text);
  if (values.out) await writeFile(resolve(io.cwd, values.out), text);
  if (values.json) {
    io.stdout(
      `${JSON.stringify({ policy: text, diff, rules: suggestion.rules, review: suggestion.review, refused: suggestion.refused, undescribed: suggestion.undescribed, notAllowed: missing })}\n`,
    );
    return 0;
  }
  const actions = activities.reduce((n, a) => n + a.actions.length, 0);
  const out = [
    `${activities.length} session(s), ${actions} judged actions; ${suggestion.rules.filter((r) => r.origin === 'generalised').length} generalised entries (marked GENERALISED), ${suggestion.review.length} approved by a person and left asked, ${suggestion.refused.length} denied or not approved and left so.`,
    values.out ? `suggested policy written to ${values.out}` : '',
    diff,
  ];
  if (suggestion.review.length > 0) {
    out.push(
      'Approved by a person, still asked in the suggestion (allow them by hand if they should never be asked):',
    );
    for (const o of suggestion.review) out.push(`  ${describeObserved(o)}  — approved by ${o.approval?.by}`);
  }
  if (suggestion.undescribed > 0)
    out.push(
      `${suggestion.undescribed} decision(s) came from logs that do not record the action judged (an older Warden): not in the suggestion.`,
    );
  for (const { observed, reason } of missing)
    out.push(`NOT ALLOWED by the suggestion: ${describeObserved(observed)} (${reason})`);
  io.stdout(`${forTerminal(out.filter(Boolean).join('\n'))}\n`);
  return 0;
}
