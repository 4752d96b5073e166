import { WardenError } from '../errors.ts';
import type { Sandbox } from '../sandbox/types.ts';
import type { McpServerConfig } from './config.ts';
import { type HttpTransportOptions, httpTransport } from './http-transport.ts';
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
    throw new WardenError('mcp.stdio', `MCP server "${config.name}": stdio servers are not available yet`);
  };
}
