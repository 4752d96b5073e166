import { startHttpMcpServer } from './http-mcp-server.ts';
import { type FakeTool, registerFakeTools } from './in-memory.ts';

export interface HttpUpstream {
  /** `http://127.0.0.1:PORT/mcp` */
  url: string;
  /** Every tool call that reached the server, in order. */
  calls: Array<{ tool: string; args: unknown }>;
  close(): Promise<void>;
}

/** An SDK MCP server over Streamable HTTP on 127.0.0.1 with the given tools, remembering each call. */
export async function startHttpUpstream(tools: FakeTool[]): Promise<HttpUpstream> {
  const calls: Array<{ tool: string; args: unknown }> = [];
  const server = await startHttpMcpServer({
    accepts: () => true,
    tools: (mcp) => registerFakeTools(mcp, tools, calls),
  });
  return { url: server.url, calls, close: () => server.close() };
}
