import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/**
 * The model id a contestant uses on one instance. A `script:` model naming a directory is a
 * scripted contestant with one script per instance, `DIR/<instance_id>.json`; an instance it has
 * no script for is one it gives up on.
 */
export async function contestantModel(
  model: string,
  instanceId: string,
  options: { dir: string; cwd: string },
): Promise<string> {
  if (!model.startsWith('script:')) return model;
  const path = resolve(options.cwd, model.slice('script:'.length));
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) return model;
  // An id that names a path (`../x`) is not a file name: only DIR's own files are its scripts.
  const file = join(path, `${instanceId}.json`);
  const own = !/[/\\\0]/.test(instanceId) && dirname(file) === path;
  if (own && statSync(file, { throwIfNoEntry: false })?.isFile()) return `script:${file}`;
  const none = join(options.dir, 'no-attempt.json');
  await writeFile(none, JSON.stringify({ turns: [{ text: 'No attempt is scripted for this instance.' }] }));
  return `script:${none}`;
}
