import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { type FakeTool, fakeServer } from './in-memory.ts';

export interface HttpUpstream {
  /** `http://127.0.0.1:PORT/mcp` */
  url: string;
  /** Every tool call that reached the server, in order. */
  calls: Array<{ tool: string; args: unknown }>;
  close(): Promise<void>;
}

/**
 * An SDK MCP server over Streamable HTTP on 127.0.0.1 (stateless: a server per request), with the
 * given tools; what a gateway forwards to, in tests and the bench.
 */
export async function startHttpUpstream(name: string, tools: FakeTool[]): Promise<HttpUpstream> {
  const calls: Array<{ tool: string; args: unknown }> = [];
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    const { server } = fakeServer(name, tools, calls);
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
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
