import { execFile } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTestWorkspace, type TestWorkspace } from './test-workspace.ts';

/*
 * One tree for the grep and list_files tests, so both backends (ripgrep and the JavaScript
 * fallback) are held to the same answers: hidden files are in, .git, node_modules, binary files
 * and a symlink out of the workspace are out. A FIFO (and a link to it) sits in src/: opening one with
 * no writer blocks forever, so a search must skip it and refuse it as a path.
 */
export async function makeSearchWorkspace(): Promise<TestWorkspace> {
  const ws = await makeTestWorkspace({
    'src/a.ts': 'const alpha = 1;\nexport function hello() {}\n',
    'src/b/c.ts': 'hello world\nHELLO again\n',
    'src/b.txt': 'hello b\n',
    'docs/readme.md': 'say hello\n',
    '.github/wf.yml': 'run: hello\n',
    'node_modules/pkg/index.js': 'hello from a dependency\n',
    '.git/config': '[hello]\n',
    'image.bin': Buffer.from('hello\0binary'),
    'crlf.txt': 'hello\r\nbye\r\n',
    'long.txt': `${'x'.repeat(600)} hello\n`,
  });
  await writeFile(join(ws.outside, 'secret.txt'), 'hello secret\n');
  await symlink(ws.outside, join(ws.root, 'outlink'));
  // Node has no mkfifo; the coreutils one is everywhere the tests run.
  await promisify(execFile)('mkfifo', [join(ws.root, 'src/pipe')]);
  await symlink('pipe', join(ws.root, 'src/pipelink'));
  return ws;
}
