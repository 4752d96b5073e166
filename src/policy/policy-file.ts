import { type Document, isMap, isPair, isScalar, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { WardenError } from '../errors.ts';
import { mcpSection } from './mcp-section.ts';
import { parseDuration, parseSize } from './quantities.ts';
import { RUNS_LATER_CATEGORIES } from './runs-later-catalog.ts';

const LIST = 'must be a list of strings';
// Control characters have no place in a path, command or host pattern; a newline in one would
// only serve to smuggle something past a reader of the file.
const pattern = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .refine((s) => ![...s].some((c) => (c.codePointAt(0) as number) < 0x20 || c === '\x7f'), {
    error: 'must not contain control characters',
  });
const patterns = z.array(pattern, { error: LIST }).optional();

const HOST_PORT = /^(\*|(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\]):(\*|\d{1,5})$/;
const hostPatterns = z
  .array(
    z.string({ error: 'must be a string' }).regex(HOST_PORT, {
      error: 'must be host:port, e.g. registry.npmjs.org:443, *.example.com:443 or 10.0.0.5:8080',
    }),
    { error: 'must be a list of host:port strings' },
  )
  .optional();

const duration = z
  .string({ error: 'must be a duration like 30s, 10m or 1h' })
  .refine((s) => parseDuration(s) !== undefined, { error: 'must be a duration like 30s, 10m or 1h' })
  .optional();
const size = z
  .string({ error: 'must be a size like 512MiB, 2GiB or 1GB' })
  .refine((s) => parseSize(s) !== undefined, { error: 'must be a size like 512MiB, 2GiB or 1GB' })
  .optional();
const count = z
  .number({ error: 'must be a positive whole number' })
  .int({ error: 'must be a positive whole number' })
  .positive({ error: 'must be a positive whole number' })
  .optional();

const verdict = z.enum(['allow', 'ask', 'deny'], { error: 'must be one of allow, ask, deny' });
const wholeNumber = z
  .number({ error: 'must be a whole number, 0 or more' })
  .int({ error: 'must be a whole number, 0 or more' })
  .nonnegative({ error: 'must be a whole number, 0 or more' })
  .optional();
const DEPENDENCY_KEYS = 'add, install_scripts, min_age_days, min_weekly_downloads';

/** Acts the broker performs with a named credential. */
export const SECRET_ACTS = ['git.push', 'git.fetch', 'pr.create', 'registry.lookup'] as const;

const mapping = (error: string) => ({ error });

const RUNS_LATER_KEYS = RUNS_LATER_CATEGORIES.join(', ');
/** Files that run later, outside the sandbox: one verdict for all, or one per sub-category. */
const runsLater = z
  .union(
    [
      verdict,
      z.strictObject(
        Object.fromEntries(RUNS_LATER_CATEGORIES.map((c) => [c, verdict.optional()])) as Record<
          (typeof RUNS_LATER_CATEGORIES)[number],
          z.ZodOptional<typeof verdict>
        >,
        mapping(`must be a mapping with ${RUNS_LATER_KEYS}`),
      ),
    ],
    { error: `must be one of allow, ask, deny, or a mapping with ${RUNS_LATER_KEYS}` },
  )
  .optional();

export const policyFileSchema = z.strictObject(
  {
    version: z.literal(1, { error: 'must be 1' }),
    files: z
      .strictObject(
        { read: patterns, write: patterns, deny: patterns },
        mapping('must be a mapping with read, write, deny'),
      )
      .optional(),
    commands: z
      .strictObject(
        { allow: patterns, ask: patterns, deny: patterns },
        mapping('must be a mapping with allow, ask, deny'),
      )
      .optional(),
    network: z.strictObject({ allow: hostPatterns }, mapping('must be a mapping with allow')).optional(),
    dependencies: z
      .union(
        [
          verdict,
          z.strictObject(
            {
              add: verdict.optional(),
              install_scripts: z.enum(['allow', 'deny'], { error: 'must be allow or deny' }).optional(),
              min_age_days: wholeNumber,
              min_weekly_downloads: wholeNumber,
            },
            mapping(`must be a mapping with ${DEPENDENCY_KEYS}`),
          ),
        ],
        { error: `must be one of allow, ask, deny, or a mapping with ${DEPENDENCY_KEYS}` },
      )
      .optional(),
    runs_later: runsLater,
    git: z
      .strictObject(
        // pull_requests: the base branches a pull request may target; unset, each one is asked.
        { push: patterns, pull_requests: patterns },
        mapping('must be a mapping with push, pull_requests'),
      )
      .optional(),
    secrets: z
      .record(
        z.string().regex(/^[a-z][a-z0-9_-]*$/, { error: 'names must be lower-case words' }),
        z.array(z.enum(SECRET_ACTS, { error: `must be one of ${SECRET_ACTS.join(', ')}` }), {
          error: 'must be a list of acts',
        }),
        mapping('must be a mapping of credential name to a list of acts'),
      )
      .optional(),
    // MCP tools: allow / ask / deny by tool pattern, with conditions on the call's arguments.
    mcp: mcpSection,
    limits: z
      .strictObject(
        {
          wall_time: duration,
          command_time: duration,
          cpu: duration,
          memory: size,
          processes: count,
          file_size: size,
          disk: size,
          output: size,
          tokens: count,
          cost: z
            .number({ error: 'must be a positive number' })
            .positive({ error: 'must be a positive number' })
            .optional(),
        },
        mapping('must be a mapping of limits'),
      )
      .optional(),
  },
  mapping(
    'must be a mapping (version, files, commands, network, dependencies, runs_later, git, secrets, mcp, limits)',
  ),
);

export type PolicyFile = z.infer<typeof policyFileSchema>;

/** `dependencies: ask` is short for `dependencies: { add: ask }`; unset, dependencies are asked. */
export function dependencyRules(file: PolicyFile): {
  add: 'allow' | 'ask' | 'deny';
  installScripts: boolean;
  minAgeDays?: number;
  minWeeklyDownloads?: number;
} {
  const deps = file.dependencies;
  if (deps === undefined || typeof deps === 'string') return { add: deps ?? 'ask', installScripts: false };
  return {
    add: deps.add ?? 'ask',
    installScripts: deps.install_scripts === 'allow',
    ...(deps.min_age_days === undefined ? {} : { minAgeDays: deps.min_age_days }),
    ...(deps.min_weekly_downloads === undefined ? {} : { minWeeklyDownloads: deps.min_weekly_downloads }),
  };
}

export type ParsedPolicyFile = { ok: true; file: PolicyFile } | { ok: false; errors: WardenError[] };

/** Parse and validate a policy file's text; every error names `source:line:col` and the key. */
export function parsePolicyFile(text: string, source: string): ParsedPolicyFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `${source}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map(
        (e) => new WardenError('policy.syntax', `YAML: ${e.message.split('\n')[0]}`, { where: at(e.pos[0]) }),
      ),
    };
  }
  const result = policyFileSchema.safeParse(doc.toJS({ maxAliasCount: 50 }) ?? {});
  if (result.success) return { ok: true, file: result.data };
  const errors = result.error.issues.flatMap(chosenBranch).map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      const full = keyPath([...path, key]);
      return new WardenError('policy.invalid', `"${full}" is not a known key`, {
        where: at(keyOffset(doc, path, key)),
        hint: `remove it or fix its spelling${issue.keys.length > 1 ? ` (also: ${issue.keys.slice(1).join(', ')})` : ''}`,
      });
    }
    const missing = doc.getIn(path) === undefined && path.length > 0;
    const message = missing ? 'is required' : issue.message;
    return new WardenError('policy.invalid', `"${keyPath(path)}" ${message}`, {
      where: at(valueOffset(doc, path)),
    });
  });
  return { ok: false, errors };
}

/**
 * A value with two spellings (`dependencies: ask` or a mapping) fails as a union; the errors of the
 * spelling the author chose say more. That is the branch that got past the value's type: its
 * errors sit deeper than the value itself.
 */
function chosenBranch(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const deeper = issue.errors.find((branch) => branch.some((inner) => inner.path.length > 0));
  if (!deeper) return [issue];
  return deeper.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
}

function keyPath(path: Array<string | number>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out || '(top level)';
}

/** Where the value at `path` starts, or the nearest ancestor that exists. */
function valueOffset(doc: Document, path: Array<string | number>): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return node.range[0];
  }
  return 0;
}

function keyOffset(doc: Document, path: Array<string | number>, key: string): number {
  const parent = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (isMap(parent)) {
    for (const item of parent.items) {
      if (isPair(item) && isScalar(item.key) && item.key.value === key && item.key.range)
        return item.key.range[0];
    }
  }
  return valueOffset(doc, path);
}
