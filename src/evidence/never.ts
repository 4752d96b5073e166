import { posix } from 'node:path';
import { WardenError } from '../errors.ts';
import { commandAlternatives } from '../policy/compile.ts';
import type { CompiledPolicy } from '../policy/engine.ts';
import { likeMatcher } from '../policy/like.ts';
import { mcpRules } from '../policy/mcp-section.ts';
import type { PolicyAction } from '../policy/types.ts';
import { commandVariants, withOptions } from './command-variants.ts';
import { FILLS, instance, requestKey } from './corpus.ts';
import { globWitness } from './glob-cover.ts';

export type NeverKind = 'command' | 'read' | 'write' | 'net' | 'dep' | 'push' | 'mcp';

/** `command: curl *`: what a team has ruled out, as a kind and a pattern (`*` any text; `**` too). */
export interface NeverPattern {
  text: string;
  kind: NeverKind;
  pattern: string;
}

const KINDS: Record<string, NeverKind> = {
  command: 'command',
  shell: 'command',
  read: 'read',
  write: 'write',
  net: 'net',
  dep: 'dep',
  push: 'push',
  mcp: 'mcp',
};

export function parseNever(text: string): NeverPattern {
  const match = /^\s*([a-z]+)\s*:\s*(.+?)\s*$/s.exec(text);
  const kind = match ? KINDS[match[1] as string] : undefined;
  if (!match || !kind)
    throw new WardenError('usage', `cannot read the never-pattern "${text}"`, {
      hint: 'write KIND: PATTERN with KIND one of command, read, write, net, dep, push, mcp, e.g. --never "command: curl *" --never "write: .github/**"',
    });
  const pattern = (match[2] as string).replace(/\*+/g, '*');
  if (kind === 'net' && !/:(\*|\d+)$/.test(pattern))
    throw new WardenError('usage', `"${text}": a net pattern is host:port, e.g. "net: *.example.com:*"`);
  if (kind === 'mcp' && !pattern.includes('.'))
    throw new WardenError('usage', `"${text}": an mcp pattern is server.tool, e.g. "mcp: github.delete_*"`);
  return { text, kind, pattern };
}

/** A rule of the policy whose pattern shares at least one match with the never-pattern. */
export interface OverlappingRule {
  rule: string;
  pattern: string;
  witness: string;
}

/** The allow rules that could grant something the pattern matches, each with a line both match. */
export function overlappingRules(policy: CompiledPolicy, never: NeverPattern): OverlappingRule[] {
  const file = policy.file;
  const lists: Record<NeverKind, Array<[string, string]>> = {
    command: (file.commands?.allow ?? []).map((p, i) => [`commands.allow[${i}]`, p]),
    read: (file.files?.read ?? []).map((p, i) => [`files.read[${i}]`, p]),
    write: (file.files?.write ?? []).map((p, i) => [`files.write[${i}]`, p]),
    net: (file.network?.allow ?? []).map((p, i) => [`network.allow[${i}]`, p]),
    dep: [['dependencies', dependenciesAllowed(policy) ? '*' : '']],
    push: (file.git?.push ?? []).map((p, i) => [`git.push[${i}]`, p]),
    mcp: mcpRules(file.mcp)
      .filter((r) => r.verdict === 'allow')
      .map((r) => [r.id, `${r.server}.${r.tool}`]),
  };
  const out: OverlappingRule[] = [];
  for (const [rule, pattern] of lists[never.kind]) {
    if (pattern === '') continue;
    const alternatives = never.kind === 'command' ? commandAlternatives(pattern) : [pattern];
    for (const alternative of alternatives) {
      const witness = globWitness(alternative, never.pattern);
      if (witness === undefined) continue;
      out.push({ rule, pattern, witness });
      break;
    }
  }
  return out;
}

function dependenciesAllowed(policy: CompiledPolicy): boolean {
  const deps = policy.file.dependencies;
  return deps === 'allow' || (typeof deps === 'object' && deps.add === 'allow');
}

/**
 * Requests that each do what the pattern names: its instances (the `*` filled in many ways, and as
 * the overlapping rules' witnesses), and for commands each through wrappers, shells, pipelines and
 * options; for files, commands that read or write them; for branches, `git push`.
 */
export function neverCorpus(never: NeverPattern, witnesses: readonly string[]): NeverRequest[] {
  const fills = FILLS.filter((f) => never.kind === 'command' || !f.includes(' '));
  const instances = new Set<string>(witnesses);
  for (let k = 0; k < fills.length; k++) instances.add(instance(never.pattern, (n) => k % n, fills));
  for (let k = 0; k < fills.length; k++)
    instances.add(instance(never.pattern, (n) => (k * 7 + 3) % n, fills));
  const out: NeverRequest[] = [];
  const shell = (command: string, reads?: string) =>
    out.push({ action: { kind: 'shell', command, root: '/workspace' }, ...(reads ? { reads } : {}) });
  const push = (action: PolicyAction) => out.push({ action });
  const matches = likeMatcher([never.pattern]);
  for (const raw of instances) {
    const text = raw.trim();
    if (text === '') continue;
    // `a/*` filled with `../x` names a file outside `a/`: not what the pattern rules out.
    if ((never.kind === 'read' || never.kind === 'write') && !matches(posix.normalize(text))) continue;
    switch (never.kind) {
      case 'command':
        for (const spelled of withOptions(text)) for (const form of commandVariants(spelled)) shell(form);
        break;
      case 'read':
        push({ kind: 'file.read', path: text });
        for (const command of [`cat ${text}`, `head ${text}`, `grep -r x ${text}`, `cat < ${text}`])
          shell(command, text);
        break;
      case 'write':
        push({ kind: 'file.write', path: text });
        for (const command of [
          `echo x > ${text}`,
          `echo x >> ${text}`,
          `echo x | tee ${text}`,
          `sort -o ${text} README.md`,
          `cp README.md ${text}`,
        ])
          for (const form of commandVariants(command).slice(0, 6)) shell(form);
        break;
      case 'net': {
        const colon = text.lastIndexOf(':');
        const port = Number(text.slice(colon + 1));
        push({
          kind: 'net.connect',
          host: text.slice(0, colon) || 'x',
          port: Number.isInteger(port) && port > 0 ? port : 443,
        });
        break;
      }
      case 'dep': {
        const colon = text.indexOf(':');
        push(
          colon > 0
            ? { kind: 'dependency.add', ecosystem: text.slice(0, colon), name: text.slice(colon + 1) || 'x' }
            : { kind: 'dependency.add', ecosystem: 'npm', name: text },
        );
        break;
      }
      case 'push':
        push({ kind: 'git.push', branch: text, force: false });
        shell(`git push origin ${text}`);
        shell(`git push origin HEAD:${text}`);
        break;
      case 'mcp': {
        const dot = text.indexOf('.');
        push({ kind: 'mcp.call', server: text.slice(0, dot), tool: text.slice(dot + 1) || 'x', args: {} });
        break;
      }
    }
  }
  const seen = new Set<string>();
  return out.filter((r) => {
    const key = requestKey(r.action);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A request of the corpus; `reads`: the file a command reads, which the sandbox hides when the policy denies it. */
export interface NeverRequest {
  action: PolicyAction;
  reads?: string;
}

export interface NeverVerdict {
  never: NeverPattern;
  tried: number;
  overlapping: OverlappingRule[];
  /** Requests the policy allows that do what the pattern names: each one a counterexample. */
  allowed: Array<{ request: string; policies: string[]; reason: string }>;
}

/** Whether the policy could allow what the pattern rules out, over the corpus made to hit it. */
export async function assertNever(policy: CompiledPolicy, never: NeverPattern): Promise<NeverVerdict> {
  const overlapping = overlappingRules(policy, never);
  const corpus = neverCorpus(
    never,
    overlapping.map((o) => o.witness),
  );
  const allowed: NeverVerdict['allowed'] = [];
  const hidden = likeMatcher(policy.deniedPaths);
  for (const { action, reads } of corpus) {
    const decided = await policy.decide(action);
    // A command may be allowed to run, but a file the policy denies is not in its sandbox to read.
    if (decided.decision === 'allow' && !(reads !== undefined && hidden(reads)))
      allowed.push({ request: requestKey(action), policies: decided.policies, reason: decided.reason });
  }
  return { never, tried: corpus.length, overlapping, allowed };
}
