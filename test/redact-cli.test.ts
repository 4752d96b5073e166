import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { warden } from './cli.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-redact-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const CI_TOKEN = 'ciTok3n-9fQ2xLm7Rw4Zp8Kd0Vb6';
const AWS_KEY = 'AKIAQWERTYUIOPASDFGH';
const env = { DEPLOY_TOKEN: CI_TOKEN };

/** The token as a CI job might print it by mistake, in each form a command could. */
const FORMS = [
  CI_TOKEN,
  Buffer.from(CI_TOKEN).toString('base64'),
  Buffer.from(CI_TOKEN).toString('hex'),
  [...CI_TOKEN].reverse().join(''),
  encodeURIComponent(`${CI_TOKEN}/`).replace(/[A-Z]/g, (c) => `%${c.charCodeAt(0).toString(16)}`),
  `${CI_TOKEN.slice(0, 14)}\n${CI_TOKEN.slice(14)}`,
];

test('warden redact prints stdin with every secret replaced, and exits 1 because it found some', async () => {
  const log = ['$ ./deploy.sh', `aws ${AWS_KEY}`, ...FORMS.map((form) => `debug: ${form}`), 'done'].join(
    '\n',
  );
  const result = await warden(['redact'], { cwd: dir, env, input: `${log}\n` });
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stderr, '');
  for (const form of [AWS_KEY, ...FORMS.flatMap((f) => f.split('\n'))])
    assert.ok(!result.stdout.includes(form), `${form} in ${result.stdout}`);
  assert.match(
    result.stdout,
    /^\$ \.\/deploy\.sh\naws «secret:aws-access-key#1»\ndebug: «secret:deploy-token#1»\n/,
  );
  assert.match(result.stdout, /\ndone\n$/);
});

test('warden redact --json lists each finding by file, line, column and rule, never the value', async () => {
  await writeFile(join(dir, 'a.log'), `first line\n  key=${AWS_KEY}\n`);
  await writeFile(join(dir, 'b.log'), `ok\nok\nhex ${Buffer.from(CI_TOKEN).toString('hex')}\n`);
  const result = await warden(['redact', '--json', 'a.log', 'b.log'], { cwd: dir, env });
  assert.equal(result.code, 1, result.stderr);
  assert.ok(!result.stdout.includes(AWS_KEY) && !result.stdout.includes(CI_TOKEN));
  const { findings } = JSON.parse(result.stdout) as { findings: unknown[] };
  assert.deepEqual(findings, [
    { file: 'a.log', line: 2, column: 7, rule: 'aws-access-key', placeholder: '«secret:aws-access-key#1»' },
    {
      file: 'b.log',
      line: 3,
      column: 5,
      rule: 'deploy-token',
      form: 'hex',
      placeholder: '«secret:deploy-token#1»',
    },
  ]);
});

test('text without secrets comes out unchanged, exit 0, whatever its characters and size', async () => {
  const text = `${'naïve café — ✓ 日本語 🚀 line\n'.repeat(8000)}no newline at the end`;
  await writeFile(join(dir, 'clean.txt'), text);
  const printed = await warden(['redact', 'clean.txt'], { cwd: dir });
  assert.equal(printed.code, 0, printed.stderr);
  assert.ok(printed.stdout === text, 'the text came out changed');
  const listed = await warden(['redact', '--json'], { cwd: dir, input: 'nothing to see\n' });
  assert.equal(listed.code, 0);
  assert.deepEqual(JSON.parse(listed.stdout), { findings: [] });
});

test('a private key is redacted whole, across its lines', async () => {
  const key = `-----BEGIN OPENSSH PRIVATE KEY-----\n${'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n'.repeat(40)}-----END OPENSSH PRIVATE KEY-----`;
  const result = await warden(['redact'], { cwd: dir, input: `before\n${key}\nafter\n` });
  assert.equal(result.code, 1);
  assert.equal(result.stdout, 'before\n«secret:private-key#1»\nafter\n');
});

test('bad input is one line on stderr and exit 2, with nothing printed', async () => {
  for (const [args, message] of [
    [['redact', 'missing.log'], /^warden: missing\.log: no such file — /],
    [['redact', '.'], /^warden: \.: not a file — /],
    [['redact', '--colour'], /^warden: unknown option --colour — see: warden redact --help/],
  ] as const) {
    const result = await warden([...args], { cwd: dir, input: '' });
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.equal(result.stdout, '');
  }
});

test('any arguments: exit 0, 1 or 2, never an internal error or a stack trace', async () => {
  const arg = fc.oneof(
    fc.constantFrom('--json', '-h', '--help', '-', '--', 'a.log', 'missing', '.', '--json=1', '-x'),
    fc.string({ maxLength: 12 }).filter((s) => !s.includes('\0')),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(arg, { maxLength: 4 }), async (args) => {
      const result = await warden(['redact', ...args], { cwd: dir, input: 'text\n', timeoutMs: 20_000 });
      assert.ok([0, 1, 2].includes(result.code ?? -1), `${JSON.stringify(args)}: ${result.code}`);
      assert.doesNotMatch(result.stderr, /internal error|\n\s+at /, JSON.stringify(args));
    }),
    { numRuns: 12 },
  );
});
