import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { canonicalJson } from '../audit/canonical-json.ts';
import { WardenError } from '../errors.ts';
import { wardenStateDir } from '../state-dir.ts';

/**
 * What a server's tools said of themselves when a person last accepted them: each tool's
 * description and input schema, hashed and kept as text (to show what changed). Pins live in the
 * user's state, outside every repository, so a repository can neither plant nor reset them.
 */
export interface ToolPin {
  descriptionSha256: string;
  schemaSha256: string;
  description: string;
  schema: string;
  /** Injection findings a person accepted for exactly this text; the same text is not asked again. */
  acceptedFindings?: string[];
}

export interface ServerPins {
  /** Digest of what the server is (command and arguments, or URL): another program starts over. */
  identity: string;
  pinnedAt: string;
  tools: Record<string, ToolPin>;
}

export interface PinStore {
  get(server: string, identity: string): ServerPins | undefined;
  /** Replaces the server's pins for that identity and writes the file (0600) at once. */
  put(server: string, pins: ServerPins): void;
}

interface PinFile {
  version: 1;
  servers: Record<string, ServerPins>;
}

/** `$XDG_STATE_HOME/warden/mcp-pins.json`, or `~/.local/state/warden/mcp-pins.json`. */
export function defaultPinFile(env: NodeJS.ProcessEnv): string {
  return join(wardenStateDir(env), 'mcp-pins.json');
}

/** A store over one JSON file; a file that cannot be read as pins is an error to fix, never reset. */
export function openPinStore(file: string): PinStore {
  let cache: PinFile | undefined;
  const load = (): PinFile => {
    if (cache) return cache;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        cache = { version: 1, servers: {} };
        return cache;
      }
      throw new WardenError('mcp.pins', `cannot read the MCP tool pins: ${(error as Error).message}`, {
        where: file,
      });
    }
    try {
      const parsed = JSON.parse(text) as PinFile;
      if (parsed?.version !== 1 || typeof parsed.servers !== 'object' || parsed.servers === null)
        throw new Error('not a version 1 pin file');
      cache = parsed;
      return cache;
    } catch (error) {
      throw new WardenError('mcp.pins', `the MCP tool pins are damaged: ${(error as Error).message}`, {
        where: file,
        hint: "move the file away to pin every server afresh (each server's tools are then asked about again)",
      });
    }
  };
  return {
    get(server, identity) {
      const pins = load().servers[server];
      return pins?.identity === identity ? pins : undefined;
    },
    put(server, pins) {
      // Read again just before writing: another session may have pinned another server since,
      // and its pins must not be lost (a server that lost its pins would be first-use again).
      cache = undefined;
      const data = load();
      data.servers[server] = pins;
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
      renameSync(temporary, file);
    },
  };
}

/** A store that forgets when the process ends (tests, `--no-pins` runs). */
export function memoryPinStore(): PinStore {
  const servers = new Map<string, ServerPins>();
  return {
    get: (server, identity) => {
      const pins = servers.get(server);
      return pins?.identity === identity ? pins : undefined;
    },
    put: (server, pins) => {
      servers.set(server, structuredClone(pins));
    },
  };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A tool's pin for its current metadata. */
export function pinOf(description: string, schema: unknown, acceptedFindings?: string[]): ToolPin {
  const schemaText = canonicalJson(schema ?? {});
  return {
    descriptionSha256: sha256(description),
    schemaSha256: sha256(schemaText),
    description,
    schema: schemaText,
    ...(acceptedFindings?.length ? { acceptedFindings } : {}),
  };
}
