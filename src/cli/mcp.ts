import { spawn } from 'node:child_process';
import { WardenError } from '../errors.ts';
import { loadMcpServers, type McpServerConfig, serversOfLayer } from '../mcp/config.ts';
import { loginToServer, logoutFromServer } from '../mcp/oauth-login.ts';
import { oauthStateDir } from '../mcp/oauth-state.ts';
import { serverIdentity } from '../mcp/session-tools.ts';
import { defaultPinFile, openPinStore, type PinStore } from '../mcp/tool-pins.ts';
import { loadUserConfigLayer } from '../models/config.ts';
import { parseFlags, positiveNumber } from './args.ts';
import type { CommandIo } from './main.ts';
import { locateRepo } from './repo.ts';
import { forTerminal } from './terminal.ts';

export const MCP_HELP = `Usage: warden mcp list [--repo DIR]
       warden mcp login NAME [--open] [--port N] [--timeout SECONDS]
       warden mcp logout NAME

list shows the MCP servers a session in the repository would use: those of your user config, what
the repository offers (asked about before it runs) or may not use, and each server's pinned tools.

Signs Warden in to an MCP server of your user config that uses OAuth ("oauth: true" under
mcp_servers.NAME), on this machine: Warden registers itself with the server's authorization
server, prints the sign-in page's URL, and waits for your browser to come back to a listener on
127.0.0.1. The tokens are kept in $XDG_STATE_HOME/warden/mcp-oauth/NAME.json (readable by you
only), used and refreshed by Warden's own process: they never enter the sandbox, the model's
context, the events or the audit log.

  --open             open the page in the default browser as well as printing it
  --port N           listen for the redirect on this port (default: any free one)
  --timeout SECONDS  how long to wait for the browser (default 300)

logout forgets the sign-in, and asks the authorization server to revoke its token when it can.`;

export async function mcpCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags('mcp', args, {
    open: { type: 'boolean' },
    port: { type: 'string' },
    timeout: { type: 'string' },
    repo: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const [action, name, ...rest] = positionals;
  if (values.help || action === undefined) {
    io.stdout(`${MCP_HELP}\n`);
    return action === undefined && !values.help ? 2 : 0;
  }
  if (action === 'list') return listServers(values.repo, io);
  if (action !== 'login' && action !== 'logout')
    throw new WardenError('usage', `unknown mcp action "${action}"`, { hint: 'use list, login or logout' });
  if (name === undefined || rest.length > 0)
    throw new WardenError('usage', `warden mcp ${action} takes one server name`, {
      hint: `warden mcp ${action} NAME, NAME as under mcp_servers: in your user config`,
    });
  const dir = oauthStateDir(io.env);
  if (action === 'logout') {
    const { removed, revoked } = await logoutFromServer({ server: name, dir });
    io.stdout(
      removed
        ? `Signed out of "${name}"${revoked ? '; the authorization server revoked the token' : ''}.\n`
        : `Warden was not signed in to "${name}".\n`,
    );
    return 0;
  }
  const port = positiveNumber('port', values.port);
  if (port !== undefined && (!Number.isInteger(port) || port > 65535))
    throw new WardenError('usage', `--port must be a port number, got "${values.port}"`);
  const url = oauthServerUrl(name, io.env);
  const { expiresAt } = await loginToServer({
    server: name,
    url,
    dir,
    print: (line) => io.stdout(`${line}\n`),
    ...(values.open ? { open: openInBrowser } : {}),
    ...(port === undefined ? {} : { port }),
    timeoutMs: (positiveNumber('timeout', values.timeout) ?? 300) * 1000,
  });
  const until =
    expiresAt === undefined
      ? ''
      : ` (the access token is good until ${new Date(expiresAt).toISOString()}; Warden refreshes it)`;
  io.stdout(`Signed in to "${name}"${until}.\n`);
  return 0;
}

/** `mcp_servers.NAME.url` of the user's own config, when that server signs in with OAuth. */
function oauthServerUrl(name: string, env: NodeJS.ProcessEnv): string {
  const layer = loadUserConfigLayer(env);
  const server = layer ? serversOfLayer(layer).find((s) => s.name === name) : undefined;
  const where = layer ? (layer.locate?.(['mcp_servers', name]) ?? layer.source) : undefined;
  if (!server)
    throw new WardenError('mcp.config', `no MCP server "${name}" in your user config`, {
      ...(where ? { where } : {}),
      hint: `add mcp_servers.${name} with url: and oauth: true to your warden.config.yaml`,
    });
  if (server.transport !== 'http' || !server.oauth)
    throw new WardenError('mcp.config', `MCP server "${name}" does not sign in with OAuth`, {
      ...(where ? { where } : {}),
      hint: `give mcp_servers.${name} a url: and oauth: true`,
    });
  return server.url;
}

/** What a session in the repository would connect to, from the configs alone (nothing is started). */
function listServers(repoFlag: string | undefined, io: CommandIo): number {
  const repo = locateRepo(repoFlag, io.cwd);
  // The repository's strings reach the terminal: escapes could show a harmless line over another.
  const out = (text: string) => io.stdout(`${text.split('\n').map(forTerminal).join('\n')}`);
  const set = loadMcpServers(repo.root, { env: io.env });
  const pins = openPinStore(defaultPinFile(io.env));
  if (set.servers.length + set.offered.length + set.refused.length === 0) {
    out('No MCP servers: add mcp_servers to your user config (see "MCP servers" in the README).\n');
    return 0;
  }
  for (const server of set.servers) {
    const where = server.transport === 'http' ? server.url : [server.command, ...server.args].join(' ');
    const pinned = pinnedTools(pins, server);
    out(
      `${server.name}  ${server.transport}  ${where}\n    from ${server.source}; ${pinned === undefined ? 'not pinned yet (its tools are pinned on first use)' : `${pinned} tools pinned`}\n`,
    );
  }
  for (const { config } of set.offered)
    out(
      `${config.name}  stdio  ${[config.command, ...config.args].join(' ')}\n    offered by ${config.source}: asked about before it runs, in the sandbox\n`,
    );
  for (const refused of set.refused) out(`${refused.name}  refused  ${refused.source}: ${refused.reason}\n`);
  return 0;
}

function pinnedTools(pins: PinStore, server: McpServerConfig): number | undefined {
  const found = pins.get(server.name, serverIdentity(server));
  return found === undefined ? undefined : Object.keys(found.tools).length;
}

/** The person's browser, by the platform's opener, with the URL as one argument. */
function openInBrowser(url: URL): void {
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
  const child = spawn(opener, [url.href], { detached: true, stdio: 'ignore' });
  child.on('error', () => {});
  child.unref();
}
