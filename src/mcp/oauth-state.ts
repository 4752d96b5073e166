import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import {
  OAuthClientInformationFullSchema,
  type OAuthClientInformationMixed,
  type OAuthTokens,
  OAuthTokensSchema,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { z } from 'zod';
import { fileProblem, messageOf, WardenError } from '../errors.ts';
import { wardenStateDir } from '../state-dir.ts';

/**
 * What Warden keeps of one MCP server's OAuth authorization, in the user's state (never a
 * repository, never the sandbox): the client registration, the tokens, and during a login the PKCE
 * code verifier. The file is the user's alone (0600 in a 0700 directory).
 */
export interface OAuthState {
  /** The MCP server URL it was authorized for: tokens are never sent to another. */
  url: string;
  /** The loopback redirect URL registered with the authorization server at login. */
  redirectUrl?: string;
  client?: OAuthClientInformationMixed;
  tokens?: OAuthTokens;
  /** When the access token expires (ms since the epoch), from `expires_in` at the time it came. */
  expiresAt?: number;
  codeVerifier?: string;
  discovery?: OAuthDiscoveryState;
}

const fileSchema = z.object({
  url: z.string(),
  redirect_url: z.string().optional(),
  client: z.unknown().optional(),
  tokens: z.unknown().optional(),
  expires_at: z.number().optional(),
  code_verifier: z.string().optional(),
  discovery: z.unknown().optional(),
});

/** `$XDG_STATE_HOME/warden/mcp-oauth` (default `~/.local/state/warden/mcp-oauth`). */
export function oauthStateDir(env: NodeJS.ProcessEnv): string {
  return join(wardenStateDir(env), 'mcp-oauth');
}

/** The file of one server; its name is a config key (`[a-z][a-z0-9-]*`), so it is a plain file name. */
export function oauthStateFile(dir: string, server: string): string {
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(server))
    throw new WardenError('mcp.name', `"${server}" is not an MCP server name`, {
      hint: 'names are lower-case letters, digits and "-", starting with a letter',
    });
  return join(dir, `${server}.json`);
}

/** The stored state, or undefined when there is none (never logged in, or logged out). */
export async function readOAuthState(dir: string, server: string): Promise<OAuthState | undefined> {
  const file = oauthStateFile(dir, server);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw new WardenError('mcp.oauth-state', `${file} ${fileProblem(error)}`);
  }
  const unreadable = () =>
    new WardenError('mcp.oauth-state', `${file} is not a Warden OAuth state file`, {
      hint: `run warden mcp logout ${server}, then warden mcp login ${server}`,
    });
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(text));
  } catch {
    throw unreadable();
  }
  const client =
    parsed.client === undefined
      ? undefined
      : OAuthClientInformationFullSchema.partial({ redirect_uris: true }).safeParse(parsed.client);
  const tokens = parsed.tokens === undefined ? undefined : OAuthTokensSchema.safeParse(parsed.tokens);
  if (client?.success === false || tokens?.success === false) throw unreadable();
  return {
    url: parsed.url,
    ...(parsed.redirect_url === undefined ? {} : { redirectUrl: parsed.redirect_url }),
    ...(client?.data === undefined ? {} : { client: client.data as OAuthClientInformationMixed }),
    ...(tokens?.data === undefined ? {} : { tokens: tokens.data }),
    ...(parsed.expires_at === undefined ? {} : { expiresAt: parsed.expires_at }),
    ...(parsed.code_verifier === undefined ? {} : { codeVerifier: parsed.code_verifier }),
    ...(parsed.discovery === undefined ? {} : { discovery: parsed.discovery as OAuthDiscoveryState }),
  };
}

/**
 * Replaces the stored state in one step (a new file renamed over the old), so a session reading it
 * while a refresh writes it sees the old state or the new, never half of one.
 */
export async function writeOAuthState(dir: string, server: string, state: OAuthState): Promise<void> {
  const file = oauthStateFile(dir, server);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // A directory made earlier with a looser umask is tightened: it holds tokens.
  await chmod(dir, 0o700);
  const text = `${JSON.stringify(
    {
      url: state.url,
      redirect_url: state.redirectUrl,
      client: state.client,
      tokens: state.tokens,
      expires_at: state.expiresAt,
      code_verifier: state.codeVerifier,
      discovery: state.discovery,
    },
    null,
    2,
  )}\n`;
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new WardenError('mcp.oauth-state', `${file} cannot be written: ${writeProblem(error)}`);
  }
}

/** Forgets a server's authorization; true when there was one. */
export async function removeOAuthState(dir: string, server: string): Promise<boolean> {
  const file = oauthStateFile(dir, server);
  try {
    await rm(file);
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return false;
    throw new WardenError('mcp.oauth-state', `${file} cannot be removed: ${writeProblem(error)}`);
  }
}

/** The values in a state that must never be shown: for the redactor. */
export function oauthSecrets(state: OAuthState | undefined): Array<{ value: string; kind: string }> {
  const values = [
    state?.tokens?.access_token,
    state?.tokens?.refresh_token,
    state?.tokens?.id_token,
    state?.client?.client_secret,
  ];
  return values
    .filter((value): value is string => !!value)
    .map((value) => ({ value, kind: 'mcp-oauth-token' }));
}

function writeProblem(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOSPC') return 'the disk is full';
  return typeof code === 'string' ? code : messageOf(error);
}
