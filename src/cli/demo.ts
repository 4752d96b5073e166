import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchSession } from '../agent/launch.ts';
import { openSessionParts } from '../agent/session-parts.ts';
import { PUBLIC_KEY_FILE, verifyAuditLog } from '../audit/index.ts';
import { WardenError } from '../errors.ts';
import { loadModelConfig, resolveModel } from '../models/index.ts';
import { createHeadlessApprover } from '../policy/approvals.ts';
import { loadPolicy } from '../policy/load.ts';
import { parseFlags } from './args.ts';
import { auditDir, auditKeyDir } from './audit-paths.ts';
import { createLiveView } from './live-view.ts';
import type { CommandIo } from './main.ts';
import { createStyle } from './terminal.ts';

const DEMO_DIR = fileURLToPath(new URL('../../demo/', import.meta.url));
export const DEMO_SCRIPT = join(DEMO_DIR, 'fix-sum.json');
export const DEMO_REPO = join(DEMO_DIR, 'sample-repo');
const DEMO_TASK = 'The tests fail. Find out why and fix it.';

export const DEMO_HELP = `Usage: warden demo [--keep] [--json]

Copies a small sample repository with a failing test to a temporary directory and runs the agent
on it with a scripted model (demo/fix-sum.json): no model provider is called, nothing leaves the
machine. Commands run in the bubblewrap sandbox exactly as they would with a real model.

  --keep   leave the temporary copy in place to look at afterwards
  --json   print the events as JSON lines instead of the live view`;

export async function demoCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags('demo', args, {
    keep: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${DEMO_HELP}\n`);
    return 0;
  }
  if (positionals.length > 0) {
    throw new WardenError('usage', `demo takes no arguments, got "${positionals[0]}"`, {
      hint: 'see: warden demo --help',
    });
  }
  const style = createStyle(io.stdoutIsTty);
  const repo = await mkdtemp(join(tmpdir(), 'warden-demo-'));
  try {
    await cp(DEMO_REPO, repo, { recursive: true });
    const model = resolveModel(`script:${DEMO_SCRIPT}`, {
      config: loadModelConfig(repo, { env: io.env }),
      env: io.env,
      cwd: io.cwd,
    });
    const policy = await loadPolicy();
    const parts = await openSessionParts(repo, policy);
    const { sandbox, workspace, store } = parts;
    if (!values.json) {
      io.stdout(
        `${style.bold('Warden demo')} — a scripted model fixes a failing test in a copy of a sample repository.\n` +
          `${style.yellow('The model is scripted:')} it replays ${DEMO_SCRIPT}; no provider is called and nothing leaves this machine.\n` +
          'Every command it runs goes through the bubblewrap sandbox: only the copy is writable, there is no network.\n\n',
      );
    }
    const view = values.json ? undefined : createLiveView({ write: io.stdout, tty: io.stdoutIsTty });
    let status: string;
    let audited = '';
    try {
      const { report } = await launchSession({
        task: DEMO_TASK,
        model,
        workspace,
        sandbox,
        store,
        sinks: [view ? view.sink : (event) => io.stdout(`${JSON.stringify(event)}\n`)],
        policy,
        approver: createHeadlessApprover('deny'),
        audit: { dir: auditDir(repo, undefined, repo), keyDir: auditKeyDir(io.env) },
      });
      status = report.status;
      audited = await verifyDemoAudit(repo, io.env);
    } finally {
      view?.close();
      store.close();
      await parts.close();
    }
    if (!values.json) {
      io.stdout(`\n${style.bold('Audit')}: ${audited}\n`);
      io.stdout(
        `\nThat was a scripted model. To run a real one on your own repository:\n` +
          `  export ANTHROPIC_API_KEY=…   # or OPENAI_API_KEY, AWS credentials for bedrock:…, or a local ollama:…\n` +
          `  npx warden exec --model anthropic:claude-sonnet-4-5 "fix the failing test"\n` +
          (values.keep ? `\nThe demo repository is kept at ${repo}\n` : ''),
      );
    }
    return status === 'finished' ? 0 : 1;
  } finally {
    if (!values.keep) await rm(repo, { recursive: true, force: true });
  }
}

/** The demo's audit log, checked the way `warden audit verify` checks it. */
async function verifyDemoAudit(repo: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = auditDir(repo, undefined, repo);
  const [file] = (await readdir(dir)).filter((name) => name.endsWith('.audit.jsonl'));
  if (!file) return 'no audit log was written';
  const publicKey = await readFile(join(auditKeyDir(env), PUBLIC_KEY_FILE), 'utf8');
  const result = await verifyAuditLog(join(dir, file), { publicKey });
  return result.ok
    ? `${result.records} records, hash-chained and signed (${result.digests} Ed25519 digests) — verified intact`
    : `BROKEN at line ${result.firstBad.line}: ${result.message}`;
}
