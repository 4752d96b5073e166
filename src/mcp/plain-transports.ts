import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WardenError } from '../errors.ts';
import type { McpServerConfig } from './config.ts';
import type { TransportFactory } from './session-tools.ts';

/**
 * Upstreams a gateway reaches without help: Streamable HTTP servers that need no credential,
 * straight from the host. A server that needs the broker's token or an OAuth sign-in, or runs as a
 * program (which belongs in a sandbox), is refused here with why; the session then records it as
 * failed and goes on without it. Where the broker's and the sandbox's transports are wired, they
 * take this one's place.
 */
export function plainTransports(): TransportFactory {
  return async (config: McpServerConfig) => {
    if (config.transport === 'stdio')
      throw new WardenError(
        'mcp.transport',
        `MCP server "${config.name}" is a program; this gateway reaches only servers with a url:`,
      );
    if (config.credential !== undefined || config.oauth)
      throw new WardenError(
        'mcp.transport',
        `MCP server "${config.name}" needs a credential, which this gateway does not send`,
      );
    return new StreamableHTTPClientTransport(new URL(config.url));
  };
}
