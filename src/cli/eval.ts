import { mkdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { WardenError } from '../errors.ts';
import { policyDigest } from '../eval/policy-digest.ts';
import { renderHtmlReport } from '../eval/report-html.ts';
import { type EvalStore, MAX_TRIALS, sqliteEvalStore } from '../eval/store.ts';
import { loadSuite } from '../eval/suite.ts';
import { summarise } from '../eval/summary.ts';
import { type Contestant, contestantLabel, type EvalRunRecord } from '../eval/types.ts';
import { loadModelConfig, resolveModel } from '../models/index.ts';
import type { CompiledPolicy } from '../policy/engine.ts';
import { loadPolicy } from '../policy/load.ts';
import { wardenStateDir } from '../state-dir.ts';
import { directoryFlag, parseFlags } from './args.ts';
import { auditKeyDir } from './audit-paths.ts';
import { contestantsOf, EVAL_FLAGS, type EvalFlagValues, oneRun, wholeNumber } from './eval-flags.ts';
import { runLocally } from './eval-local.ts';
import { serverCommand } from './eval-remote.ts';
import { renderTextReport } from './eval-report-text.ts';
import type { CommandIo } from './main.ts';
import { forTerminal } from './terminal.ts';

export const EVAL_HELP = `Usage:
  warden eval run SUITE --models A,B [options]   run every instance × model × agent × repeat
  warden eval resume RUN                         go on with a run that was stopped
  warden eval report RUN [--json | --html FILE]  the results: a table, JSON, or an HTML report
  warden eval list                               the runs, newest first

A suite is a file of task instances with SWE-bench's fields (JSONL as SWE-bench ships it, JSON or
YAML): instance_id, repo or repository, base_commit, problem_statement, test_patch, FAIL_TO_PASS,
PASS_TO_PASS, and Warden's optional setup, test_command and timeout. Each trial works in a fresh
workspace at the base commit; after the session the hidden test patch is applied and the named
tests run in the sandbox: resolved = every FAIL_TO_PASS passes and no PASS_TO_PASS breaks.

Options of run:
  --models A,B        Warden model ids (script:DIR: a scripted contestant, DIR/<instance_id>.json)
  --agents LIST       warden (default), codex, claude: third-party agents run through warden wrap
  --repeats K         attempts per instance and contestant (default 1), for pass@k
  --concurrency N     trials at once (default 2)
  --policy FILE       the policy every contestant runs under (default: Warden's own); asks are denied
  --repos DIR         where a suite's repo "owner/name" is found (DIR/owner__name, DIR/owner/name, DIR/name)
  --test-command CMD  how every instance's tests run, over its own ({tests} or {test} in it)
  --keep-workspaces   keep each trial's workspace after grading
Every command:
  --dir DIR           where runs are kept (default $XDG_STATE_HOME/warden/evals)
  --server URL        on a warden serve instead: its queue spreads the trials over the server and
                      every warden worker (token: WARDEN_TOKEN or --token-file FILE); --policy then
                      names one of the server's policies, repository paths are the server's, and
                      --detach returns once the run is queued; for an https:// server,
                      --ca-file, --client-cert and --client-key (default WARDEN_CA_FILE,
                      WARDEN_CLIENT_CERT, WARDEN_CLIENT_KEY)

Exit status: 0 the run completed (whatever the contestants scored), 1 it was stopped before the end,
2 usage or configuration error.`;

export async function evalCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags('eval', args, EVAL_FLAGS);
  const [verb, ...rest] = positionals;
  if (values.help || verb === undefined) {
    io.stdout(`${EVAL_HELP}\n`);
    return verb === undefined && !values.help ? 2 : 0;
  }
  if (values.server !== undefined) return serverCommand(verb, rest, values, io);
  const dir = directoryFlag('dir', values.dir, io.cwd) ?? defaultEvalDir(io.env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const store = sqliteEvalStore(join(dir, 'evals.db'));
  try {
    switch (verb) {
      case 'run':
        return await runCommand(rest, values, dir, store, io);
      case 'resume':
        return await resumeCommand(oneRun(rest, 'resume'), values, dir, store, io);
      case 'report':
        return await reportCommand(oneRun(rest, 'report'), values, store, io);
      case 'list':
        return await listCommand(store, io);
      default:
        throw new WardenError('usage', `unknown eval command "${verb}"`, {
          hint: 'run, resume, report or list',
        });
    }
  } finally {
    await store.close();
  }
}

export function defaultEvalDir(env: NodeJS.ProcessEnv): string {
  return join(wardenStateDir(env), 'evals');
}

/** Each model id is checked before anything runs: a typo is a usage error, not a run of failures. */
function checkModels(contestants: Contestant[], io: CommandIo): void {
  const config = loadModelConfig(io.cwd, { env: io.env });
  for (const { model } of contestants) {
    if (model.startsWith('script:')) {
      const path = model.slice(7);
      if (!statSync(path, { throwIfNoEntry: false })) {
        throw new WardenError('usage', `--models: ${path} does not exist`, {
          hint: 'script:DIR names a directory of <instance_id>.json scripts (or script:FILE one script)',
        });
      }
      continue;
    }
    resolveModel(model, { config, env: io.env, cwd: io.cwd });
  }
}

async function runCommand(
  rest: string[],
  values: EvalFlagValues,
  dir: string,
  store: EvalStore,
  io: CommandIo,
): Promise<number> {
  if (rest.length !== 1) {
    throw new WardenError('usage', 'warden eval run takes one suite file', {
      hint: 'warden eval run suite.jsonl --models A,B',
    });
  }
  const file = resolve(io.cwd, rest[0] as string);
  const repeats = wholeNumber('repeats', values.repeats) ?? 1;
  const concurrency = wholeNumber('concurrency', values.concurrency) ?? 2;
  const contestants = contestantsOf(values.models, values.agents, io.cwd);
  const suite = loadSuite(file, {
    ...(values.repos === undefined ? {} : { repos: resolve(io.cwd, values.repos) }),
    ...(values['test-command'] === undefined ? {} : { testCommand: values['test-command'] }),
  });
  const trials = suite.instances.length * contestants.length * repeats;
  if (trials > MAX_TRIALS) {
    throw new WardenError('usage', `${trials} trials, more than one run may hold (${MAX_TRIALS})`, {
      hint: 'split the suite into several runs, or use fewer models, agents or repeats',
    });
  }
  const policyFile = values.policy === undefined ? undefined : resolve(io.cwd, values.policy);
  const policy = await loadPolicy(policyFile);
  checkModels(contestants, io);
  const run = await store.createRun(
    {
      suite: { name: suite.name, file: suite.file, digest: suite.digest, instances: suite.instances.length },
      contestants,
      repeats,
      policy: { name: policyFile ?? 'default', digest: policyDigest(policy) },
      createdBy: userInfo().username,
      team: undefined,
    },
    suite.instances,
  );
  io.stderr(
    forTerminal(
      `warden: evaluation ${run.id}: ${suite.instances.length} instances × ${contestants.length} contestants × ${repeats} repeats = ${trials} trials\n`,
    ),
  );
  return execute(run, policy, values, dir, store, io, concurrency);
}

async function resumeCommand(
  id: string,
  values: EvalFlagValues,
  dir: string,
  store: EvalStore,
  io: CommandIo,
): Promise<number> {
  const run = await findRun(store, id);
  const policy = await loadPolicy(run.policy.name === 'default' ? undefined : run.policy.name);
  if (policyDigest(policy) !== run.policy.digest) {
    throw new WardenError('eval.policy_changed', `the policy of ${run.id} changed since the run started`, {
      where: run.policy.name,
      hint: 'restore it, or start a new run: results under two policies are not one experiment',
    });
  }
  const concurrency = wholeNumber('concurrency', values.concurrency) ?? 2;
  return execute(run, policy, values, dir, store, io, concurrency);
}

async function execute(
  run: EvalRunRecord,
  policy: CompiledPolicy,
  values: EvalFlagValues,
  dir: string,
  store: EvalStore,
  io: CommandIo,
  concurrency: number,
): Promise<number> {
  const total = run.suite.instances * run.contestants.length * run.repeats;
  let done = (await store.trials(run.id)).filter((trial) => trial.status === 'done').length;
  const stop = new AbortController();
  const onSignal = () => {
    if (!stop.signal.aborted) io.stderr(`warden: stopping; go on later with: warden eval resume ${run.id}\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await runLocally(run, {
      store,
      dir,
      policy,
      concurrency,
      env: io.env,
      cwd: io.cwd,
      keyDir: auditKeyDir(io.env),
      keepWorkspaces: values['keep-workspaces'] === true,
      log: (line) => io.stderr(forTerminal(`warden: ${line}\n`)),
      onResult: (_run, trial) => {
        done += 1;
        const contestant = run.contestants[trial.contestant];
        const result = trial.result;
        const label = contestant ? contestantLabel(contestant) : '?';
        io.stderr(
          forTerminal(
            `[${done}/${total}] ${trial.instanceId} · ${label} #${trial.repeat + 1}: ${result?.outcome}${result?.error ? ` (${result.error})` : ''}\n`,
          ),
        );
      },
      signal: stop.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (stop.signal.aborted) return 1;
  await printReport(run, values, store, io);
  return 0;
}

async function findRun(store: EvalStore, id: string): Promise<EvalRunRecord> {
  const run = await store.findRun(id);
  if (!run)
    throw new WardenError('eval.not_found', `no evaluation "${id}"`, { hint: 'list them: warden eval list' });
  return run;
}

async function reportCommand(
  id: string,
  values: EvalFlagValues,
  store: EvalStore,
  io: CommandIo,
): Promise<number> {
  await printReport(await findRun(store, id), values, store, io);
  return 0;
}

async function printReport(
  run: EvalRunRecord,
  values: EvalFlagValues,
  store: EvalStore,
  io: CommandIo,
): Promise<void> {
  const instances = await store.instanceIds(run.id);
  const summary = summarise(run, await store.trials(run.id), instances);
  if (values.html !== undefined) {
    const file = resolve(io.cwd, values.html);
    await writeFile(file, renderHtmlReport(summary));
    io.stderr(`warden: wrote ${file}\n`);
  }
  if (values.json) io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  else if (values.html === undefined) io.stdout(renderTextReport(summary, { color: io.stdoutIsTty }));
}

async function listCommand(store: EvalStore, io: CommandIo): Promise<number> {
  const runs = await store.listRuns({ limit: 50 });
  if (runs.length === 0) {
    io.stdout('no evaluations yet (start one: warden eval run SUITE --models A,B)\n');
    return 0;
  }
  for (const run of runs) {
    const trials = await store.trials(run.id);
    const done = trials.filter((trial) => trial.status === 'done').length;
    io.stdout(
      forTerminal(
        `${run.id}  ${run.createdAt.slice(0, 16).replace('T', ' ')}  ${run.suite.name}  ${run.contestants.map(contestantLabel).join(' vs ')}  ${done}/${trials.length} trials\n`,
      ),
    );
  }
  return 0;
}
