import { resolve } from 'node:path';
import { WardenError } from '../errors.ts';
import { compileToPolicy } from '../policy/engine.ts';
import { explainPolicy } from '../policy/explain.ts';
import { checkPolicyFile, loadPolicy } from '../policy/load.ts';
import type { PolicyAction, Verdict } from '../policy/types.ts';
import { parseFlags } from './args.ts';
import type { CommandIo } from './main.ts';
import { policyEvidenceCommand } from './policy-evidence.ts';
import { forTerminal } from './terminal.ts';

export const POLICY_HELP = `Usage: warden policy check FILE [--json]
       warden policy explain [FILE] [--json]
       warden policy test [FILE] "<action>" [--expect allow|ask|deny] [--json]
       warden policy suggest --from-audit LOG… [--data DIR] [--policy CURRENT] [--siblings N] [--out FILE] [--json]
       warden policy diff A B [--from-audit LOG…] [--generated N] [--seed S] [--catalog FILE] [--json]
       warden policy assert POLICY --never 'KIND: PATTERN'… [--json]

check    validates a policy file; exit 0 when valid, 1 with every error as file:line:col.
explain  the one-page summary of what the policy grants, with warnings and a breadth score.
         Without FILE: Warden's default policy.
test     what the policy would decide, the rules that decided it, and why. Actions:
           "shell: <command>"   "read: <path>"   "write: <path>"   "net: <host>:<port>"
           "dep: <ecosystem>:<name>"   "push: <branch>"   "push --force: <branch>"
           "mcp: <server>.<tool> <JSON arguments>", e.g. 'mcp: github.create_pull_request {"base":"main"}'
         --expect VERDICT: compare with the decision; exit 1 when they differ.
suggest  the least-privilege policy for what the sessions in the audit logs did, as a diff against
         the current policy (default: Warden's); generalisations are marked, approved asks listed.
diff     the requests of the logs plus N generated ones (default 1000) that A and B decide
         differently, grouped with the deciding rules; exit 1 when there are any.
assert   exit 1 with a counterexample when the policy allows a request made to hit a never-pattern:
         command, read, write, net, dep, push or mcp, e.g. --never 'command: curl *'.

A repository's own policy file is never loaded by itself: name it here, or with --policy.`;

export async function policyCommand(args: string[], io: CommandIo): Promise<number> {
  // suggest, diff and assert read audit logs and corpora, with options of their own.
  if (args[0] === 'suggest' || args[0] === 'diff' || args[0] === 'assert')
    return policyEvidenceCommand(args[0], args.slice(1), io);
  const { values, positionals } = parseFlags('policy', args, {
    json: { type: 'boolean' },
    expect: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const [action, ...rest] = positionals;
  if (values.help) {
    io.stdout(`${POLICY_HELP}\n`);
    return 0;
  }
  if (!action) {
    throw new WardenError('usage', 'policy needs an action: check, explain or test', {
      hint: 'see: warden policy --help',
    });
  }
  const json = values.json === true;
  const path = (file: string) => resolve(io.cwd, file);
  if (action === 'check') {
    const [file, extra] = rest;
    if (!file || extra)
      throw new WardenError('usage', 'check takes one policy file', { hint: 'warden policy check FILE' });
    return check(path(file), file, io, json);
  }
  if (action === 'explain') {
    if (rest.length > 1) throw new WardenError('usage', 'explain takes at most one policy file');
    const policy = await loadPolicy(rest[0] ? path(rest[0]) : undefined);
    const explained = explainPolicy(policy);
    io.stdout(
      json
        ? `${JSON.stringify({ source: policy.source, ...explained })}\n`
        : `${forTerminal(explained.text)}\n`,
    );
    return 0;
  }
  if (action === 'test') {
    if (rest.length < 1 || rest.length > 2) {
      throw new WardenError('usage', 'test takes an action, and optionally a policy file before it', {
        hint: 'warden policy test [FILE] "shell: npm test"',
      });
    }
    const file = rest.length === 2 ? rest[0] : undefined;
    const what = parseAction(rest[rest.length - 1] as string);
    const expected = expectedVerdict(values.expect);
    const policy = await loadPolicy(file ? path(file) : undefined);
    const decision = await policy.decide(what);
    const pass = expected === undefined || expected === decision.decision;
    if (json) {
      const expectation = expected === undefined ? {} : { expected, pass };
      io.stdout(`${JSON.stringify({ source: policy.source, action: what, ...decision, ...expectation })}\n`);
    } else {
      const lines = [
        `${decision.decision.toUpperCase()}  ${decision.reason}`,
        `policies: ${decision.policies.join(', ') || '(none: default deny)'}`,
      ];
      for (const part of decision.parts ?? [])
        lines.push(
          `  ${part.decision.padEnd(5)}  ${part.command}  [${part.policies.join(', ') || 'could not be analysed'}]`,
        );
      if (expected !== undefined)
        lines.push(
          pass
            ? `as expected (${expected})`
            : `NOT AS EXPECTED: expected ${expected}, got ${decision.decision}`,
        );
      io.stdout(`${forTerminal(lines.join('\n'))}\n`);
    }
    return pass ? 0 : 1;
  }
  throw new WardenError('usage', `unknown policy action "${action}"`, { hint: 'use check, explain or test' });
}

async function check(file: string, shown: string, io: CommandIo, json: boolean): Promise<number> {
  const checked = await checkPolicyFile(file);
  // A file that validates must also compile; the compiled Cedar is checked by the engine's parser.
  const errors = checked.ok ? await compileErrors(checked.file, shown) : checked.errors;
  const relative = (text: string | undefined) => text?.replaceAll(file, shown);
  if (json) {
    const list = errors.map((e) => ({ where: relative(e.where), message: e.message, hint: e.hint }));
    io.stdout(`${JSON.stringify({ file: shown, ok: errors.length === 0, errors: list })}\n`);
  } else if (errors.length === 0) {
    io.stdout(`${forTerminal(shown)}: valid\n`);
  } else {
    for (const e of errors) io.stdout(`${forTerminal(relative(e.describe()) ?? '')}\n`);
  }
  return errors.length === 0 ? 0 : 1;
}

async function compileErrors(
  file: Parameters<typeof compileToPolicy>[0],
  source: string,
): Promise<WardenError[]> {
  try {
    await compileToPolicy(file, source);
    return [];
  } catch (error) {
    return [
      error instanceof WardenError
        ? error
        : new WardenError('policy.compile', (error as Error).message, { where: source }),
    ];
  }
}

function expectedVerdict(value: string | undefined): Verdict | undefined {
  if (value === undefined || value === 'allow' || value === 'ask' || value === 'deny') return value;
  throw new WardenError('usage', `--expect must be allow, ask or deny, got "${value}"`);
}

/**
 * `shell: npm test`, `read: src/a.ts`, `net: host:443`, `dep: npm:left-pad`, `push --force: main`,
 * `secret: github:git.push`, `mcp: github.create_pull_request {"base": "main"}`.
 */
export function parseAction(text: string): PolicyAction {
  const match = /^\s*(shell|read|write|net|dep|push|push --force|secret|mcp)\s*:\s?(.*)$/s.exec(text);
  const bad = () =>
    new WardenError('usage', `cannot read the action "${text}"`, {
      hint: 'use "shell: CMD", "read: PATH", "write: PATH", "net: HOST:PORT", "dep: ECOSYSTEM:NAME", "push: BRANCH", "push --force: BRANCH", "secret: NAME:ACT" or "mcp: SERVER.TOOL {JSON}"',
    });
  if (!match) throw bad();
  const [, kind, value = ''] = match;
  if (kind === 'shell') return { kind: 'shell', command: value };
  const arg = value.trim();
  if (arg === '') throw bad();
  if (kind === 'mcp') return mcpAction(arg, text, bad);
  if (kind === 'read') return { kind: 'file.read', path: arg };
  if (kind === 'write') return { kind: 'file.write', path: arg };
  if (kind === 'push' || kind === 'push --force')
    return { kind: 'git.push', branch: arg, force: kind !== 'push' };
  const colon = arg.lastIndexOf(':');
  if (colon <= 0 || colon === arg.length - 1) throw bad();
  if (kind === 'secret') return { kind: 'secret.use', name: arg.slice(0, colon), act: arg.slice(colon + 1) };
  if (kind === 'net') {
    const port = Number(arg.slice(colon + 1));
    if (!Number.isInteger(port)) throw bad();
    return { kind: 'net.connect', host: arg.slice(0, colon), port };
  }
  return {
    kind: 'dependency.add',
    ecosystem: arg.slice(0, arg.indexOf(':')),
    name: arg.slice(arg.indexOf(':') + 1),
  };
}

/** `github.create_pull_request {"base":"main"}`: the tool, then its arguments as a JSON object (none: `{}`). */
function mcpAction(arg: string, text: string, bad: () => WardenError): PolicyAction {
  const [, name = '', rest = ''] = /^(\S+)\s*(.*)$/s.exec(arg) ?? [];
  const dot = name.indexOf('.');
  if (dot <= 0 || dot === name.length - 1) throw bad();
  let args: unknown = {};
  try {
    if (rest.trim() !== '') args = JSON.parse(rest);
  } catch (error) {
    throw new WardenError('usage', `the arguments in "${text}" are not JSON: ${(error as Error).message}`, {
      hint: 'write them as one JSON object: mcp: github.create_pull_request {"base": "main"}',
    });
  }
  if (args === null || typeof args !== 'object' || Array.isArray(args))
    throw new WardenError('usage', `the arguments in "${text}" are not a JSON object`, {
      hint: 'write them as one JSON object: mcp: github.create_pull_request {"base": "main"}',
    });
  return {
    kind: 'mcp.call',
    server: name.slice(0, dot),
    tool: name.slice(dot + 1),
    args: args as Record<string, unknown>,
  };
}
