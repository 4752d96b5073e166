import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { fileProblem, WardenError } from '../errors.ts';

/** parseArgs with errors that say which flag was wrong, on one line, and where to read about it. */
export function parseFlags<const S extends ParseArgsOptionsConfig>(
  command: string,
  args: string[],
  options: S,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new WardenError('usage', flagProblem(error as Error & { code?: string }), {
      hint: `see: warden ${command} --help`,
    });
  }
}

/** Node's messages span lines and speak of its own API; ours name the flag and the fix. */
function flagProblem(error: Error & { code?: string }): string {
  const flag = /'(-[^' ]*)/.exec(error.message)?.[1] ?? 'an option';
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${flag}`;
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(error.message)) return `${flag} takes no value`;
    if (/ambiguous/.test(error.message))
      return `${flag} needs a value (one that starts with "-" is written ${flag}=VALUE)`;
    return `${flag} needs a value`;
  }
  return error.message.split('\n')[0] ?? 'bad arguments';
}

export function positiveNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new WardenError('usage', `--${flag} must be a positive number, got "${value}"`);
  }
  return n;
}

/**
 * A directory given by a flag, resolved against the working directory. It may not exist yet (it
 * is made when needed); a file in its place is the user's to fix, said before anything starts.
 */
export function directoryFlag(flag: string, value: string | undefined, cwd: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new WardenError('usage', `--${flag} needs a directory`);
  const path = resolve(cwd, value);
  let problem: string | undefined;
  try {
    if (!statSync(path).isDirectory()) problem = 'is a file, not a directory';
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') problem = fileProblem(error);
  }
  if (problem !== undefined) {
    throw new WardenError('usage', `--${flag} ${path} ${problem}`, {
      hint: `give a directory (it is created if missing)`,
    });
  }
  return path;
}
