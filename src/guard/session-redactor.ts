import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRedactor, type Redactor, secretsInDotenv, secretsInEnv } from './redactor.ts';

/** The keys Warden holds and the values of the repository's `.env` files, plus every known shape. */
export async function sessionRedactor(root: string, env: NodeJS.ProcessEnv): Promise<Redactor> {
  const redactor = createRedactor();
  redactor.addKnown(secretsInEnv(env));
  const names = await readdir(root).catch(() => [] as string[]);
  for (const name of names.filter((n) => n === '.env' || n.startsWith('.env.'))) {
    const text = await readFile(join(root, name), 'utf8').catch(() => '');
    redactor.addKnown(secretsInDotenv(text));
  }
  return redactor;
}
