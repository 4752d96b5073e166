import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { contestantModel } from './contestant-model.ts';

describe('a scripted contestant: one script per instance', () => {
  let dir: string;
  let scripts: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-contestant-'));
    scripts = join(dir, 'scripts');
    await mkdir(scripts);
    await writeFile(join(scripts, 'calc-1.json'), '{"turns":[]}');
    // A script beside the directory, which no instance id may reach.
    await writeFile(join(dir, 'outside.json'), '{"turns":[]}');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('picks DIR/<instance_id>.json, and gives up where there is none', async () => {
    assert.equal(
      await contestantModel(`script:${scripts}`, 'calc-1', { dir, cwd: '/' }),
      `script:${join(scripts, 'calc-1.json')}`,
    );
    const none = await contestantModel(`script:${scripts}`, 'calc-2', { dir, cwd: '/' });
    assert.match(await readFile(none.slice(7), 'utf8'), /No attempt is scripted/);
  });

  it('leaves other model ids and script files as they are', async () => {
    assert.equal(await contestantModel('openai:gpt-5.5', 'calc-1', { dir, cwd: '/' }), 'openai:gpt-5.5');
    const file = `script:${join(scripts, 'calc-1.json')}`;
    assert.equal(await contestantModel(file, 'anything', { dir, cwd: '/' }), file);
  });

  it('never reads a script outside DIR, whatever the instance id', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('../outside', '../scripts/../outside', '/etc/passwd', 'a/../../outside', '..', '.'),
        async (id) => {
          const chosen = await contestantModel(`script:${scripts}`, id, { dir, cwd: '/' });
          assert.ok(chosen.endsWith('no-attempt.json'), `${id} → ${chosen}`);
        },
      ),
    );
  });
});
