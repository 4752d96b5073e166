import { randomBytes } from 'node:crypto';
import { chmod, link, unlink, writeFile } from 'node:fs/promises';

/**
 * Creates a key file (0600) whole, or not at all: the content is written to a private temporary
 * file first and linked into place, which fails if the file exists. A process that finds the file
 * therefore always reads a complete key — with `open(…, 'wx')` and a write, another process starting
 * at the same moment could read it empty. Returns false when another process created it first.
 */
export async function createKeyFile(path: string, content: string): Promise<boolean> {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode: 0o600, flag: 'wx' });
  try {
    await chmod(temporary, 0o600);
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temporary).catch(() => {});
  }
}
