import { createHash } from 'node:crypto';

/**
 * How MCP tools are named. People and the policy write `server.tool` (`github.create_issue`); the
 * model sees `server__tool`, because providers allow only letters, digits, `_` and `-` in function
 * names, at most 64 of them. A server's name has neither `_` nor `.`, so the first `__` always
 * ends it: no server can take a name another server's tool, or one of Warden's own, already has.
 */
export const SERVER_NAME = /^[a-z][a-z0-9-]{0,30}$/;

const MODEL_NAME_LIMIT = 64;
const SEPARATOR = '__';

/** The name a person and the policy use. */
export function qualifiedName(server: string, tool: string): string {
  return `${server}.${tool}`;
}

/**
 * The name the model calls. Characters providers refuse become `_`; a name that had to change or
 * be cut gets a short digest of the original, so `get.x` and `get_x` stay two tools.
 */
export function modelToolName(server: string, tool: string): string {
  const clean = tool.replace(/[^A-Za-z0-9_-]/g, '_');
  const full = `${server}${SEPARATOR}${clean}`;
  if (clean === tool && full.length <= MODEL_NAME_LIMIT) return full;
  const digest = createHash('sha256').update(tool).digest('hex').slice(0, 8);
  const room = MODEL_NAME_LIMIT - server.length - SEPARATOR.length - digest.length - 1;
  return `${server}${SEPARATOR}${clean.slice(0, Math.max(room, 0))}_${digest}`;
}

/** True for a name in the MCP tools' namespace (`server__…`); Warden's own tools have no `__`. */
export function isMcpToolName(name: string): boolean {
  return name.includes(SEPARATOR);
}
