import type { Report, WardenEvent } from '../agent/events.ts';
import { createStyle, formatCost, formatDuration, forTerminal, type Style } from './terminal.ts';

export interface LiveViewOptions {
  write: (text: string) => void;
  /** A TTY gets colour and a progress line that updates in place on long steps. */
  tty: boolean;
  now?: () => number;
}

const SHELL_TAIL_LINES = 12;
const PROGRESS_AFTER_MS = 1000;

/** The readable live view of a session: one consumer of the event stream among others. */
export function createLiveView(options: LiveViewOptions): {
  sink: (event: WardenEvent) => void;
  close(): void;
} {
  const style = createStyle(options.tty);
  const now = options.now ?? Date.now;
  const write = options.write;
  const pending = new Map<string, string>();
  let progress: { label: string; since: number; timer: NodeJS.Timeout } | undefined;

  const stopProgress = (): void => {
    if (!progress) return;
    clearInterval(progress.timer);
    if (options.tty) write('\r\u001b[2K');
    progress = undefined;
  };
  const startProgress = (label: string): void => {
    stopProgress();
    if (!options.tty) return;
    const since = now();
    const timer = setInterval(() => {
      const elapsed = now() - since;
      if (elapsed >= PROGRESS_AFTER_MS)
        write(`\r\u001b[2K${style.dim(`  … ${label} · ${formatDuration(elapsed)}`)}`);
    }, 250);
    timer.unref();
    progress = { label, since, timer };
  };

  const sink = (event: WardenEvent): void => {
    stopProgress();
    switch (event.type) {
      case 'session.started':
        write(
          `${style.bold('warden')} · session ${event.session} · model ${forTerminal(event.model)}${event.resumedFrom ? ' · resumed' : ''}\n` +
            `${style.dim(`repo ${forTerminal(event.repo)}`)}\n${style.dim('task')} ${forTerminal(event.task)}\n`,
        );
        return;
      case 'model.request':
        write(`\n${style.cyan(`turn ${event.turn}`)} ${style.dim(`· ${event.messages} messages`)}\n`);
        startProgress('waiting for the model');
        return;
      case 'model.retry':
        write(
          style.yellow(
            `  model retry ${event.attempt} in ${formatDuration(event.delayMs)}: ${forTerminal(event.reason)}\n`,
          ),
        );
        startProgress('waiting for the model');
        return;
      case 'model.response':
        if (event.text.trim()) write(`${indent(forTerminal(event.text.trim()), '  ')}\n`);
        return;
      case 'context.compacted':
        write(style.dim(`  context compacted: ${event.messagesBefore} → ${event.messagesAfter} messages\n`));
        return;
      case 'tool.requested': {
        // Cleaned once, here: the label is reused by the progress line.
        const label = forTerminal(`${event.tool} ${describeArgs(event.args)}`.trim());
        pending.set(event.callId, label);
        write(`  ${style.bold('→')} ${label}\n`);
        return;
      }
      case 'tool.started':
        startProgress(`running ${pending.get(event.callId) ?? forTerminal(event.tool)}`);
        return;
      case 'tool.progress':
        startProgress(forTerminal(event.message));
        return;
      case 'file.changed':
        write(`${indent(colourDiff(forTerminal(event.diff), style), '    ')}\n`);
        return;
      case 'tool.finished': {
        pending.delete(event.callId);
        const failed = !event.ok || (event.command !== undefined && event.command.exitCode !== 0);
        const mark = failed ? style.red('✗') : style.green('✓');
        const head = event.command
          ? `exit ${event.command.exitCode ?? 'killed'}${event.command.timedOut ? ' (timed out)' : ''}${event.command.limit === 'disk' ? ' (disk limit)' : ''}`
          : firstLine(event.output);
        write(`    ${mark} ${forTerminal(head)} ${style.dim(`· ${formatDuration(event.durationMs)}`)}\n`);
        // The body adds something only when it is more than the line already shown (a denial is not).
        const body =
          event.tool === 'shell' ? tail(event.output, SHELL_TAIL_LINES) : event.ok ? '' : event.output;
        if (body.trim() && body.trim() !== head.trim()) {
          write(`${style.dim(indent(forTerminal(body), '      '))}\n`);
        }
        return;
      }
      case 'policy.decided':
        if (event.decision === 'allow') return;
        write(
          `    ${event.decision === 'deny' ? style.red('policy: deny') : style.yellow('policy: ask')} ${style.dim(
            `(${event.policies.join(', ') || 'default'})`,
          )} ${forTerminal(event.reason)}\n`,
        );
        return;
      case 'approval.resolved':
        write(
          `    ${event.decision === 'allow' ? style.green('approved') : style.red('not approved')} ${style.dim(`by ${forTerminal(event.by)}`)}\n`,
        );
        return;
      case 'net.request':
        write(
          `    ${event.allowed ? style.green('net') : style.red('net blocked')} ${forTerminal(`${event.method} ${event.host}:${event.port}`)} ${style.dim(`${event.bytes} bytes`)}\n`,
        );
        return;
      case 'guard.flagged':
        write(
          style.yellow(
            `    flagged ${forTerminal(event.rule)} in ${forTerminal(event.source)}: ${forTerminal(event.detail)}\n`,
          ),
        );
        return;
      case 'mcp.server': {
        const ok = event.status === 'connected';
        const line = ok
          ? `${event.tools.length} tools${event.pinned.length ? `, pinned now: ${event.pinned.join(', ')}` : ''}${event.withheld.length ? `; withheld: ${event.withheld.map((w) => `${w.tool} (${w.reason})`).join('; ')}` : ''}`
          : `${event.status}${event.detail ? `: ${event.detail}` : ''}`;
        const text = `  mcp ${forTerminal(event.server)} ${forTerminal(line)}\n`;
        write(ok && event.withheld.length === 0 ? style.dim(text) : style.yellow(text));
        return;
      }
      case 'limit.reached':
        write(style.yellow(`  limit reached: ${event.limit} (${event.value} of ${event.max})\n`));
        return;
      case 'session.finished':
        write(renderReport(event.report, style));
        return;
      default:
        return;
    }
  };
  return { sink, close: stopProgress };
}

export function renderReport(report: Report, style: Style = createStyle(false)): string {
  const statusColour =
    report.status === 'finished' ? style.green : report.status === 'failed' ? style.red : style.yellow;
  const lines = [
    '',
    style.bold('── report ──────────────────────────────────────────'),
    `status    ${statusColour(report.status)} (${forTerminal(report.reason)})`,
  ];
  if (report.summary)
    lines.push(`summary   ${indent(forTerminal(report.summary), '          ').trimStart()}`);
  lines.push(
    `files     ${report.diffStat.files} changed, ${style.green(`+${report.diffStat.added}`)} ${style.red(`-${report.diffStat.removed}`)}`,
  );
  for (const file of report.filesChanged) {
    const mark = { added: 'A', modified: 'M', deleted: 'D', moved: 'R' }[file.kind];
    const name = file.from ? `${file.from} → ${file.path}` : file.path;
    lines.push(`          ${mark} ${forTerminal(name)} +${file.added} -${file.removed}`);
  }
  lines.push(...runsLaterLines(report, style));
  if (report.commands.length === 0) lines.push('commands  none');
  report.commands.forEach((command, i) => {
    const exit = command.timedOut
      ? 'timed out'
      : `exit ${command.exitCode ?? 'killed'}${command.limit === 'disk' ? ' (stopped: disk limit)' : ''}`;
    lines.push(
      `${i === 0 ? 'commands  ' : '          '}${forTerminal(firstLine(command.command))} → ${exit} (${formatDuration(command.durationMs)})`,
    );
  });
  const t = report.tokens;
  lines.push(
    `tokens    in ${t.inputTokens} · out ${t.outputTokens} · cache read ${t.cacheReadTokens} · cache write ${t.cacheWriteTokens}`,
    `cost      ${formatCost(report.cost)}`,
    ...perModel(report),
    `duration  ${formatDuration(report.durationMs)} · ${report.turns} turns · ${report.toolCalls} tool calls (${report.toolErrors} errors, ${report.denials} denied)`,
    '',
  );
  return lines.join('\n');
}

const OUTCOME: Record<NonNullable<Report['runsLater']>[number]['outcome'], string> = {
  changed: 'changed',
  refused: 'refused',
  reverted: 'written by a command, put back',
  'not-reverted': 'written by a command, NOT put back',
};

/** Files that run later, outside the sandbox: apart from the others, for a person to review. */
function runsLaterLines(report: Report, style: Style): string[] {
  const files = report.runsLater ?? [];
  if (files.length === 0) return [];
  return [
    `outside   ${style.yellow(`${files.length} ${files.length === 1 ? 'file runs' : 'files run'} outside the sandbox, later`)}`,
    ...files.map(
      (file) =>
        `          ${file.outcome === 'changed' ? style.yellow('!') : '·'} ${forTerminal(file.path)} — ${forTerminal(file.what)}: ${forTerminal(file.runs)} [${OUTCOME[file.outcome]}]`,
    ),
  ];
}

/** One line per model, when more than one answered (a fallback took over). */
function perModel(report: Report): string[] {
  const models = Object.entries(report.byModel ?? {});
  if (models.length < 2) return [];
  return models.map(
    ([model, spend]) =>
      `          ${forTerminal(model)}: ${spend.turns} turns · in ${spend.usage.inputTokens} · out ${spend.usage.outputTokens} · ${formatCost(spend.cost)}`,
  );
}

function describeArgs(args: unknown): string {
  if (typeof args !== 'object' || args === null) return '';
  const a = args as Record<string, unknown>;
  const pick = a.command ?? a.path ?? a.pattern ?? (typeof a.patch === 'string' ? 'patch' : undefined);
  return typeof pick === 'string' ? firstLine(pick) : '';
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}

/** The last lines of command output, without stack frames, which crowd out the failure itself. */
function tail(text: string, count: number): string {
  const lines = text
    .trimEnd()
    .split('\n')
    .filter((line) => !/^\s+at .+[:)]$/.test(line));
  return lines.length <= count ? lines.join('\n') : ['…', ...lines.slice(-count)].join('\n');
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

function colourDiff(diff: string, style: Style): string {
  return diff
    .trimEnd()
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return style.bold(line);
      if (line.startsWith('+')) return style.green(line);
      if (line.startsWith('-')) return style.red(line);
      if (line.startsWith('@@')) return style.cyan(line);
      return line;
    })
    .join('\n');
}
