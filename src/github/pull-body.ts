import type { Report } from '../agent/events.ts';
import { type BranchRunsLaterFile, runsLaterSection } from '../broker/runs-later-files.ts';

/** GitHub's caps: a pull request or comment body, and a check run's summary. */
export const MAX_BODY_CHARS = 65_536;
export const MAX_SUMMARY_CHARS = 65_535;

/** A decision a person or the policy made during the session, for the record on GitHub. */
export interface Decision {
  tool: string;
  summary: string;
  outcome: 'allowed' | 'denied' | 'expired' | 'pending';
  /** Who answered an ask; undefined for the policy's own denials. */
  by?: string;
  asked: boolean;
}

export interface PullBodyInput {
  taskId: string;
  /** `#12` the task resolves, when it came from an issue. */
  closes?: number;
  trigger: { sender: string; url: string };
  report: Report;
  runsLater: BranchRunsLaterFile[] | { problem: string };
  decisions: Decision[];
  flags: Array<{ source: string; rule: string; detail: string }>;
  /** The signed receipt, as JSON text. */
  receipt: string;
  commit: string;
  /** The command that checks it, as the reader would type it. */
  verifyCommand: string;
}

/** Commands that run a project's tests or checks, to list them under "Tests". */
const TEST_COMMAND =
  /(?:^|[\s;&|(/])(?:pytest|py\.test|tox|nox|jest|vitest|mocha|ava|tap|rspec|phpunit|ctest|go test|cargo (?:test|nextest)|(?:npm|pnpm|yarn|bun)(?: run)? (?:test|check)|node --test|make (?:test|check)|gradle(?:w)? test|mvn test|dotnet test|python -m (?:pytest|unittest)|deno test|mix test|swift test)\b/;

/**
 * The pull request's body, written by Warden from the session's record: the agent's summary
 * (its own words, marked as such), then what a reviewer needs first — files that run outside the
 * sandbox — then the change, the tests and their results, the policy's decisions and who approved
 * what, instruction-like text found in the issue or repository, cost, and the signed receipt.
 */
export function pullRequestBody(input: PullBodyInput): string {
  const { report } = input;
  const sections: string[] = [];
  const lead = `Warden's work on ${input.closes ? `#${input.closes}` : 'this request'}, asked by @${input.trigger.sender} ([trigger](${input.trigger.url})) — task \`${input.taskId}\`, ${statusLine(report)}.`;
  sections.push(input.closes ? `${lead}\n\nCloses #${input.closes}.` : lead);
  const runsLater = runsLaterSection(input.runsLater);
  if (runsLater) sections.push(runsLater);
  sections.push(
    `### Summary\n_The agent's own words, shown as text._\n\n${fenced(report.summary || '(no summary)')}`,
  );
  sections.push(changesSection(report));
  sections.push(testsSection(report));
  sections.push(decisionsSection(input.decisions, report.denials));
  if (input.flags.length > 0) sections.push(flagsSection(input.flags));
  sections.push(costSection(report));
  const receipt = receiptSection(input);
  return fit(sections, receipt);
}

function statusLine(report: Report): string {
  if (report.status === 'finished') return 'finished';
  return `${report.status}: ${codeSpan(report.reason)}`;
}

function changesSection(report: Report): string {
  const { files, added, removed } = report.diffStat;
  const head = `### Changes\n${files} file${files === 1 ? '' : 's'}, +${added} −${removed}`;
  if (report.filesChanged.length === 0) return head;
  const rows = report.filesChanged
    .slice(0, 100)
    .map((f) => `| ${cell(codeSpan(f.path))} | ${f.kind} | +${f.added} −${f.removed} |`);
  if (report.filesChanged.length > 100) rows.push(`| and ${report.filesChanged.length - 100} more | | |`);
  return `${head}\n\n| file | change | lines |\n|---|---|---|\n${rows.join('\n')}`;
}

/** The last command that ran the project's tests, if any did. */
export function lastTestRun(report: Report): Report['commands'][number] | undefined {
  return report.commands.findLast((c) => TEST_COMMAND.test(c.command));
}

function testsSection(report: Report): string {
  const tests = report.commands.filter((c) => TEST_COMMAND.test(c.command));
  const others = report.commands.length - tests.length;
  const tail = others > 0 ? `\n\n${others} other command${others === 1 ? '' : 's'} ran in the sandbox.` : '';
  if (tests.length === 0) return `### Tests\nNo test command ran.${tail}`;
  const rows = tests.slice(-20).map((c) => {
    const result = c.timedOut
      ? '⏱ timed out'
      : c.exitCode === 0
        ? '✅ passed'
        : `❌ exit ${c.exitCode ?? '?'}`;
    return `| ${cell(codeSpan(c.command))} | ${result} | ${(c.durationMs / 1000).toFixed(1)} s |`;
  });
  const last = lastTestRun(report);
  const verdict =
    last && last.exitCode === 0 && !last.timedOut
      ? 'The last test run passed.'
      : '**The last test run did not pass.**';
  return `### Tests\n${verdict}\n\n| command | result | time |\n|---|---|---|\n${rows.join('\n')}${tail}`;
}

function decisionsSection(decisions: Decision[], denials: number): string {
  const asked = decisions.filter((d) => d.asked);
  const head = `### Policy decisions\n${asked.length} ask${asked.length === 1 ? '' : 's'}, ${denials} denial${denials === 1 ? '' : 's'}.`;
  if (decisions.length === 0) return head;
  const rows = decisions.slice(0, 50).map((d) => {
    // Warden's account names are not GitHub's: shown as names, never as @mentions of someone else.
    const who = d.asked ? (d.by ? codeSpan(d.by) : '—') : 'the policy';
    return `| ${cell(codeSpan(d.tool))} | ${cell(codeSpan(d.summary))} | ${d.outcome} | ${cell(who)} |`;
  });
  return `${head}\n\n| tool | what | outcome | by |\n|---|---|---|---|\n${rows.join('\n')}`;
}

function flagsSection(flags: PullBodyInput['flags']): string {
  const rows = flags
    .slice(0, 30)
    .map((f) => `- ${codeSpan(f.rule)} in ${codeSpan(f.source)}: ${codeSpan(f.detail)}`);
  return `### ⚠️ Instruction-like text found\nWarden handed this text to the agent as data only; the policy decided every action. Read the summary and the diff with it in mind.\n\n${rows.join('\n')}`;
}

function costSection(report: Report): string {
  const models = Object.keys(report.byModel);
  const cost =
    report.cost === undefined ? 'cost unknown (no price for the model)' : `$${report.cost.toFixed(4)}`;
  const tokens = report.tokens.inputTokens + report.tokens.outputTokens;
  return `### Cost\n${cost} · ${tokens.toLocaleString('en-US')} tokens · ${report.turns} turn${report.turns === 1 ? '' : 's'} · ${(report.durationMs / 1000).toFixed(0)} s · ${models.map(codeSpan).join(', ') || 'no model call'}`;
}

function receiptSection(input: PullBodyInput): string {
  const facts = receiptFacts(input.receipt);
  return `### Receipt\nSigned by Warden (an in-toto statement in a DSSE envelope${facts.key ? `, key \`${facts.key}\`` : ''}) for commit \`${input.commit}\`. Check it offline with \`${input.verifyCommand}\`.\n\n${facts.table}<details><summary>receipt.json</summary>\n\n\`\`\`json\n${input.receipt}\n\`\`\`\n\n</details>`;
}

/** What the receipt vouches for, readable without decoding its base64 payload. */
function receiptFacts(receipt: string): { table: string; key?: string } {
  try {
    const envelope = JSON.parse(receipt) as { payload: string; signatures: Array<{ keyid: string }> };
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as {
      predicate: Record<string, unknown> & {
        policy: { name: string; digest: string };
        audit: { merkleRoot: string; lastSeq: number };
      };
    };
    const p = statement.predicate;
    const rows = [
      ['from', `\`${String(p.baseCommit)}\``],
      ['to', `\`${String(p.commit)}\` (tree \`${String(p.tree)}\`)`],
      ['diff', `\`${String(p.diffDigest)}\``],
      ['policy', `${codeSpan(p.policy.name)} \`${p.policy.digest}\``],
      ['audit log', `Merkle root \`${p.audit.merkleRoot}\` at record ${p.audit.lastSeq}`],
    ];
    const key = envelope.signatures[0]?.keyid;
    return {
      table: `| | |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}\n\n`,
      ...(key ? { key } : {}),
    };
  } catch {
    return { table: '' };
  }
}

/** Sections in order, the receipt always whole: the longest middle sections are cut first. */
function fit(sections: string[], receipt: string): string {
  const joined = () => [...sections, receipt].join('\n\n');
  let body = joined();
  while (body.length > MAX_BODY_CHARS) {
    let longest = 1;
    for (let i = 1; i < sections.length; i++)
      if ((sections[i]?.length ?? 0) > (sections[longest]?.length ?? 0)) longest = i;
    const text = sections[longest] ?? '';
    const over = body.length - MAX_BODY_CHARS;
    sections[longest] =
      `${text.slice(0, Math.max(0, text.length - over - 40))}\n\n… (cut to fit GitHub's limit)`;
    body = joined();
  }
  return body;
}

/**
 * Text the model wrote, as a fenced block that GitHub shows and never renders: an image or HTML in
 * it would be fetched by GitHub for every reader, a way out for what the session read.
 */
export function fenced(text: string): string {
  const runs = text.match(/`{3,}|~{3,}/g) ?? [];
  const fence = '`'.repeat(Math.max(3, ...runs.map((r) => r.length)) + 1);
  return `${fence}text\n${text}\n${fence}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** A table cell: GitHub splits cells at every `|`, even inside a code span, unless escaped. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** A code span that holds any text: a fence longer than any backtick run inside it. */
export function codeSpan(text: string): string {
  const clean = oneLine(text).slice(0, 200);
  const runs = clean.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}
