import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { ARGV, type CliWorld, makeCliWorld, runCli } from './cli-fuzz-world.ts';

// Every command and subcommand, run in-process with generated arguments: real option names mixed
// with garbage values, missing files, directories where files go, bad numbers and unknown ids.
// Bad input is always a one-line error and exit 2; never "internal error", never a stack trace.
// Commands that would start a server or a session always carry one argument that must stop them
// first (placed last), so every run stays short.

const RUNS = Number(process.env.WARDEN_FUZZ_RUNS ?? 1000);

let world: CliWorld;
before(async () => {
  world = await makeCliWorld();
});
after(() => world.cleanup());

test('every command: bad input is a one-line error and exit 2, never an internal error', {
  timeout: 300_000,
}, async () => {
  await fc.assert(
    fc.asyncProperty(ARGV, async (args) => {
      const { code, out, err } = await runCli(world, args);
      const shown = `warden ${JSON.stringify(args)} → ${code}\nstdout: ${out.slice(0, 500)}\nstderr: ${err.slice(0, 1500)}`;
      assert.doesNotMatch(out + err, /internal error/, shown);
      assert.doesNotMatch(out + err, /^\s+at .*[(:]\d+/m, `a stack frame: ${shown}`);
      assert.ok(code === 0 || code === 1 || code === 2, shown);
      if (code === 2) assert.match(err, /^warden: [^\n]+\n$/, `one line on stderr: ${shown}`);
    }),
    { numRuns: RUNS, endOnFailure: true },
  );
});

test('the bad inputs users met: each a one-line answer that says what to do', async () => {
  const cases: Array<[string[], RegExp]> = [
    [
      ['audit', 'verify', 'not-audit'],
      /^warden: no audit logs \(\*\.audit\.jsonl\) in .*not-audit — name a session/,
    ],
    [
      ['audit', 'verify', 'missing-session'],
      /^warden: no audit log for session "missing-session" in .*\.warden\/audit — list the sessions/,
    ],
    [['audit', 'show', 'dir/'], /^warden: .*\/dir is a directory, not an audit log/],
    [['audit', 'prove', 'nope', '1'], /^warden: no audit log for session "nope"/],
    [
      ['audit', 'verify', '--key', 'key.pem'],
      /^warden: .*key\.pem is not a public key \(PEM, or DER from aws kms get-public-key\)/,
    ],
    [['audit'], /^warden: audit needs an action: verify, show, prove or export — see: warden audit --help/],
    [
      ['sessions', 'show', 'nope'],
      /^warden: no session "nope" in this repository — list them with: warden sessions list/,
    ],
    [
      ['sessions', 'list', '--repo', 'tampered'],
      /^warden: .*warden\.db: cannot open the session store: file is not a database/,
    ],
    [
      ['exec', '--policy', 'missing.yaml', 'a task'],
      /^warden: .*missing\.yaml: cannot read the policy: the file does not exist — pass the path/,
    ],
    [
      ['exec', '--model', 'script:dir', 'a task'],
      /^warden: .*\/dir: cannot read the script: the file is a directory, not a file/,
    ],
    [
      ['exec', '--max-turns', '-m', 'x'],
      /^warden: --max-turns needs a value \(one that starts with "-" is written --max-turns=VALUE\)/,
    ],
    [['serve', '--data', 'file.txt'], /^warden: --data .*file\.txt is a file, not a directory/],
    [['demo', 'now'], /^warden: demo takes no arguments, got "now"/],
    [['policy', 'check', '--nope'], /^warden: unknown option --nope — see: warden policy --help/],
    [
      ['exec', 'line one\nline two', '--approvals', 'x\ny'],
      /^warden: --approvals must be ask, deny or fail, got "x y"\n$/,
    ],
  ];
  for (const [args, expected] of cases) {
    const { code, err } = await runCli(world, args);
    assert.equal(code, 2, `${args.join(' ')}: ${err}`);
    assert.match(err, expected);
    assert.equal(err.trimEnd().split('\n').length, 1, err);
  }
  // What is right still works: the real log verifies, and a session shows.
  assert.equal((await runCli(world, ['audit', 'verify', '.warden/audit'])).code, 0);
  assert.match(
    (await runCli(world, ['sessions', 'show', 's20260101-0000bent'])).out,
    /the stored one cannot be read/,
  );
});
