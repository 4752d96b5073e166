import { createPatch } from 'diff';
import type { InjectionFinding } from '../guard/injection-rules.ts';
import { inspectToolMetadata } from '../guard/tool-description-rules.ts';
import { qualifiedName } from './tool-names.ts';
import { pinOf, type ServerPins, type ToolPin } from './tool-pins.ts';

/** A tool as a server lists it (`tools/list`). */
export interface ListedTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

/**
 * What becomes of one listed tool before the model may see it:
 * - `pinned`: exactly what a person accepted before;
 * - `first-use`: the server was never pinned and nothing about the tool is suspect — it is pinned now;
 * - `ask`: a person decides (poisoned-looking text, a changed description or schema, a new tool);
 *   until then it is withheld.
 */
export type ToolVerdict =
  | { status: 'pinned' | 'first-use'; pin: ToolPin }
  | { status: 'ask'; pin: ToolPin; reasons: string[]; findings: InjectionFinding[]; diff?: string };

export interface VettedTool {
  tool: ListedTool;
  verdict: ToolVerdict;
}

/**
 * Vets a server's tool list against its pins. `otherTools` are the names of every tool of Warden's
 * and of other servers the model can call: a description that names one is reaching across.
 */
export function vetTools(
  server: string,
  tools: readonly ListedTool[],
  pins: ServerPins | undefined,
  otherTools: readonly string[],
): VettedTool[] {
  return tools.map((tool) => {
    // What the model is shown: the description, or the title when there is none.
    const description = tool.description ?? tool.title ?? '';
    const pin = pinOf(description, tool.inputSchema);
    const findings = inspectToolMetadata(
      { name: qualifiedName(server, tool.name), text: metadataText(tool) },
      otherTools,
    );
    const rules = findings.map((f) => f.rule);
    const previous = pins?.tools[tool.name];
    const reasons: string[] = [];
    let diff: string | undefined;
    if (pins !== undefined && previous === undefined)
      reasons.push('a tool the server did not offer when it was pinned');
    if (previous !== undefined) {
      const changed = [
        previous.descriptionSha256 !== pin.descriptionSha256 ? 'description' : undefined,
        previous.schemaSha256 !== pin.schemaSha256 ? 'input schema' : undefined,
      ].filter((part): part is string => part !== undefined);
      if (changed.length > 0) {
        reasons.push(`its ${changed.join(' and ')} changed since it was pinned`);
        diff = metadataDiff(qualifiedName(server, tool.name), previous, pin);
      }
    }
    // Accepted once as it is, its size is not asked about again.
    if (previous === undefined || diff !== undefined)
      reasons.push(...sizeReasons(description, pin.schema, tool.inputSchema));
    const accepted = new Set(diff === undefined ? (previous?.acceptedFindings ?? []) : []);
    const fresh = findings.filter((f) => !accepted.has(f.rule));
    if (fresh.length > 0)
      reasons.push(
        `its metadata reads as instructions to the model (${fresh.map((f) => `${f.rule}: "${f.excerpt}"`).join('; ')})`,
      );
    const withAccepted = rules.length > 0 ? pinOf(description, tool.inputSchema, rules) : pin;
    if (reasons.length > 0)
      return {
        tool,
        verdict: { status: 'ask', pin: withAccepted, reasons, findings, ...(diff ? { diff } : {}) },
      };
    return { tool, verdict: { status: previous ? 'pinned' : 'first-use', pin: withAccepted } };
  });
}

/** Past these, a tool's metadata is more than a person can review or the model should carry. */
const MAX_DESCRIPTION_BYTES = 16 * 1024;
const MAX_SCHEMA_BYTES = 64 * 1024;
/** The depth to which `metadataText` reads a schema: anything deeper would go unread. */
const MAX_SCHEMA_DEPTH = 32;

function sizeReasons(description: string, schemaText: string, schema: unknown): string[] {
  const reasons: string[] = [];
  const descriptionBytes = Buffer.byteLength(description);
  if (descriptionBytes > MAX_DESCRIPTION_BYTES)
    reasons.push(
      `its description is ${Math.ceil(descriptionBytes / 1024)} KiB, more than ${MAX_DESCRIPTION_BYTES / 1024}`,
    );
  const schemaBytes = Buffer.byteLength(schemaText);
  if (schemaBytes > MAX_SCHEMA_BYTES)
    reasons.push(
      `its input schema is ${Math.ceil(schemaBytes / 1024)} KiB, more than ${MAX_SCHEMA_BYTES / 1024}`,
    );
  if (depthOf(schema) > MAX_SCHEMA_DEPTH)
    reasons.push(
      `its input schema nests deeper than ${MAX_SCHEMA_DEPTH} levels, past what is read for instructions`,
    );
  return reasons;
}

function depthOf(value: unknown, depth = 0): number {
  if (depth > MAX_SCHEMA_DEPTH || value === null || typeof value !== 'object') return depth;
  let deepest = depth;
  for (const inner of Object.values(value)) deepest = Math.max(deepest, depthOf(inner, depth + 1));
  return deepest;
}

/** Every string the model would read about a tool: title, description, and its schema's keys and strings. */
export function metadataText(tool: ListedTool): string {
  const strings: string[] = [tool.title ?? '', tool.description ?? ''];
  const visit = (value: unknown, depth: number) => {
    if (depth > MAX_SCHEMA_DEPTH) return;
    if (typeof value === 'string') strings.push(value);
    else if (Array.isArray(value)) for (const item of value) visit(item, depth + 1);
    else if (value && typeof value === 'object')
      for (const [key, inner] of Object.entries(value)) {
        strings.push(key);
        visit(inner, depth + 1);
      }
  };
  visit(tool.inputSchema, 0);
  return strings.filter((s) => s !== '').join('\n');
}

function metadataDiff(name: string, before: ToolPin, after: ToolPin): string {
  const pretty = (schema: string) => `${JSON.stringify(JSON.parse(schema), null, 2)}\n`;
  const parts: string[] = [];
  if (before.descriptionSha256 !== after.descriptionSha256)
    parts.push(
      createPatch(
        `${name} description`,
        `${before.description}\n`,
        `${after.description}\n`,
        'pinned',
        'now',
      ),
    );
  if (before.schemaSha256 !== after.schemaSha256)
    parts.push(
      createPatch(`${name} input schema`, pretty(before.schema), pretty(after.schema), 'pinned', 'now'),
    );
  return parts.join('');
}
