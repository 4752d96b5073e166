import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { z } from 'zod';
import type { McpServerConfig, McpServerSet, StdioServerConfig } from '../config.ts';
import type { TransportFactory } from '../session-tools.ts';

export interface FakeTool {
  name: string;
  description?: string;
  input?: Record<string, z.ZodType>;
  /** What the tool answers; default echoes its arguments as JSON. */
  answer?: (args: Record<string, unknown>) => string;
}

/** An MCP server made with the SDK, in this process: tools as given, each call remembered. */
export function fakeServer(
  name: string,
  tools: FakeTool[],
): { server: McpServer; calls: Array<{ tool: string; args: unknown }> } {
  const server = new McpServer({ name, version: '1.0.0' });
  const calls: Array<{ tool: string; args: unknown }> = [];
  registerFakeTools(server, tools, calls);
  return { server, calls };
}

/** Registers `tools` on an SDK server, each call remembered in `calls`. */
export function registerFakeTools(
  server: McpServer,
  tools: FakeTool[],
  calls: Array<{ tool: string; args: unknown }>,
): void {
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        ...(tool.description === undefined ? {} : { description: tool.description }),
        ...(tool.input ? { inputSchema: tool.input } : {}),
      },
      async (args: Record<string, unknown>) => {
        calls.push({ tool: tool.name, args });
        return {
          content: [{ type: 'text' as const, text: tool.answer ? tool.answer(args) : JSON.stringify(args) }],
        };
      },
    );
  }
}

/** Connects each configured server to a fresh SDK server from `make`, in memory. */
export function inMemoryTransports(make: Record<string, () => McpServer>): TransportFactory {
  return async (config: McpServerConfig) => {
    const build = make[config.name];
    if (!build) throw new Error(`no such test server ${config.name}`);
    const [client, server] = InMemoryTransport.createLinkedPair();
    await build().connect(server);
    return client;
  };
}

export function stdioConfig(name: string, trust: 'user' | 'repo' = 'user'): StdioServerConfig {
  return {
    name,
    transport: 'stdio',
    command: 'unused',
    args: [],
    env: {},
    readOnly: [],
    writeWorkspace: false,
    callTimeoutMs: 10_000,
    source: 'test',
    trust,
  };
}

export function serverSet(names: string[], offered: string[] = []): McpServerSet {
  return {
    servers: names.map((name) => stdioConfig(name)),
    offered: offered.map((name) => ({ config: stdioConfig(name, 'repo') })),
    refused: [],
  };
}
