import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { createLocalKeyWrapper, createLocalSigner, openAuditLog } from '../src/audit/index.ts';
import { type CommandIo, main } from '../src/cli/main.ts';
import { SessionStore } from '../src/store/session-store.ts';

/**
 * A directory for fuzzing the CLI: real things to find (a signed audit log with its keys, a
 * session store with a finished session) beside what only looks like them (a directory of notes,
 * a store that is not a database, a report that is not one, a key that is not a key).
 */
export interface CliWorld {
  dir: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

export const SESSION = 's20260101-0000aaaa';

export async function makeCliWorld(): Promise<CliWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-cli-fuzz-'));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(dir, 'home'),
    XDG_STATE_HOME: join(dir, 'state'),
    XDG_CONFIG_HOME: join(dir, 'config'),
  };
  for (const sub of ['dir', 'home', 'not-audit', 'tampered/.warden/audit'])
    mkdirSync(join(dir, sub), { recursive: true });
  const files: Record<string, string> = {
    'not-audit/notes.txt': 'hello\n',
    'file.txt': 'just text\n',
    'empty.txt': '',
    'good.policy.yaml': 'version: 1\ncommands: { allow: ["ls*"] }\n',
    'bad.policy.yaml': 'version: 1\nfiles:\n  wirte: ["*"]\ncommands: { allow: 1 }\n',
    'garbage.yaml': '{{{: [',
    'garbage.jsonl': '{"seq": 1, "not": "a record"}\nnot json\n',
    'garbage.audit.jsonl': 'x\n',
    'key.pem': 'not a key\n',
    'script.json': '{"turns": "no"}',
    'tampered/.warden/warden.db': 'this is not sqlite',
    'tampered/.warden/audit/s1.audit.jsonl': '{"seq":0}\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);

  // A real log, signed and encrypted with the keys Warden would use (XDG_STATE_HOME/warden/keys).
  const keyDir = join(env.XDG_STATE_HOME, 'warden', 'keys');
  const log = await openAuditLog({
    dir: join(dir, '.warden', 'audit'),
    session: SESSION,
    signer: await createLocalSigner({ keyDir }),
    encryption: { wrapper: await createLocalKeyWrapper({ keyDir }) },
    digestEvery: 3,
  });
  for (let i = 0; i < 7; i++) await log.append('tool.requested', { tool: 'shell', command: `echo ${i}` });
  await log.close();

  const store = SessionStore.open(join(dir, '.warden'));
  store.create({ id: SESSION, task: 'fix it', model: 'script:x', repo: dir });
  store.create({ id: 's20260101-0000bent', task: 'bent', model: 'script:x', repo: dir });
  store.create({ id: 's20260101-0000junk', task: 'junk', model: 'script:x', repo: dir });
  store.close();
  // What a tampered store could hold: a report of the wrong shape, and one that is not JSON.
  const db = new DatabaseSync(join(dir, '.warden', 'warden.db'));
  db.prepare("UPDATE sessions SET status = 'finished', report = ? WHERE id = ?").run(
    '{"status":1}',
    's20260101-0000bent',
  );
  db.prepare("UPDATE sessions SET status = 'finished', report = ? WHERE id = ?").run(
    'not json',
    's20260101-0000junk',
  );
  db.close();
  return { dir, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Values anyone might pass: paths that are not what they should be, numbers that are not numbers. */
const PATHS = [
  'missing.txt',
  'dir',
  'dir/',
  'not-audit',
  'file.txt',
  'empty.txt',
  'good.policy.yaml',
  'bad.policy.yaml',
  'garbage.yaml',
  'garbage.jsonl',
  'garbage.audit.jsonl',
  'key.pem',
  'tampered',
  '.warden/audit',
  `.warden/audit/${SESSION}.audit.jsonl`,
  'state/warden/keys/audit-master.key',
  'state/warden/keys/audit-ed25519.pub.pem',
  '/dev/null',
  '/',
  '../../../../etc/shadow',
  'missing/deeper/file',
];
const NUMBERS = [
  '0',
  '1',
  '5',
  '-1',
  '1.5',
  'abc',
  'NaN',
  'Infinity',
  '1e999',
  '99999999999999999999',
  '',
  ' ',
  '0x10',
];
const IDS = ['.', SESSION, 's20260101-0000bent', 's20260101-0000junk', 's2026', 's1', 'x', '%', '../s1', ''];
const ACTIONS = [
  'shell: ls',
  'read: a',
  'net: h:99999',
  'dep: npm:',
  'push --force: main',
  'secret: a:b',
  'bogus: x',
];
export const VALUE = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PATHS, ...NUMBERS, ...IDS, ...ACTIONS) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'script:missing.json',
      'script:dir',
      'script:script.json',
      'nope:m',
      'openai:',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'jsonl',
      'otlp',
      'http://127.0.0.1:1',
      'ftp://x',
      'deny',
      'fail',
      'ask',
      'codex',
      'generic',
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8, unit: 'grapheme' }) },
);

interface CommandShape {
  name: string;
  actions?: string[];
  options: string[];
  flags?: string[];
  /** Always last: an argument that stops the command before it starts a session or a server. */
  poison?: fc.Arbitrary<string[]>;
}

const COMMANDS: CommandShape[] = [
  {
    name: 'exec',
    options: [
      'repo',
      'model',
      'resume',
      'max-turns',
      'max-time',
      'max-tokens',
      'max-cost',
      'policy',
      'approvals',
      'audit-dir',
      'audit-durability',
    ],
    flags: ['json'],
    poison: fc.oneof(
      fc.constantFrom('0', '-1', 'abc', '1e999', '').map((v) => ['--max-turns', v]),
      fc.constantFrom('missing.txt', 'dir', 'garbage.yaml', 'bad.policy.yaml').map((v) => ['--policy', v]),
      fc.constantFrom('missing', 'file.txt').map((v) => ['--repo', v]),
      fc
        .constantFrom('script:missing.json', 'script:dir', 'script:script.json', 'nope:x', 'x')
        .map((v) => ['--model', v]),
    ),
  },
  { name: 'sessions', actions: ['list', 'show'], options: ['repo'], flags: ['json', 'events'] },
  { name: 'policy', actions: ['check', 'explain', 'test'], options: [], flags: ['json'] },
  {
    name: 'audit',
    actions: ['verify', 'show', 'prove', 'export'],
    options: ['repo', 'audit-dir', 'key', 'master-key', 'format', 'endpoint'],
    flags: ['json', 'decrypt', 'force'],
  },
  {
    name: 'audit',
    actions: ['verify'],
    options: ['key'],
    poison: fc
      .constantFrom('postgres://127.0.0.1:1/x', 'postgres://', 'mysql://x', 'abc')
      .map((v) => ['--database', v]),
  },
  {
    name: 'wrap',
    options: [
      'profile',
      'model',
      'policy',
      'repo',
      'approvals',
      'max-time',
      'max-tokens',
      'max-cost',
      'audit-dir',
      'audit-durability',
    ],
    poison: fc
      .constantFrom('no-such-agent', './file.txt', 'dir', '/dev/null', '')
      .map((program) => ['--', program]),
  },
  {
    name: 'serve',
    options: ['host', 'data', 'config', 'concurrency'],
    flags: ['new-admin-token'],
    poison: fc.constantFrom('abc', '-1', '70000', '1.5', '', ' 1').map((v) => ['--port', v]),
  },
  {
    name: 'worker',
    options: ['database', 'data', 'config', 'concurrency'],
    poison: fc.constantFrom('BAD!', '', '../x').map((v) => ['--team', v]),
  },
  {
    name: 'demo',
    options: [],
    flags: ['keep', 'json'],
    poison: fc.constantFrom('now', '--nope', '-x').map((v) => [v]),
  },
  { name: 'help', options: [] },
  { name: 'nonsense', options: [] },
];

/** One argument list: the command, maybe an action, then options, flags and stray words in any order. */
export const ARGV: fc.Arbitrary<string[]> = fc.constantFrom(...COMMANDS).chain((command) => {
  const option = fc.constantFrom(...(command.options.length > 0 ? command.options : ['nope']));
  const withOptions = command.options.length > 0 ? 1 : 0;
  const token = fc.oneof(
    { weight: 8 * withOptions, arbitrary: fc.tuple(option, VALUE).map(([o, v]) => [`--${o}`, v]) },
    { weight: 2 * withOptions, arbitrary: fc.tuple(option, VALUE).map(([o, v]) => [`--${o}=${v}`]) },
    { weight: 2, arbitrary: fc.constantFrom(...(command.flags ?? ['json'])).map((f) => [`--${f}`]) },
    { weight: 1, arbitrary: fc.constantFrom('--help', '--nope', '-h', '-x', '-', '--').map((f) => [f]) },
    { weight: 4, arbitrary: VALUE.map((v) => [v]) },
  );
  // exec's words are its task: give it one, so runs get past "no task given".
  const task = command.name === 'exec' ? VALUE.map((v) => [v || 'a task']) : fc.constant([]);
  const action = command.actions
    ? fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...command.actions).map((a) => [a]) },
        { weight: 1, arbitrary: VALUE.map((v) => [v]) },
        { weight: 1, arbitrary: fc.constant([]) },
      )
    : fc.constant([]);
  return fc
    .tuple(action, fc.array(token, { maxLength: 4 }), task, command.poison ?? fc.constant([]))
    .map(([a, tokens, words, poison]) => {
      // Stray words would otherwise turn a poison after `--` (or before it) into something else.
      const flat = tokens.flat().filter((t) => !(command.poison && t === '--'));
      return [command.name, ...a, ...flat, ...words, ...poison];
    });
});

export async function runCli(
  world: CliWorld,
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIo = {
    cwd: world.dir,
    env: world.env,
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    stdoutIsTty: false,
    stdin: Readable.from([]),
    stdinIsTty: false,
  };
  const code = await main(args, io);
  return { code, out, err };
}
