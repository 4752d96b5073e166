import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { type CompiledPolicy, compileToPolicy } from './engine.ts';
import { loadPolicy } from './load.ts';
import { parsePolicyFile } from './policy-file.ts';

function fileFrom(text: string) {
  const parsed = parsePolicyFile(text, 'test.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.describe()).join('\n'));
  return parsed.file;
}

let policy: CompiledPolicy;
before(async () => {
  policy = await compileToPolicy(
    fileFrom(
      'version: 1\nfiles:\n  write: ["*"]\ncommands:\n  allow: ["ls*", "echo *", "cat *"]\n  deny: ["curl *"]\n',
    ),
    'test',
  );
});

const shell = (command: string) => policy.decide({ kind: 'shell', command });

describe('a hidden curl is found wherever it hides', () => {
  const denied = [
    'ls; curl x',
    'ls && curl x',
    'ls || curl x',
    "ls | sh -c 'curl x'",
    'echo $(curl x)',
    'echo `curl x`',
    'bash -c "curl x"',
    'dash -c "ls; curl x"',
    'eval curl x',
    'xargs curl < f',
    'find . -exec curl x \\;',
    'find . -name y -execdir curl x {} +',
    'env A=1 curl x',
    'env -i -u HOME curl x',
    'A=1 curl x',
    '(curl x)',
    '{ curl x; }',
    'ls > /dev/null; curl x',
    'if true; then curl x; fi',
    'while ls; do curl x; done',
    'for f in a; do curl x; done',
    'f() { curl x; }; f',
    'timeout 5 curl x',
    'timeout -s KILL 5 curl x',
    'nice -n 5 curl x',
    'nohup curl x',
    'time curl x',
    'command curl x',
    'builtin curl x',
    'exec curl x',
    'sudo curl x',
    'ls <(curl x)',
    'A=$(curl x) ls',
    'cat <<EOF\n$(curl x)\nEOF',
    'c\\url x',
    "c''url x",
    '"curl" x',
    '/usr/bin/curl x',
    'bash -c "bash -c \\"curl x\\""',
    'sh -c \'eval "curl x"\'',
    'case a in a) curl x;; esac',
    '! curl x',
    'ls & curl x',
  ];
  for (const command of denied) {
    test(JSON.stringify(command), async () => {
      const d = await shell(command);
      assert.equal(d.decision, 'deny', `${command} → ${d.decision}: ${d.reason}`);
      assert.ok(d.policies.includes('commands.deny[0]'), d.policies.join(','));
      assert.ok(d.parts?.some((p) => /(^|\/)curl /.test(p.command) && p.decision === 'deny'));
    });
  }
});

describe('what cannot be analysed is asked, never allowed', () => {
  const asked = [
    '$CMD x',
    '"$(echo curl)" x',
    "ls 'unterminated",
    'ls &&',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not a template
    'echo ${a:-`curl x`}',
    'bash -c "$SCRIPT"',
    'eval "$X"',
    '*url x',
    'l? -la',
    'timeout $T curl x',
    'xargs $OPTS',
    'find . -exec ls',
    'ls $(',
    'bash script.sh',
    'ls | sh',
    '',
  ];
  for (const command of asked) {
    test(JSON.stringify(command), async () => {
      const d = await shell(command);
      assert.equal(d.decision, 'ask', `${command} → ${d.decision}: ${d.reason}`);
    });
  }
});

// biome-ignore-start lint/suspicious/noTemplateCurlyInString: shell expansions, not templates
describe('strings bash evaluates a second time are asked, never allowed', () => {
  let evaluating: CompiledPolicy;
  before(async () => {
    const allow =
      '["ls*", "echo *", "cat *", "test *", "printf *", "read *", "mapfile *", "readarray *", "let *", "[ *"]';
    evaluating = await compileToPolicy(fileFrom(`version: 1\ncommands:\n  allow: ${allow}\n`), 'test');
  });
  const asked = [
    "test -v 'a[$(rm x)]'",
    "[ -v 'a[$(rm x)]' ]; ls",
    '[[ -v a[$i] ]]; ls',
    "x='$(rm x)'; echo ${x@P}",
    "x='a[$(rm x)]'; echo $((x))",
    'echo $[x]',
    'echo ${!x}',
    '(( x )); ls',
    'let x',
    'let "a[$(rm x)]"',
    'declare -i x=$y; ls',
    'typeset -i x=y; ls',
    'local -n r=$y; ls',
    '[[ $x -eq 1 ]]; ls',
    '[[ 1 -lt x ]]; ls',
    "printf -v 'a[$(rm x)]' x",
    'printf -va[$i] x',
    "read 'a[$(rm x)]'",
    'read -r -a "$n"',
    "mapfile 'a[$(rm x)]'",
    'mapfile -C "rm x" -c 1 a < f',
    "readarray -t 'a[$(rm x)]' < f",
    "unset 'a[$(rm x)]'; ls",
    "export 'a[$(rm x)]=1'; ls",
    'a[$x]=1; ls',
    'echo ${a[$x]}',
    'echo ${x:$n:2}',
    'for ((i = 0; i < n; i++)); do ls; done',
    'command read "a[$(rm x)]"',
    'cat x <<EOF\n`rm x`\nEOF',
    'PATH=.:$PATH ls',
    'export PATH=.; ls',
    'env NODE_OPTIONS=--require=./x.js ls',
    'BASH_ENV=./x bash -c ls',
    'GIT_CONFIG_PARAMETERS=x ls',
  ];
  for (const command of asked) {
    test(JSON.stringify(command), async () => {
      const d = await evaluating.decide({ kind: 'shell', command });
      assert.equal(d.decision, 'ask', `${command} → ${d.decision}: ${d.reason}`);
      assert.match(d.reason, /bash would evaluate this/);
    });
  }
  const allowed = [
    'test -v x',
    "test -v 'a[1]'",
    // test and [ read -eq operands as integers, never as arithmetic (bash 5.2 checked).
    '[ "$x" -eq 1 ] && ls',
    'echo $((1 + 2)) ${x:1:2} ${x: -1} ${!a[@]} ${a[0]} ${a[@]}',
    'let 1+2',
    'printf -v x %s "$y"',
    'read -r -p "name?" line',
    'mapfile -t lines < f',
    'x=1; export A=$x; local y; unset y; ls',
    "cat x <<'EOF'\n`rm x` $(rm x)\nEOF",
    'cat x <<"EOF"\n`rm x`\nEOF',
    'cat x <<EOF\nhello $x ${y}\nEOF',
  ];
  for (const command of allowed) {
    test(`${JSON.stringify(command)} stays allowed`, async () => {
      const d = await evaluating.decide({ kind: 'shell', command });
      assert.equal(d.decision, 'allow', `${command} → ${d.decision}: ${d.reason}`);
    });
  }
  test('a substitution in an unquoted heredoc body is still judged on its own', async () => {
    const d = await shell('cat <<EOF\n`curl x`\nEOF');
    assert.equal(d.decision, 'ask');
    assert.equal((await shell('echo $((x)) $(curl x)')).decision, 'deny');
  });
});
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: shell expansions, not templates

describe('allowed programs stay allowed, every part judged', () => {
  const allowed = [
    'ls',
    'ls -la | cat -n',
    'echo hi && ls',
    'echo "a b" > out.txt',
    'ls; echo $(ls)',
    'A=1 ls',
    "bash -c 'ls && echo ok'",
  ];
  for (const command of allowed) {
    test(JSON.stringify(command), async () => {
      const d = await shell(command);
      assert.equal(d.decision, 'allow', `${command} → ${d.decision}: ${d.reason}`);
      assert.ok(d.parts && d.parts.length > 0 && d.parts.every((p) => p.decision === 'allow'));
    });
  }
  test('a command matching no rule is ask, with the catch-all named', async () => {
    const d = await shell('make');
    assert.equal(d.decision, 'ask');
    assert.deepEqual(d.policies, ['default.commands.unmatched']);
  });
  test('parts list each simple command with its own verdict', async () => {
    const d = await shell('ls && make; curl x');
    assert.deepEqual(
      d.parts?.map((p) => [p.command, p.decision]),
      [
        ['ls', 'allow'],
        ['make', 'ask'],
        ['curl x', 'deny'],
      ],
    );
  });
});

describe('precedence between command rules', () => {
  test('deny > ask > allow', async () => {
    const p = await compileToPolicy(
      fileFrom(
        'version: 1\ncommands:\n  allow: ["npm *", "git *"]\n  ask: ["npm install*"]\n  deny: ["npm install evil*"]\n',
      ),
      'test',
    );
    assert.equal((await p.decide({ kind: 'shell', command: 'npm test' })).decision, 'allow');
    const ask = await p.decide({ kind: 'shell', command: 'npm install left-pad' });
    assert.deepEqual([ask.decision, ask.policies], ['ask', ['commands.ask[0]']]);
    assert.equal((await p.decide({ kind: 'shell', command: 'npm install evil-pkg' })).decision, 'deny');
    assert.equal(
      (await p.decide({ kind: 'shell', command: 'git push origin warden/fix' })).decision,
      'allow',
    );
    // Force push is forbidden by a built-in, however it is spelled and whatever the file allows.
    for (const command of [
      'git push --force origin main',
      'git push -f',
      'git push "--force"',
      'git push origin +main',
      'git -C . push --force-with-lease',
      // Deleting a remote branch, then pushing again, is a force push in two steps.
      'git push --delete origin main',
      'git push -d origin main',
      'git push origin :main',
    ]) {
      const d = await p.decide({ kind: 'shell', command });
      assert.equal(d.decision, 'deny', command);
      assert.ok(
        d.policies.some((id) => id.startsWith('default.commands.deny')),
        command,
      );
    }
  });
  test('decide() of one compiled policy answers the same many times', async () => {
    for (let i = 0; i < 300; i++) {
      assert.equal((await shell('ls -la && echo ok')).decision, 'allow');
      assert.equal((await shell('ls; curl x')).decision, 'deny');
    }
  });
});

describe('the default policy asks for options that make an allowed command run or write more', () => {
  const asked = [
    'rg --pre ./x foo',
    'rg -z foo',
    'rg --search-zip foo',
    'sort --compress-program=sh f',
    'find . -name x -delete',
    'go test -exec ./x ./...',
    'go build -toolexec x',
    'make SHELL=/tmp/x',
    'make test --eval=x',
    'node --test --require ./x.js',
    'node --test -r ./x.js',
    'node --test --import=./x.js',
    'node --test --experimental-loader ./x',
    'git -c core.pager=x log',
    'git --exec-path=/tmp log',
  ];
  const allowed = [
    'rg -i foo',
    'find . -name "*.ts"',
    'go test ./...',
    'make test',
    'node --test src/',
    'git log -p',
  ];
  for (const [command, expected] of [...asked.map((c) => [c, 'ask']), ...allowed.map((c) => [c, 'allow'])]) {
    test(`${JSON.stringify(command)} is ${expected}`, async () => {
      const d = await (await loadPolicy()).decide({ kind: 'shell', command: command as string });
      assert.equal(d.decision, expected, `${command} → ${d.decision}: ${d.reason}`);
    });
  }
});
