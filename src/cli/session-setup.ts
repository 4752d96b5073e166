import { basename, resolve } from 'node:path';
import type { LaunchOptions } from '../agent/launch.ts';
import type { Limits } from '../agent/limits.ts';
import { policyLimits } from '../agent/policy-settings.ts';
import { openSessionGuards, type SessionGuards } from '../agent/session-guards.ts';
import { openSessionParts, type SessionParts } from '../agent/session-parts.ts';
import type { Durability } from '../audit/index.ts';
import { WardenError } from '../errors.ts';
import { loadModelConfig, resolveModel } from '../models/index.ts';
import type { ModelClient } from '../models/types.ts';
import type { CompiledPolicy } from '../policy/engine.ts';
import { loadPolicy } from '../policy/load.ts';
import type { Policy } from '../policy/types.ts';
import { directoryFlag, positiveNumber } from './args.ts';
import { auditDir, auditKeyDir } from './audit-paths.ts';
import type { CommandIo } from './main.ts';
import { locateRepo, type RepoLocation } from './repo.ts';

const MAX_WALL_TIME_SECONDS = 7 * 24 * 3600;

/** The flags every command that runs a local session takes (`exec`, `chat`), for parseFlags. */
export const SESSION_FLAGS = {
  repo: { type: 'string' },
  model: { type: 'string', short: 'm' },
  resume: { type: 'string' },
  'max-turns': { type: 'string' },
  'max-time': { type: 'string' },
  'max-tokens': { type: 'string' },
  'max-cost': { type: 'string' },
  policy: { type: 'string' },
  'audit-dir': { type: 'string' },
  'audit-durability': { type: 'string' },
} as const;

export type SessionFlagValues = { [K in keyof typeof SESSION_FLAGS]?: string | undefined };

export const SESSION_FLAGS_HELP = `  --repo DIR          the repository to work in (default: the git repository of the current directory)
  --model ID          provider:model, a model named in warden.config.*, or script:FILE
  --resume ID         continue session ID (see: warden sessions list)
  --max-turns N       stop after N model turns (default 100)
  --max-time SECONDS  stop after this much wall time (default 3600)
  --max-tokens N      stop after N input+output tokens (default 5000000)
  --max-cost USD      stop after this much spend, for priced models (default 20)
  --policy FILE       the one-page policy every action is judged by (default: Warden's own, see
                      warden policy explain); a repository's policy file is never picked up by itself
  --audit-dir DIR     where the signed, hash-chained audit log goes (default .warden/audit)
  --audit-durability group (default: an append returns once on disk, fsyncs shared by concurrent
                      appends) | fsync-each (one fsync per record) | none (the OS flushes; fastest,
                      a crash can lose the tail, which verify then reports)`;

/**
 * A repository made ready for sessions, as `warden exec` and `warden chat` both need it: the policy,
 * the model, the sandbox, store and egress proxy, the guards, the audit log's place. Each run of a
 * session is `launchSession({ ...setup.launch, task, model, sinks, approver, … })`.
 */
export interface LocalSetup {
  repo: RepoLocation;
  policy: CompiledPolicy;
  /** The policy's name for people: its file name, or "default". */
  policyName: string;
  model: ModelClient;
  /** Resolves another model id the way --model does (for /model). */
  resolveModel(id: string): ModelClient;
  parts: SessionParts;
  guards: SessionGuards;
  limits: Partial<Limits>;
  audit: NonNullable<LaunchOptions['audit']>;
  /** Every run's options but those that change per run (task, model, sinks, approver, signal). */
  launch: Omit<LaunchOptions, 'task' | 'model' | 'sinks'>;
  /** Closes the store and the proxy. */
  close(): Promise<void>;
}

/** Checks the flags first (a usage error must come before a sandbox starts), then opens the parts. */
export async function openLocalSetup(values: SessionFlagValues, io: CommandIo): Promise<LocalSetup> {
  const auditDirFlag = directoryFlag('audit-dir', values['audit-dir'], io.cwd);
  const durability = durabilityMode(values['audit-durability']);
  const policy = await loadPolicy(values.policy === undefined ? undefined : resolve(io.cwd, values.policy));
  const limits = sessionLimits(values, policy);

  const repo = locateRepo(values.repo, io.cwd);
  const config = loadModelConfig(repo.root, { env: io.env });
  const resolve_ = (id: string | undefined) => resolveModel(id, { config, env: io.env, cwd: io.cwd });
  const model = resolve_(values.model);
  const parts = await openSessionParts(repo.root, policy);
  const guards = await openSessionGuards({ root: repo.root, policy, env: io.env, sandbox: parts }).catch(
    async (error: unknown) => {
      parts.store.close();
      await parts.close();
      throw error;
    },
  );
  const audit = {
    dir: auditDir(repo.root, auditDirFlag, io.cwd),
    keyDir: auditKeyDir(io.env),
    durability,
  };
  return {
    repo,
    policy,
    policyName: values.policy === undefined ? 'default' : basename(values.policy),
    model,
    resolveModel: (id) => resolve_(id),
    parts,
    guards,
    limits,
    audit,
    launch: {
      workspace: parts.workspace,
      sandbox: parts.sandbox,
      store: parts.store,
      workingDir: repo.workingDir,
      limits,
      ...(parts.network ? { network: parts.network } : {}),
      // The policy is the guards' (launch.policy): this one, with files holding known secrets asked about.
      ...guards.launch,
      audit,
    },
    async close() {
      parts.store.close();
      await parts.close();
    },
  };
}

function sessionLimits(values: SessionFlagValues, policy: Policy): Partial<Limits> {
  const limits: Partial<Limits> = policyLimits(policy);
  const turns = positiveNumber('max-turns', values['max-turns']);
  const seconds = positiveNumber('max-time', values['max-time']);
  const tokens = positiveNumber('max-tokens', values['max-tokens']);
  const cost = positiveNumber('max-cost', values['max-cost']);
  if (turns !== undefined) limits.maxTurns = turns;
  if (seconds !== undefined) {
    // Timers hold at most 2^31-1 ms (24.8 days); a larger one would fire at once.
    if (seconds > MAX_WALL_TIME_SECONDS) {
      throw new WardenError('usage', `--max-time must be at most ${MAX_WALL_TIME_SECONDS} seconds (7 days)`);
    }
    limits.maxWallTimeMs = seconds * 1000;
  }
  if (tokens !== undefined) limits.maxTokens = tokens;
  if (cost !== undefined) limits.maxCost = cost;
  return limits;
}

export function durabilityMode(flag: string | undefined): Durability {
  if (flag === undefined) return 'group';
  if (flag === 'group' || flag === 'fsync-each' || flag === 'none') return flag;
  throw new WardenError('usage', `--audit-durability must be group, fsync-each or none, got "${flag}"`);
}

/** The network state in a few words, for a status line. */
export function networkState(policy: Policy): string {
  const hosts = policy.network.allow.length;
  return hosts === 0 ? 'no network' : `${hosts} host${hosts === 1 ? '' : 's'}`;
}
