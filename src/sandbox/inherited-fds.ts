import { readdir, readFile } from 'node:fs/promises';

const O_CLOEXEC = 0o2000000;

/**
 * Descriptors above stderr that this process holds without close-on-exec: a child inherits
 * them, and bwrap does not close them, so they would reach the sandboxed command (a pipe or
 * socket back to whatever started Warden). Node opens its own with O_CLOEXEC; these come from
 * our parent. The runner covers each with /dev/null in the child's descriptor table.
 */
export async function inheritableDescriptors(): Promise<number[]> {
  const names = await readdir('/proc/self/fdinfo').catch(() => [] as string[]);
  const found: number[] = [];
  for (const name of names) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd <= 2) continue;
    const info = await readFile(`/proc/self/fdinfo/${name}`, 'utf8').catch(() => undefined);
    const flags = info?.match(/^flags:\s*([0-7]+)/m)?.[1];
    if (flags !== undefined && (Number.parseInt(flags, 8) & O_CLOEXEC) === 0) found.push(fd);
  }
  return found.sort((a, b) => a - b);
}
