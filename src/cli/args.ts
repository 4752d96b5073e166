import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { WardenError } from '../errors.ts';

/** parseArgs with errors that say which flag was wrong and where to read about it. */
export function parseFlags<const S extends ParseArgsOptionsConfig>(
  command: string,
  args: string[],
  options: S,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new WardenError('usage', (error as Error).message.replace(/\. To specify a positional.*$/s, ''), {
      hint: `see: warden ${command} --help`,
    });
  }
}

export function positiveNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new WardenError('usage', `--${flag} must be a positive number, got "${value}"`);
  }
  return n;
}
