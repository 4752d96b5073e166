import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { EventSink } from '../agent/events.ts';
import { openSessionGuards } from '../agent/session-guards.ts';
import { openSessionParts, sandboxLimits } from '../agent/session-parts.ts';
import type { Durability } from '../audit/index.ts';
import { createModelRouter, type KeyBudget } from '../gateway/index.ts';
import { loadModelConfig } from '../models/index.ts';
import type { Approver } from '../policy/approvals.ts';
import type { CompiledPolicy } from '../policy/engine.ts';
import type { AttachedProcess } from '../sandbox/run-attached.ts';
import type { SessionStore } from '../store/session-store.ts';
import { loadConfiguredProfiles } from './profile-config.ts';
import { BUILTIN_PROFILES, pickProfile } from './profiles.ts';
import { resolveProgram } from './program.ts';
import { runWrapped, type WrapResult } from './wrap-session.ts';

export interface GovernedAgentOptions {
  /** The agent's command line: its program (a name on PATH, or a path) and arguments. */
  argv: string[];
  /** A profile by name; default: picked by the program's name. */
  profile?: string;
  modelId: string;
  /** The session's id, when its host names it (an evaluation notes it first); else generated. */
  sessionId?: string;
  policy: CompiledPolicy;
  root: string;
  /** Relative to the root: where the agent starts. */
  workingDir: string;
  /** Where a program path and `script:` paths resolve. */
  cwd: string;
  /** Where warden.config.* is read (with the user's); default: the root. */
  configDir?: string;
  env: NodeJS.ProcessEnv;
  approver: Approver;
  audit: { dir: string; keyDir: string; durability?: Durability };
  budget: KeyBudget;
  maxWallTimeMs?: number;
  /** A store of the caller's (an evaluation's, outside the workspace); default: the repository's. */
  store?: SessionStore;
  /** false: no terminal for the agent (stdio /dev/null); default true. */
  terminal?: boolean;
  /** Variables passed through from the user's terminal. */
  terminalEnv?: Record<string, string>;
  sinks?: EventSink[];
  onStart?: (agent: AttachedProcess) => void;
  signal?: AbortSignal;
  interrupted?: () => boolean;
}

/**
 * A third-party agent as one governed Warden session, assembled the same way wherever it runs
 * (`warden wrap`, an evaluation's contestant): model routes checked first, so a bad model id is a
 * usage error before a sandbox starts; then the sandbox, the guards, and the wrapped session.
 */
export async function runGovernedAgent(options: GovernedAgentOptions): Promise<WrapResult> {
  const { policy, root, env } = options;
  const config = loadModelConfig(options.configDir ?? root, { env });
  const profiles = loadConfiguredProfiles(options.configDir ?? root, {
    env,
    builtins: BUILTIN_PROFILES.map((profile) => profile.name),
  });
  const program = resolveProgram(options.argv[0] as string, { path: env.PATH ?? '', cwd: options.cwd });
  const profile = pickProfile(options.profile, program.given, profiles);
  const routes = createModelRouter({ config, env, cwd: options.cwd, default: options.modelId });

  const parts = await openSessionParts(root, policy, options.store ? { store: options.store } : {});
  const closeParts = async () => {
    if (!options.store) parts.store.close();
    await parts.close();
  };
  try {
    // The guards every session has (a token in a remote URL leaves .git/config before the agent can
    // read it); the wrapped agent uses their redactor, broker and registry check of new
    // dependencies, its own tools standing in for Warden's.
    const { redactor, broker, launch } = await openSessionGuards({ root, policy, env, sandbox: parts });
    const protectedPaths = ['.git', '.warden']
      .map((name) => join(root, name))
      .filter((path) => lstatSync(path, { throwIfNoEntry: false }) !== undefined);
    // The agent lives for the whole session: the per-command CPU-time limit would end it, not a command.
    const { cpuSeconds: _, ...limits } = sandboxLimits(policy);
    return await runWrapped({
      argv: options.argv,
      program,
      profile,
      routes,
      modelId: options.modelId,
      ...(options.sessionId ? { sessionId: options.sessionId } : {}),
      workspaceRoot: root,
      workingDir: options.workingDir,
      store: parts.store,
      // With the files that hold known secrets masked and asked about, like .env.
      policy: launch.policy,
      approver: options.approver,
      network: parts.network,
      proxySocket: parts.proxySocket,
      protectedPaths,
      limits,
      budget: options.budget,
      ...(options.maxWallTimeMs === undefined ? {} : { maxWallTimeMs: options.maxWallTimeMs }),
      redactor,
      installScripts: policy.dependencies?.installScripts === true,
      checkDependency: launch.checkDependency,
      flagged: broker.moved.map((moved) => ({
        source: `.git/config ${moved.key}`,
        rule: 'credential-in-remote-url',
        detail: `the credential in this URL was moved to Warden's broker as "${moved.name}" (for ${moved.host}); the URL now reads ${moved.url}`,
      })),
      audit: options.audit,
      ...(options.terminalEnv ? { env: options.terminalEnv } : {}),
      ...(options.sinks ? { sinks: options.sinks } : {}),
      ...(options.terminal === false ? { terminal: false } : {}),
      ...(options.onStart ? { onStart: options.onStart } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.interrupted ? { interrupted: options.interrupted } : {}),
      // The user's MCP servers (the repository's only offered), reached as the session guards
      // reach them: the agent gets them through Warden's gateway, never its own.
      ...(launch.mcp ? { mcp: launch.mcp } : {}),
    });
  } finally {
    await closeParts();
  }
}
