import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { messageOf } from '../errors.ts';
import type { AnyTool } from '../tools/types.ts';
import type { McpServerConfig, McpServerSet } from './config.ts';
import { mcpTool, promptTool, resourceTool, type ServerLink } from './mcp-tools.ts';
import type { ServerOutcome } from './server-outcome.ts';
import { modelToolName, qualifiedName } from './tool-names.ts';
import type { PinStore, ServerPins } from './tool-pins.ts';
import { sha256 } from './tool-pins.ts';
import { type ListedTool, type VettedTool, vetTools } from './tool-vetting.ts';

/** Opens the transport to one server: in the sandbox for stdio, through the broker for HTTP. */
export type TransportFactory = (config: McpServerConfig) => Promise<Transport>;

/** A finding a person must weigh before something runs; true when they allow it. */
export type AskPerson = (question: {
  id: string;
  concerns: Array<{ source: string; rule: string; detail: string }>;
}) => Promise<boolean>;

export type { ServerOutcome } from './server-outcome.ts';

export interface McpSession {
  tools: AnyTool[];
  outcomes: ServerOutcome[];
  close(): Promise<void>;
}

const CLIENT_INFO = { name: 'warden', version: '0.1.0' };
const MAX_LISTED = 1000;
const MAX_PAGES = 50;

/**
 * The MCP servers of one session, connected and vetted before the model's first request: the
 * repository's offers are asked about, each server's tools are checked against their pins and the
 * tool-poisoning rules, and only what passes (or a person accepted) reaches the model. A server
 * that fails to start is recorded and left out; the session goes on without it.
 */
export async function openMcpSession(options: {
  servers: McpServerSet;
  transport: TransportFactory;
  pins: PinStore;
  /** Names of the tools the model already has (Warden's own). */
  builtinTools: readonly string[];
  ask: AskPerson;
  onOutcome?: (outcome: ServerOutcome) => void;
}): Promise<McpSession> {
  const links: ServerLink[] = [];
  const outcomes: ServerOutcome[] = [];
  const record = (outcome: ServerOutcome) => {
    outcomes.push(outcome);
    options.onOutcome?.(outcome);
  };
  const chosen = [...options.servers.servers];
  for (const { name, source, reason } of options.servers.refused)
    record({
      server: name,
      transport: 'stdio',
      status: 'refused',
      tools: [],
      withheld: [],
      pinned: [],
      detail: `${source}: ${reason}`,
    });
  for (const { config } of options.servers.offered) {
    const command = [config.command, ...config.args].join(' ');
    const env = Object.entries(config.env).map(([name, value]) => `${name}=${value}`);
    const setting = [env.length ? `env ${env.join(' ')}` : '', config.cwd ? `in ${config.cwd}` : '']
      .filter(Boolean)
      .join(', ');
    const allowed = await options.ask({
      id: `mcp-offer-${config.name}`,
      concerns: [
        {
          source: config.source,
          rule: 'mcp-offered-server',
          detail: `the repository offers the MCP server ${config.name} (\`${command}\`${setting ? `; ${setting}` : ''}): run it in the sandbox, where it may read the workspace but not change it?`,
        },
      ],
    });
    if (allowed) chosen.push(config);
    else
      record({
        server: config.name,
        transport: 'stdio',
        status: 'declined',
        tools: [],
        withheld: [],
        pinned: [],
      });
  }

  const listed: Listed[] = [];
  for (const config of chosen) {
    // The server's output schemas are never checked against its answers: a schema is the server's
    // to choose, and a pattern in one could hold Warden's process (the answer is text for the model).
    const client = new Client(CLIENT_INFO, { capabilities: {}, jsonSchemaValidator: ACCEPT_ANY });
    try {
      await client.connect(await options.transport(config), { timeout: config.callTimeoutMs });
      const link = { name: config.name, client, callTimeoutMs: config.callTimeoutMs };
      links.push(link);
      const capabilities = client.getServerCapabilities() ?? {};
      listed.push({
        config,
        link,
        tools: capabilities.tools ? await listTools(client, config.callTimeoutMs) : [],
        resources: capabilities.resources !== undefined,
        prompts: capabilities.prompts !== undefined,
      });
    } catch (error) {
      await client.close().catch(() => {});
      record({
        server: config.name,
        transport: config.transport,
        status: 'failed',
        tools: [],
        withheld: [],
        pinned: [],
        detail: messageOf(error),
      });
    }
  }

  // Every name the model could call, so a description that reaches across to one is caught.
  const everyName = [
    ...options.builtinTools.filter((name) => name.includes('_')),
    ...listed.flatMap(({ config, tools }) =>
      tools.flatMap((tool) => [
        qualifiedName(config.name, tool.name),
        modelToolName(config.name, tool.name),
        ...(/[_-]/.test(tool.name) ? [tool.name] : []),
      ]),
    ),
  ];
  const tools: AnyTool[] = [];
  try {
    for (const server of listed) {
      try {
        tools.push(...(await offerServer(server, everyName, options, record)));
      } catch (error) {
        // One server's tool list that cannot be vetted (a schema nested past any reading) loses
        // that server, never the others or the session.
        await server.link.client.close().catch(() => {});
        record({
          server: server.config.name,
          transport: server.config.transport,
          status: 'failed',
          tools: [],
          withheld: [],
          pinned: [],
          detail: `its tools could not be vetted: ${messageOf(error)}`,
        });
      }
    }
  } catch (error) {
    await Promise.allSettled(links.map((link) => link.client.close()));
    throw error;
  }
  return {
    tools,
    outcomes,
    async close() {
      await Promise.allSettled(links.map((link) => link.client.close()));
    },
  };
}

type Listed = {
  config: McpServerConfig;
  link: ServerLink;
  tools: ListedTool[];
  resources: boolean;
  prompts: boolean;
};

/** One server's tools as the model may see them: vetted, asked about, pinned, named apart. */
async function offerServer(
  { config, link, tools: serverTools, resources, prompts }: Listed,
  everyName: readonly string[],
  options: Parameters<typeof openMcpSession>[0],
  record: (outcome: ServerOutcome) => void,
): Promise<AnyTool[]> {
  const own = new Set(
    serverTools.flatMap((tool) => [
      qualifiedName(config.name, tool.name),
      modelToolName(config.name, tool.name),
      tool.name,
    ]),
  );
  const identity = serverIdentity(config);
  const previous = options.pins.get(config.name, identity);
  const vetted = vetTools(
    config.name,
    serverTools,
    previous,
    everyName.filter((name) => !own.has(name)),
  );
  const outcome: ServerOutcome = {
    server: config.name,
    transport: config.transport,
    status: 'connected',
    tools: [],
    withheld: [],
    pinned: [],
  };
  const pins: ServerPins = {
    identity,
    pinnedAt: new Date().toISOString(),
    tools: { ...(previous?.tools ?? {}) },
  };
  const tools: AnyTool[] = [];
  // Warden's own tools, and the server's resource and prompt tools, are named first: no tool of
  // the server's can take one of their names.
  if (resources) tools.push(resourceTool(link));
  if (prompts) tools.push(promptTool(link));
  const names = new Set<string>([...options.builtinTools, ...tools.map((tool) => tool.name)]);
  for (const entry of vetted) {
    const qualified = qualifiedName(config.name, entry.tool.name);
    const modelName = modelToolName(config.name, entry.tool.name);
    if (names.has(modelName)) {
      outcome.withheld.push({ tool: qualified, reason: `its name ${modelName} is taken by another tool` });
      continue;
    }
    const accepted = await accept(entry, config.name, options.ask);
    if (!accepted.ok) {
      outcome.withheld.push({ tool: qualified, reason: accepted.reason });
      continue;
    }
    if (entry.verdict.status !== 'pinned') {
      pins.tools[entry.tool.name] = entry.verdict.pin;
      outcome.pinned.push(qualified);
    }
    names.add(modelName);
    outcome.tools.push(qualified);
    tools.push(mcpTool(link, entry.tool));
  }
  if (outcome.pinned.length > 0) options.pins.put(config.name, pins);
  record(outcome);
  return tools;
}

async function accept(
  entry: VettedTool,
  server: string,
  ask: AskPerson,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const { verdict, tool } = entry;
  if (verdict.status !== 'ask') return { ok: true };
  const name = qualifiedName(server, tool.name);
  const concerns = [
    ...verdict.findings.map((finding) => ({
      source: `mcp ${name}`,
      rule: finding.rule,
      detail: `${name}: ${finding.excerpt}`,
    })),
    {
      source: `mcp ${name}`,
      rule: verdict.diff ? 'mcp-tool-changed' : 'mcp-tool-unvetted',
      detail: `offer the MCP tool ${name} to the model? ${verdict.reasons.join('; ')}${verdict.diff ? `\n${clipDiff(verdict.diff)}` : ''}`,
    },
  ];
  const allowed = await ask({ id: `mcp-vet-${sha256(name).slice(0, 12)}`, concerns });
  return allowed ? { ok: true } : { ok: false, reason: `not accepted: ${verdict.reasons.join('; ')}` };
}

function clipDiff(diff: string): string {
  return diff.length <= 4000 ? diff : `${diff.slice(0, 4000)}\n… [${diff.length} chars]`;
}

/** What the server is; another command, arguments or URL under the same name is pinned afresh. */
export function serverIdentity(config: McpServerConfig): string {
  return sha256(config.transport === 'http' ? config.url : JSON.stringify([config.command, ...config.args]));
}

/** The server's tools, in pages: at most MAX_LISTED tools in MAX_PAGES pages, within one timeout. */
async function listTools(client: Client, timeoutMs: number): Promise<ListedTool[]> {
  const tools: ListedTool[] = [];
  const signal = AbortSignal.timeout(timeoutMs);
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await client.listTools(cursor ? { cursor } : undefined, { signal, timeout: timeoutMs });
    tools.push(...(answer.tools as ListedTool[]));
    cursor = answer.nextCursor;
    if (!cursor || tools.length >= MAX_LISTED) break;
  }
  return tools.slice(0, MAX_LISTED);
}

/** Accepts every answer: see where the client is made. */
const ACCEPT_ANY = {
  getValidator: () => (input: unknown) => ({ valid: true as const, data: input, errorMessage: undefined }),
} as jsonSchemaValidator;
