import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import type { CompiledPolicy } from '../src/policy/engine.ts';
import { loadPolicy } from '../src/policy/load.ts';

// GTFOBins, the public catalog of Unix programs that can run commands or write files, is the
// corpus: every technique (bar reading files) of every program the default policy allows, and of
// the wrappers that run them, must be asked about or denied — also spelled the other ways a model
// could spell it. The fixture holds the catalog's entries unchanged; `source` names the snapshot.

interface Technique {
  program: string;
  function: string;
  code: string;
}
const catalog = JSON.parse(
  readFileSync(new URL('./fixtures/gtfobins-default-allow.json', import.meta.url), 'utf8'),
) as { queried: string[]; catalogued: string[]; techniques: Technique[] };

/** The catalog's placeholders, each replaced the ways a real attack would fill them in. */
const PROGRAMS_RUN = ['/bin/sh', 'sh', 'bash -i', './payload.sh'];
const FILES_WRITTEN = ['/path/to/output-file', '~/.bashrc', '.git/hooks/pre-commit', '.env', '../outside'];

function filledIn(code: string): string[] {
  let forms = [code];
  if (code.includes('/bin/sh'))
    forms = forms.flatMap((c) => PROGRAMS_RUN.map((p) => c.replaceAll('/bin/sh', p)));
  if (code.includes('/path/to/output-file'))
    forms = forms.flatMap((c) => FILES_WRITTEN.map((f) => c.replaceAll('/path/to/output-file', f)));
  return forms;
}

/** The same command with its program named by path, or run by a wrapper the policy sees through. */
function spelled(code: string, program: string): string[] {
  if (!code.startsWith(`${program} `)) return [code];
  const rest = code.slice(program.length);
  return [code, `/usr/bin/${program}${rest}`, `timeout 5 ${program}${rest}`, `nice -n 5 ${program}${rest}`];
}

let policy: CompiledPolicy;
before(async () => {
  policy = await loadPolicy();
});

describe('GTFOBins: the default policy allows none of the techniques of the programs it allows', () => {
  test('the corpus covers every program of the default allow list', () => {
    const allowed = new Set(
      (policy.file.commands?.allow ?? []).map((p) => p.split(' ')[0]?.replace(/\*$/, '')),
    );
    for (const program of allowed)
      assert.ok(catalog.queried.includes(program as string), `${program} queried`);
    assert.ok(catalog.techniques.length >= 40, `${catalog.techniques.length} techniques`);
  });

  for (const technique of catalog.techniques) {
    const cases = filledIn(technique.code).flatMap((code) => spelled(code, technique.program));
    test(`${technique.program} ${technique.function}: ${JSON.stringify(technique.code).slice(0, 60)} (${cases.length} forms)`, async () => {
      for (const command of cases) {
        const d = await policy.decide({ kind: 'shell', command, root: '/workspace' });
        assert.notEqual(d.decision, 'allow', `${JSON.stringify(command)} was allowed: ${d.reason}`);
        assert.ok(d.reason.length > 0 && d.policies !== undefined);
      }
    });
  }

  // Where the program itself is allowed, the reason must be the option or the file it judged,
  // not a rule that happened to miss.
  const ALLOWED_PROGRAM_TECHNIQUES: Record<string, RegExp> = {
    'sort file-write': /sort -o writes/,
    'find file-write': /find -fprintf writes/,
    'make file-write': /make --eval runs code/,
    'make shell': /make --eval runs code/,
    'tsc file-write': /-outFile writes/,
    'git file-write': /matches no rule/,
  };
  for (const [key, reason] of Object.entries(ALLOWED_PROGRAM_TECHNIQUES)) {
    test(`${key}: the reason names what was judged`, async () => {
      const techniques = catalog.techniques.filter((t) => `${t.program} ${t.function}` === key);
      assert.ok(techniques.length > 0, `${key} is in the catalog`);
      for (const t of techniques) {
        const d = await policy.decide({ kind: 'shell', command: t.code, root: '/workspace' });
        assert.match(d.reason, reason);
      }
    });
  }
});
