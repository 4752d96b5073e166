import { z } from 'zod';

/**
 * The policy file's `mcp:` section: which tools of which MCP servers the agent may call, asked
 * about or refused, by tool pattern (`server.tool`, `*` a wildcard) and conditions on the call's
 * arguments.
 */

/** A server's name as the configuration spells it; `*` where a pattern stands for several. */
const SERVER_PATTERN = /^[a-z*][a-z0-9*-]*$/;
const CONTROL = (s: string) => [...s].some((c) => (c.codePointAt(0) as number) < 0x20 || c === '\x7f');

/** Why `text` is not a tool pattern, or undefined when it is one. */
export function toolPatternProblem(text: string): string | undefined {
  const dot = text.indexOf('.');
  if (dot < 0)
    return 'must be server.tool, e.g. github.create_issue, github.* or *.delete_* (a server name, a dot, a tool)';
  const server = text.slice(0, dot);
  if (!SERVER_PATTERN.test(server))
    return `has "${server}" before the dot, not a server name: lower-case letters, digits and -, starting with a letter (* a wildcard)`;
  if (dot === text.length - 1)
    return 'names no tool after the dot: write server.* for every tool of a server';
  return undefined;
}

const text = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .refine((s) => !CONTROL(s), { error: 'must not contain control characters' });

const VALUE =
  'must be a pattern ("warden/*"), a list of patterns (any of them), a number or true/false; name a nested argument by its dotted path (head.ref)';
const scalar = z.union([text, z.number({ error: VALUE }), z.boolean({ error: VALUE })], { error: VALUE });
const condition = z.union(
  [scalar, z.array(scalar, { error: VALUE }).min(1, { error: 'must not be empty' })],
  {
    error: VALUE,
  },
);
/** Argument path (dotted for nested objects, an index for arrays: `labels.0`) → what it must match. */
const conditions = z.preprocess(
  (value, ctx) => {
    // A record drops a `__proto__` key without a word, and with it the condition: say so instead.
    if (value !== null && typeof value === 'object' && Object.hasOwn(value, '__proto__'))
      ctx.addIssue({
        code: 'custom',
        message: 'has "__proto__", which cannot be an argument path here',
        input: value,
      });
    return value;
  },
  z
    .record(z.string(), condition, { error: 'must be a mapping of argument path to pattern' })
    .refine((c) => Object.keys(c).length > 0, { error: 'must name at least one argument' }),
);

const RULE = 'must be a tool pattern (server.tool) or a mapping with tool, when, unless';
const rule = z
  .union(
    [
      z.string({ error: RULE }),
      z.strictObject(
        {
          tool: z.string({ error: 'must be a tool pattern: server.tool' }),
          when: conditions.optional(),
          unless: conditions.optional(),
        },
        { error: RULE },
      ),
    ],
    { error: RULE },
  )
  .superRefine((value, ctx) => {
    const pattern = typeof value === 'string' ? value : value.tool;
    const at = typeof value === 'string' ? [] : ['tool'];
    const problem =
      pattern === ''
        ? 'must not be empty'
        : CONTROL(pattern)
          ? 'must not contain control characters'
          : toolPatternProblem(pattern);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: at });
    if (typeof value === 'string') return;
    for (const place of ['when', 'unless'] as const)
      for (const path of Object.keys(value[place] ?? {}))
        if (path === '' || CONTROL(path))
          ctx.addIssue({
            code: 'custom',
            message: `has ${JSON.stringify(path)}, not an argument path: name an argument, nested ones by a dotted path (head.ref)`,
            path: [place],
          });
  });
const rules = z.array(rule, { error: 'must be a list of tool patterns or rules' }).optional();

export const mcpSection = z
  .strictObject(
    { allow: rules, ask: rules, deny: rules },
    { error: 'must be a mapping with allow, ask, deny' },
  )
  .optional();

export type McpSection = z.infer<typeof mcpSection>;
export type McpValue = string | number | boolean;

/** One rule of the section, in the long form whichever way it was written. */
export interface McpRule {
  /** `mcp.allow[1]` */
  id: string;
  verdict: 'allow' | 'ask' | 'deny';
  server: string;
  tool: string;
  when: Record<string, McpValue[]>;
  unless: Record<string, McpValue[]>;
  /** The rule as a person reads it: `github.create_pull_request when base like "warden/*"`. */
  text: string;
}

/** The section's rules, list by list in the order written, each in the long form. */
export function mcpRules(section: McpSection): McpRule[] {
  const out: McpRule[] = [];
  for (const verdict of ['allow', 'ask', 'deny'] as const) {
    for (const [i, written] of (section?.[verdict] ?? []).entries()) {
      const long = typeof written === 'string' ? { tool: written } : written;
      const dot = long.tool.indexOf('.');
      const when = listed(long.when);
      const unless = listed(long.unless);
      out.push({
        id: `mcp.${verdict}[${i}]`,
        verdict,
        server: long.tool.slice(0, dot),
        tool: long.tool.slice(dot + 1),
        when,
        unless,
        text: [long.tool, said('when', when), said('unless', unless)].filter(Boolean).join(' '),
      });
    }
  }
  return out;
}

/** Every argument path some rule names: the only ones the engine hands to Cedar. */
export function mcpArgumentPaths(section: McpSection): Set<string> {
  return new Set(mcpRules(section).flatMap((r) => [...Object.keys(r.when), ...Object.keys(r.unless)]));
}

function listed(c: Record<string, McpValue | McpValue[]> | undefined): Record<string, McpValue[]> {
  return Object.fromEntries(Object.entries(c ?? {}).map(([path, v]) => [path, Array.isArray(v) ? v : [v]]));
}

function said(word: string, c: Record<string, McpValue[]>): string {
  const parts = Object.entries(c).map(([path, values]) => {
    const strings = values.filter((v) => typeof v === 'string').map((v) => JSON.stringify(v));
    const exact = values.filter((v) => typeof v !== 'string').map(String);
    const tests = [
      ...(strings.length ? [`${path} like ${strings.join(' or ')}`] : []),
      ...(exact.length ? [`${path} is ${exact.join(' or ')}`] : []),
    ];
    return tests.join(' or ');
  });
  return parts.length ? `${word} ${parts.join(' and ')}` : '';
}
