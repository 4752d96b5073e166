import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { WardenError } from '../errors.ts';
import { loadSuite } from '../eval/suite.ts';
import type { EvalSummary } from '../eval/summary.ts';
import type { Contestant, EvalRunRecord, Suite } from '../eval/types.ts';
import { contestantsOf, type EvalFlagValues, oneRun, wholeNumber } from './eval-flags.ts';
import { renderTextReport } from './eval-report-text.ts';
import type { CommandIo } from './main.ts';
import { type ServerClient, serverFromFlags } from './server-client.ts';
import { forTerminal } from './terminal.ts';

interface Progress {
  total: number;
  done: number;
  running: number;
  queued: number;
}

/** How often a followed run is asked for its progress. */
const POLL_MS = 1000;

/**
 * `warden eval run --server`: the suite goes to the server, whose queue spreads the trials over
 * itself and every worker; this command follows the progress (Ctrl-C leaves the run going) and
 * prints the report when the last trial is done.
 */
export async function runOnServer(
  client: ServerClient,
  request: { suite: Suite; contestants: Contestant[]; repeats: number; policy: string | undefined },
  options: { detach: boolean },
  io: CommandIo,
): Promise<number> {
  const { suite } = request;
  const created = await client.call<{ run: EvalRunRecord; progress: Progress }>('POST', '/v1/evals', {
    suite: { name: suite.name, file: suite.file, digest: suite.digest, instances: suite.instances },
    contestants: request.contestants,
    repeats: request.repeats,
    ...(request.policy === undefined ? {} : { policy: request.policy }),
  });
  const { run } = created;
  io.stderr(
    forTerminal(
      `warden: evaluation ${run.id} on ${client.url}: ${created.progress.total} trials queued (follow it: warden eval report ${run.id} --server ${client.url})\n`,
    ),
  );
  if (options.detach) {
    io.stdout(`${run.id}\n`);
    return 0;
  }
  return followOnServer(client, run.id, io);
}

/** Prints progress as trials finish, then the report; Ctrl-C stops following, not the run. */
export async function followOnServer(client: ServerClient, id: string, io: CommandIo): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  try {
    let shown = -1;
    for (;;) {
      const { progress, summary } = await client.call<{ progress: Progress; summary: EvalSummary }>(
        'GET',
        `/v1/evals/${encodeURIComponent(id)}`,
      );
      if (progress.done !== shown) {
        shown = progress.done;
        io.stderr(
          `[${progress.done}/${progress.total}] ${progress.running} running, ${progress.queued} queued\n`,
        );
      }
      if (progress.done === progress.total) {
        io.stdout(renderTextReport(summary, { color: io.stdoutIsTty }));
        return 0;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (stop.signal.aborted) {
        io.stderr(
          `warden: the run goes on on the server (warden eval report ${id} --server ${client.url})\n`,
        );
        return 1;
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
  }
}

export async function reportFromServer(
  client: ServerClient,
  id: string,
  options: { json: boolean; html: string | undefined },
  io: CommandIo,
): Promise<number> {
  const path = `/v1/evals/${encodeURIComponent(id)}`;
  if (options.html !== undefined) {
    const response = await client.open(`${path}/report.html`, {});
    if (!response.ok) {
      throw new WardenError('eval.not_found', `${client.url}: no evaluation "${id}" you may read`, {
        hint: 'list them: warden eval list --server URL',
      });
    }
    const file = resolve(io.cwd, options.html);
    await writeFile(file, await response.text());
    io.stderr(`warden: wrote ${file}\n`);
  }
  const { summary } = await client.call<{ summary: EvalSummary }>('GET', path);
  if (options.json) io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  else if (options.html === undefined) io.stdout(renderTextReport(summary, { color: io.stdoutIsTty }));
  return 0;
}

export async function listOnServer(client: ServerClient, io: CommandIo): Promise<number> {
  const { evals } = await client.call<{ evals: Array<{ run: EvalRunRecord; progress: Progress }> }>(
    'GET',
    '/v1/evals',
  );
  if (evals.length === 0) io.stdout('no evaluations on this server yet\n');
  for (const { run, progress } of evals) {
    const contestants = run.contestants.map((c) => `${c.agent}/${c.model}`).join(' vs ');
    io.stdout(
      forTerminal(
        `${run.id}  ${run.createdAt.slice(0, 16).replace('T', ' ')}  ${run.suite.name}  ${contestants}  ${progress.done}/${progress.total} trials\n`,
      ),
    );
  }
  return 0;
}

export async function serverCommand(
  verb: string,
  rest: string[],
  values: EvalFlagValues,
  io: CommandIo,
): Promise<number> {
  const client = serverFromFlags(values, io);
  switch (verb) {
    case 'run': {
      if (rest.length !== 1) {
        throw new WardenError('usage', 'warden eval run takes one suite file', {
          hint: 'warden eval run suite.jsonl --models A,B',
        });
      }
      const suite = loadSuite(resolve(io.cwd, rest[0] as string), {
        ...(values.repos === undefined ? {} : { repos: resolve(io.cwd, values.repos) }),
        ...(values['test-command'] === undefined ? {} : { testCommand: values['test-command'] }),
      });
      const contestants = contestantsOf(values.models, values.agents, io.cwd);
      return runOnServer(
        client,
        { suite, contestants, repeats: wholeNumber('repeats', values.repeats) ?? 1, policy: values.policy },
        { detach: values.detach === true },
        io,
      );
    }
    case 'resume':
      return followOnServer(client, oneRun(rest, 'resume'), io);
    case 'report':
      return reportFromServer(
        client,
        oneRun(rest, 'report'),
        { json: values.json === true, html: values.html },
        io,
      );
    case 'list':
      return listOnServer(client, io);
    default:
      throw new WardenError('usage', `unknown eval command "${verb}"`, {
        hint: 'run, resume, report or list',
      });
  }
}
