import { createHash } from 'node:crypto';
import { lenientReadings } from './mcp-coercion.ts';

/**
 * An MCP call's arguments as the policy judges them: exactly what goes on the wire (the JSON text
 * the server receives), read at the argument paths the policy's rules name. Cedar has no floats,
 * no null and no map type, so each named path becomes one string: a string argument as it is,
 * anything else as its canonical JSON (`3`, `true`, `null`, `["bug","ui"]`).
 */

/** A value a rule names that is longer than this is not judged, and the call is never allowed. */
export const MAX_ARGUMENT_TEXT = 64 * 1024;
/** Deeper arguments are refused: no tool's input nests this far, and reading them has a cost. */
export const MAX_ARGUMENT_DEPTH = 64;

export type WireArguments = { ok: true; args: Record<string, unknown> } | { ok: false; problem: string };

/** The arguments as the server would receive them (JSON.stringify drops undefined, NaN is null, …). */
export function wireArguments(args: unknown): WireArguments {
  let wire: unknown;
  try {
    const text = JSON.stringify(args);
    wire = text === undefined ? undefined : JSON.parse(text);
  } catch (error) {
    // V8 gives up on nesting thousands deep with a RangeError: that is the depth limit too.
    if (error instanceof RangeError)
      return { ok: false, problem: `the arguments nest deeper than ${MAX_ARGUMENT_DEPTH} levels` };
    return { ok: false, problem: `the arguments are not JSON (${(error as Error).message.split('\n')[0]})` };
  }
  if (wire === null || typeof wire !== 'object' || Array.isArray(wire))
    return { ok: false, problem: 'the arguments are not a JSON object' };
  if (depthOver(wire, MAX_ARGUMENT_DEPTH))
    return { ok: false, problem: `the arguments nest deeper than ${MAX_ARGUMENT_DEPTH} levels` };
  return { ok: true, args: wire as Record<string, unknown> };
}

/** JSON with every object's keys sorted: equal arguments, equal text. Input: parsed JSON. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  const record = value as Record<string, unknown>;
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}

/** A short digest of the canonical arguments: what tells two calls of one tool apart. */
export function argumentsDigest(args: unknown): string {
  return createHash('sha256').update(canonicalText(args)).digest('hex').slice(0, 16);
}

function canonicalText(args: unknown): string {
  const wire = wireArguments(args);
  return wire.ok ? canonicalJson(wire.args) : `(${wire.problem})`;
}

/** Characters that end a line somewhere: control characters and the Unicode line and paragraph separators. */
export const LINE_BREAKING = /[\p{Cc}\p{Zl}\p{Zp}]/u;

/** `server.tool` on one line, quoted when the name holds a character that would break it. */
export function toolName(call: { server: string; tool: string }): string {
  const name = `${call.server}.${call.tool}`;
  return LINE_BREAKING.test(name) ? oneLine(JSON.stringify(name)) : name;
}

/** JSON escapes control characters, but not U+2028 and U+2029. */
function oneLine(text: string): string {
  return text.replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** Characters of the arguments shown in a call's one-line description. */
const PREVIEW = 160;

/**
 * One line for a call, which is also its key for "allow for this session": the arguments' digest
 * makes approving one call for the session approve only calls with the same arguments.
 */
export function describeMcpCall(call: { server: string; tool: string; args: unknown }): string {
  const text = canonicalText(call.args);
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const shown = text.length > PREVIEW ? `${[...text.slice(0, PREVIEW)].slice(0, -1).join('')}…` : text;
  return `call ${toolName(call)} ${oneLine(shown)} (arguments ${digest})`;
}

export interface ArgumentView {
  /** Path → text, for the paths the rules name that the call has (and that are not too long). */
  values: Record<string, string>;
  /** The paths among `values` whose value is not a string: a number, true/false, null, a list or object. */
  json: string[];
  /** Path → what a lenient server could read its value as: `true`, `false`, numbers (mcp-coercion.ts). */
  readings: Record<string, string[]>;
  /**
   * Paths that name two different values: `{"a.b": 1, "a": {"b": 2}}`. A key with a dot and a
   * nested key read the same, as a server or library that splits dotted keys would read them.
   */
  ambiguous: string[];
  /** Named paths whose value is longer than MAX_ARGUMENT_TEXT. */
  unjudged: string[];
}

/**
 * The named paths' values. Path segments are object keys and array indexes joined by dots
 * (`head.ref`, `labels.0`); only the branches that lead to a named path are walked.
 */
export function argumentView(args: Record<string, unknown>, named: ReadonlySet<string>): ArgumentView {
  const prefixes = new Set<string>();
  for (const path of named)
    for (let i = path.indexOf('.'); i >= 0; i = path.indexOf('.', i + 1)) prefixes.add(path.slice(0, i));
  const found = new Map<string, { text: string; json: boolean; value: unknown }>();
  const ambiguous = new Set<string>();
  const visit = (path: string, value: unknown) => {
    if (named.has(path)) {
      const seen = {
        text: typeof value === 'string' ? value : canonicalJson(value),
        json: typeof value !== 'string',
        value,
      };
      const before = found.get(path);
      if (before && (before.text !== seen.text || before.json !== seen.json)) ambiguous.add(path);
      found.set(path, seen);
    }
    if (value === null || typeof value !== 'object' || !prefixes.has(path)) return;
    for (const [key, child] of Object.entries(value)) visit(`${path}.${key}`, child);
  };
  for (const [key, value] of Object.entries(args)) visit(key, value);

  const values: Array<[string, string]> = [];
  const json: string[] = [];
  const readings: Array<[string, string[]]> = [];
  const unjudged: string[] = [];
  for (const [path, { text, json: isJson, value }] of found) {
    if (ambiguous.has(path)) continue;
    if (text.length > MAX_ARGUMENT_TEXT) {
      unjudged.push(path);
      continue;
    }
    values.push([path, text]);
    readings.push([path, lenientReadings(value)]);
    if (isJson) json.push(path);
  }
  // fromEntries defines own properties: a path named `__proto__` stays a key, not a prototype.
  return {
    values: Object.fromEntries(values),
    json,
    readings: Object.fromEntries(readings),
    ambiguous: [...ambiguous],
    unjudged,
  };
}

function depthOver(value: unknown, limit: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth > limit) return true;
    level = level.flatMap((v) => (v !== null && typeof v === 'object' ? Object.values(v) : []));
  }
  return false;
}
