import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { sampleRepo } from './cli.ts';
import { normalise, spawnScreen } from './tui-screen.ts';

// The harness the interactive UI's tests stand on, proved against programs whose screens are known.

test('the harness types, presses Enter, reads the screen and the exit code', async (t) => {
  const { dir, cleanup } = await sampleRepo();
  t.after(cleanup);
  const bash = await spawnScreen(['-c', 'printf "name? "; read x; echo "got $x"; exit 3'], {
    cwd: dir,
    file: 'bash',
    cols: 40,
    rows: 6,
  });
  await bash.waitFor('name?');
  bash.type('ana');
  await bash.waitFor('name? ana');
  bash.press('enter');
  assert.deepEqual(await bash.exited, { code: 3, signal: undefined });
  await bash.settle(0);
  assert.equal(bash.text(), 'name? ana\ngot ana');
});

test('the harness resizes the terminal and the program sees the new size', async (t) => {
  const { dir, cleanup } = await sampleRepo();
  t.after(cleanup);
  const bash = await spawnScreen(['-c', 'stty size; trap "stty size" WINCH; read x; stty size; exit 0'], {
    cwd: dir,
    file: 'bash',
    cols: 80,
    rows: 24,
  });
  await bash.waitFor('24 80');
  bash.resize(60, 10);
  assert.equal(bash.cols, 60);
  assert.equal(bash.rows, 10);
  bash.press('enter');
  await bash.waitFor('10 60');
  assert.equal((await bash.exited).code, 0);
});

test('a long line wraps at the terminal width, as a person sees it', async (t) => {
  const { dir, cleanup } = await sampleRepo();
  t.after(cleanup);
  const bash = await spawnScreen(['-c', `printf '%s' ${'x'.repeat(50)}; read x`], {
    cwd: dir,
    file: 'bash',
    cols: 20,
    rows: 5,
  });
  await bash.waitFor('xxxxxxxxxx');
  await bash.settle();
  assert.deepEqual(bash.screen().slice(0, 3), ['x'.repeat(20), 'x'.repeat(20), 'x'.repeat(10)]);
  await bash.close();
});

test('the plain live view of warden exec in a terminal: colour, steps and report on the screen', async (t) => {
  const { dir, repo, cleanup } = await sampleRepo();
  t.after(cleanup);
  const script = join(dir, 'fix.json');
  await writeFile(
    script,
    JSON.stringify({
      turns: [
        {
          text: 'Fixing the sum.',
          calls: [
            { tool: 'edit_file', args: { path: 'src/sum.js', old_string: 'a - b', new_string: 'a + b' } },
          ],
        },
        { text: 'Fixed.' },
      ],
    }),
  );
  const live = await spawnScreen(['exec', '--model', `script:${script}`, 'fix the test'], {
    cwd: repo,
    cols: 120,
    rows: 40,
  });
  assert.equal((await live.exited).code, 0);
  await live.settle(0);
  const screen = normalise(live.scrollback(), { [script]: '<script>' });
  assert.match(screen, /^warden · session <session> · model script:<script>$/m);
  assert.match(screen, /→ edit_file src\/sum\.js/);
  assert.match(screen, /-\s+return a - b;/);
  assert.match(screen, /\+\s+return a \+ b;/);
  assert.match(screen, /status {4}finished/);
  // Coloured, since it is a terminal: the escape codes were there, the screen shows none of them.
  assert.ok(live.output().includes('\u001b[32m'));
  assert.ok(!screen.includes('\u001b'));
});

test('normalise replaces what changes from run to run', () => {
  assert.equal(
    normalise([
      'session s20261125-1a2b3c4d · task t20261125-1a2b3c4d5e6f · approval a20261125-9f8e7d6c5b4a',
      'in /tmp/warden-cli-AbC123/repo at 2026-11-25T10:11:12.345Z, 12:30, took 1.2 s and 340ms',
      '',
    ]),
    'session <session> · task <task> · approval <approval>\nin <tmp>/repo at <time>, <clock>, took <dur> and <dur>',
  );
});
