/**
 * Inside the sandbox of `warden wrap`: Claude Code's PreToolUse / PostToolUse(Failure) hook for
 * its Bash tool, installed by the claude profile in a managed settings file the agent cannot
 * change. Claude Code wraps every command in a harness of its own (it sources a shell snapshot,
 * then `eval`s the command) and runs shells at startup, so a shell shim would judge Claude's
 * plumbing; the hook sees the command exactly as the model wrote it.
 *   node claude-hook.ts <socketPath> pre|post   (the hook's JSON on stdin)
 * A denial is Claude's documented `permissionDecision: "deny"`, which holds in every permission
 * mode. Any failure of the hook itself exits 2, which Claude treats as a block: fail closed.
 * Standalone on purpose: node: builtins and shell-shim.ts only, from a read-only bind.
 */
import { connectService } from './shell-shim.ts';

const BLOCK = 2;

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

/** Claude reports a failed command as `Exit code N` followed by its output. */
export function exitOf(input: Record<string, unknown>): { exitCode: number | null; signal: string | null } {
  if (input.hook_event_name === 'PostToolUseFailure') {
    const match = /^Exit code (\d+)/.exec(typeof input.error === 'string' ? input.error : '');
    return {
      exitCode: match ? Number(match[1]) : null,
      signal: input.is_interrupt === true ? 'SIGINT' : null,
    };
  }
  const response = (input.tool_response ?? {}) as Record<string, unknown>;
  if (response.interrupted === true) return { exitCode: null, signal: 'SIGINT' };
  // Sent to the background: it has not ended, and no later hook will say how it does.
  if (typeof response.backgroundTaskId === 'string') return { exitCode: null, signal: null };
  return { exitCode: 0, signal: null };
}

export async function runClaudeHook(argv: readonly string[]): Promise<number> {
  const [socketPath, phase] = argv;
  if (socketPath === undefined || (phase !== 'pre' && phase !== 'post')) {
    process.stderr.write('warden: usage: claude-hook.ts <socketPath> pre|post\n');
    return BLOCK;
  }
  const input = JSON.parse(await readStdin()) as Record<string, unknown>;
  const toolInput = (input.tool_input ?? {}) as Record<string, unknown>;
  const ref = typeof input.tool_use_id === 'string' ? input.tool_use_id : undefined;
  const service = connectService(socketPath);
  try {
    if (phase === 'post') {
      await service.ask({ type: 'exit', ref, ...exitOf(input) });
      return 0;
    }
    const answer = await service.ask({
      type: 'judge',
      via: `claude.${typeof input.tool_name === 'string' ? input.tool_name : 'Bash'}`,
      command: toolInput.command,
      cwd: typeof input.cwd === 'string' ? input.cwd : '',
      ref,
    });
    if (answer.decision !== 'allow') {
      const reason = typeof answer.reason === 'string' ? answer.reason : 'denied by policy';
      process.stdout.write(
        `${JSON.stringify({
          hookSpecificOutput: {
            hookEventName: 'PreToolUse',
            permissionDecision: 'deny',
            permissionDecisionReason: `warden: ${reason}`,
          },
        })}\n`,
      );
    }
    return 0;
  } finally {
    service.close();
  }
}

if (import.meta.main) {
  runClaudeHook(process.argv.slice(2)).then(
    (status) => process.exit(status),
    (error: unknown) => {
      process.stderr.write(`warden: the command was not judged (${(error as Error).message}); not run\n`);
      process.exit(BLOCK);
    },
  );
}
