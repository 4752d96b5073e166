import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface HttpMcpServer {
  /** The MCP endpoint: `http://127.0.0.1:PORT/mcp`. */
  url: string;
  /** The `Authorization` header of every request that reached the server, in order. */
  authorizations: Array<string | undefined>;
  close(): Promise<void>;
}

/**
 * A Streamable HTTP MCP server written with the SDK (stateless: one McpServer per request), on
 * 127.0.0.1, with one tool `echo {text}`. Requests whose `Authorization` header `accepts` refuses
 * get 401; with `authorizationServer`, the 401 points to protected-resource metadata naming it, as
 * an OAuth-protected MCP server does (RFC 9728).
 */
export async function startHttpMcpServer(options: {
  accepts: (authorization: string | undefined) => boolean | Promise<boolean>;
  authorizationServer?: string;
  /** Registers the server's tools on each request's server; default one tool, `echo {text}`. */
  tools?: (server: McpServer) => void;
}): Promise<HttpMcpServer> {
  const authorizations: Array<string | undefined> = [];
  let base = '';
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path.startsWith('/.well-known/oauth-protected-resource') && options.authorizationServer) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ resource: `${base}/mcp`, authorization_servers: [options.authorizationServer] }),
      );
      return;
    }
    if (path !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    authorizations.push(req.headers.authorization);
    if (!(await options.accepts(req.headers.authorization))) {
      const challenge = options.authorizationServer
        ? `Bearer error="invalid_token", resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`
        : 'Bearer';
      res.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_token' }));
      return;
    }
    const server = new McpServer({ name: 'test-http', version: '1.0.0' });
    if (options.tools) options.tools(server);
    else
      server.registerTool(
        'echo',
        { description: 'Says the text back.', inputSchema: { text: z.string() } },
        async ({ text }) => ({ content: [{ type: 'text', text: `echo: ${text}` }] }),
      );
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  };
  const http = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url: `${base}/mcp`,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
