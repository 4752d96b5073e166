import { z } from 'zod';
import type { ToolSpec } from '../models/types.ts';
import { createApplyPatchTool } from './apply-patch.ts';
import { createEditFileTool } from './edit-file.ts';
import { createGrepTool } from './grep.ts';
import { createListFilesTool } from './list-files.ts';
import { createReadFileTool } from './read-file.ts';
import { createShellTool, type ShellOptions } from './shell.ts';
import type { AnyTool, Tool } from './types.ts';
import { createWriteFileTool } from './write-file.ts';

/** A fresh set of the built-in tools; each call gets its own (each rg lookup is per tool). */
export function builtinTools(options: { shell?: ShellOptions } = {}): AnyTool[] {
  return [
    createReadFileTool(),
    createWriteFileTool(),
    createEditFileTool(),
    createApplyPatchTool(),
    createListFilesTool(),
    createGrepTool(),
    createShellTool(options.shell),
  ];
}

/** What the model is told about each tool: the JSON Schema of its arguments comes from the zod schema. */
export function toolSpecs(tools: readonly AnyTool[]): ToolSpec[] {
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters ?? (z.toJSONSchema(tool.schema) as Record<string, unknown>),
  }));
}

export type ParsedArgs<Args> = { ok: true; args: Args } | { ok: false; error: string };

/**
 * The model's raw argument string, validated. Everything wrong with it — not JSON, not an object,
 * a missing or unknown field, a wrong type — comes back as a message naming the field and what was
 * expected, for the model to correct; nothing here throws.
 */
export function parseToolArgs<Args>(tool: Tool<Args>, rawInput: string): ParsedArgs<Args> {
  let input: unknown;
  // Some providers send "" for a call without arguments.
  if (rawInput.trim() === '') input = {};
  else {
    try {
      input = JSON.parse(rawInput);
    } catch (error) {
      return {
        ok: false,
        error: `the arguments are not valid JSON (${(error as Error).message}); ${usage(tool)}`,
      };
    }
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, error: `the arguments must be a JSON object; ${usage(tool)}` };
  }
  if (nestedDeeperThan(input, MAX_ARGUMENT_DEPTH))
    return {
      ok: false,
      error: `the arguments nest deeper than ${MAX_ARGUMENT_DEPTH} levels; ${usage(tool)}`,
    };
  const result = tool.schema.safeParse(input);
  if (result.success) return { ok: true, args: result.data };
  const problems = result.error.issues.map(describeIssue);
  return { ok: false, error: `${problems.join('; ')}; ${usage(tool)}` };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the arguments';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => `"${key}"`).join(', ');
    return `unknown field${issue.keys.length === 1 ? '' : 's'} ${keys}`;
  }
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
    return `${field} is required (${issue.expected})`;
  }
  const message = issue.message
    .replace(/^(Invalid input|Too small|Too big): /, '')
    .replace(/^expected int,/, 'expected an integer,');
  return `${field}: ${message}`;
}

/** `read_file takes {path: string, offset?: integer, limit?: integer}`, from the JSON Schema. */
function usage(tool: Tool<unknown> | AnyTool): string {
  const schema = (tool.parameters ?? z.toJSONSchema(tool.schema)) as {
    properties?: Record<string, { type?: string }>;
    required?: string[];
  };
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(
    ([name, property]) => `${name}${required.has(name) ? '' : '?'}: ${property.type ?? 'any'}`,
  );
  return `${tool.name} takes {${fields.join(', ')}}`;
}

/** Deeper than any tool's arguments go; walking such a value (redacting, recording) would overflow. */
export const MAX_ARGUMENT_DEPTH = 64;

/** Whether a JSON value nests past `limit` levels, found without recursion. */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number };
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limit) return true;
    for (const inner of Object.values(current)) stack.push({ value: inner, depth: depth + 1 });
  }
  return false;
}
