import { WardenError } from '../errors.ts';
import type { Sandbox } from '../sandbox/types.ts';
import type { McpServerConfig } from './config.ts';
import { type HttpTransportOptions, httpTransport } from './http-transport.ts';
import { SandboxTransport } from './sandbox-transport.ts';
import type { TransportFactory } from './session-tools.ts';

/**
 * How a session reaches its servers: a stdio server is started inside the session's sandbox (its
 * network is the policy's, through the egress proxy); an HTTP server is reached from the host,
 * with the broker's token for it.
 */
export function sessionTransports(options: {
  sandbox?: Sandbox;
  http: HttpTransportOptions;
}): TransportFactory {
  return async (config: McpServerConfig) => {
    if (config.transport === 'http') return httpTransport(config.name, config, options.http);
    if (!options.sandbox?.spawn)
      throw new WardenError(
        'mcp.stdio',
        `MCP server "${config.name}": this host has no sandbox to run it in`,
        {
          hint: 'configure it as a Streamable HTTP server (url:) instead',
        },
      );
    return new SandboxTransport({
      server: config.name,
      sandbox: options.sandbox,
      request: {
        argv: [config.command, ...config.args],
        env: config.env,
        readOnly: config.readOnly,
        workspace: config.writeWorkspace ? 'read-write' : 'read-only',
        ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
      },
    });
  };
}
