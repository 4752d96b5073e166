import { resolve } from 'node:path';
import { WardenError } from '../errors.ts';
import { WRAPPED_AGENTS } from '../eval/contestant-wrap.ts';
import { type Contestant, contestantLabel } from '../eval/types.ts';
import { type parseFlags, positiveNumber } from './args.ts';
import { TLS_CLIENT_FLAGS } from './tls-client.ts';

/** The flags of every `warden eval` command, and what they mean for both the local and the server way. */
export const EVAL_FLAGS = {
  models: { type: 'string' },
  agents: { type: 'string' },
  repeats: { type: 'string' },
  concurrency: { type: 'string' },
  policy: { type: 'string' },
  repos: { type: 'string' },
  'test-command': { type: 'string' },
  'keep-workspaces': { type: 'boolean' },
  dir: { type: 'string' },
  server: { type: 'string' },
  'token-file': { type: 'string' },
  ...TLS_CLIENT_FLAGS,
  detach: { type: 'boolean' },
  json: { type: 'boolean' },
  html: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type EvalFlagValues = ReturnType<typeof parseFlags<typeof EVAL_FLAGS>>['values'];

export function oneRun(rest: string[], verb: string): string {
  if (rest.length !== 1) {
    throw new WardenError('usage', `warden eval ${verb} takes one run id`, {
      hint: 'list them: warden eval list',
    });
  }
  return rest[0] as string;
}

/** Every agent on every model; `script:` paths made absolute, so a resume from elsewhere finds them. */
export function contestantsOf(
  models: string | undefined,
  agents: string | undefined,
  cwd: string,
): Contestant[] {
  const list = (text: string | undefined) =>
    (text ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  const modelIds = list(models).map((id) =>
    id.startsWith('script:') ? `script:${resolve(cwd, id.slice(7))}` : id,
  );
  if (modelIds.length === 0) {
    throw new WardenError('usage', 'which models should compete?', {
      hint: 'pass --models A,B (e.g. openai:gpt-5.5,anthropic:claude-sonnet-4-5)',
    });
  }
  const agentNames = agents === undefined ? ['warden'] : list(agents);
  const known = ['warden', ...WRAPPED_AGENTS];
  for (const agent of agentNames) {
    if (!known.includes(agent)) {
      throw new WardenError('usage', `--agents: no agent "${agent}"`, {
        hint: `pick from: ${known.join(', ')}`,
      });
    }
  }
  const contestants = agentNames.flatMap((agent) => modelIds.map((model) => ({ agent, model })));
  const labels = contestants.map(contestantLabel);
  const twice = labels.find((label, index) => labels.indexOf(label) !== index);
  if (twice)
    throw new WardenError('usage', `contestant ${twice} is named twice`, {
      hint: 'name each model once in --models',
    });
  return contestants;
}

export function wholeNumber(flag: string, value: string | undefined): number | undefined {
  const n = positiveNumber(flag, value);
  if (n !== undefined && !Number.isInteger(n))
    throw new WardenError('usage', `--${flag} must be a whole number, got "${value}"`);
  return n;
}
