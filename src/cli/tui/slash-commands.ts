import type { SlashCommand } from '@mariozechner/pi-tui';
import type { CommandOutput, SessionCommands, SessionController } from './session-controller.ts';

interface SlashSpec {
  name: string;
  argumentHint?: string;
  description: string;
  /** The controller capability it needs; without it the command is not offered. */
  needs?: keyof SessionCommands;
}

const SPECS: SlashSpec[] = [
  { name: 'help', description: 'keys and commands' },
  { name: 'model', argumentHint: 'ID', description: 'the model of the next turn', needs: 'switchModel' },
  { name: 'policy', description: 'the one-page summary of the policy', needs: 'policy' },
  { name: 'diff', description: "the session's changes so far", needs: 'diff' },
  { name: 'undo', description: "put back the last turn's file changes", needs: 'undo' },
  { name: 'cost', description: 'tokens and cost so far, by model', needs: 'cost' },
  { name: 'compact', description: 'shorten the conversation the model reads', needs: 'compact' },
  { name: 'sessions', description: "this repository's sessions", needs: 'sessions' },
  { name: 'resume', argumentHint: '[ID]', description: 'continue another session', needs: 'resume' },
  { name: 'audit', description: "verify this session's signed audit log", needs: 'audit' },
  { name: 'quit', description: 'leave (the session stays resumable)' },
];

export const KEYS_HELP = `Keys
  enter          send (while the agent works: steering, delivered before its next model request)
  shift+enter    new line (also alt+enter, ctrl+j, or \\ then enter)
  up / down      earlier messages
  tab            complete a /command or an @file
  o / s / d      answer the waiting approval: once, for this session, deny (prompt empty)
  esc            stop the current turn; the next message continues the session
  ctrl+o         unfold (fold) the last tool call's output and diff
  ctrl+c         clear the prompt; twice to quit`;

/** The commands this controller can run, for the prompt's completion. */
export function slashCommands(commands: SessionCommands): SlashCommand[] {
  return SPECS.filter((spec) => !spec.needs || commands[spec.needs]).map(
    ({ name, argumentHint, description }) => ({
      name,
      description,
      ...(argumentHint ? { argumentHint } : {}),
    }),
  );
}

export type SlashResult = CommandOutput | { quit: true };

/** Runs a `/command [argument]` line against the controller. */
export async function runSlash(line: string, controller: SessionController): Promise<SlashResult> {
  const [, name = '', rest = ''] = /^\/(\S*)\s*([\s\S]*)$/.exec(line.trim()) ?? [];
  const arg = rest.trim();
  const spec = SPECS.find((s) => s.name === name);
  const commands = controller.commands;
  if (!spec || (spec.needs && !commands[spec.needs])) {
    return { title: `Unknown command /${name}`, text: 'type /help for the list', ok: false };
  }
  switch (spec.name) {
    case 'help':
      return { title: 'Warden', text: `${helpText(commands)}\n\n${KEYS_HELP}`, ok: true };
    case 'quit':
      return { quit: true };
    case 'model':
      if (!arg)
        return { title: `Model: ${controller.state.info.model}`, text: 'switch with /model ID', ok: true };
      return (await commands.switchModel?.(arg)) ?? missing(name);
    case 'resume':
      return (await commands.resume?.(arg || undefined)) ?? missing(name);
    default: {
      const run = commands[spec.needs as Exclude<keyof SessionCommands, 'switchModel' | 'resume'>];
      return (await run?.()) ?? missing(name);
    }
  }
}

function helpText(commands: SessionCommands): string {
  const lines = ['Commands'];
  for (const spec of SPECS) {
    if (spec.needs && !commands[spec.needs]) continue;
    const usage = `/${spec.name}${spec.argumentHint ? ` ${spec.argumentHint}` : ''}`;
    lines.push(`  ${usage.padEnd(15)}${spec.description}`);
  }
  lines.push('  @path          name a workspace file in a message (tab completes)');
  return lines.join('\n');
}

function missing(name: string): CommandOutput {
  return { title: `/${name} is not available here`, text: '', ok: false };
}
