import Fastify, { type FastifyInstance } from 'fastify';
import { WardenError } from '../errors.ts';
import { type GatewayOptions, gatewayPlugin } from './plugin.ts';

export interface StartGatewayOptions extends GatewayOptions {
  /** Default 127.0.0.1: the gateway holds Warden's provider access, so it is not for the LAN. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /**
   * Listen on this unix socket instead of a TCP port: for `warden wrap`, whose sandbox reaches
   * the gateway only through a socket bound into it.
   */
  socketPath?: string;
  /** Adds routes beside the gateway's (`warden wrap`'s MCP endpoint). */
  mount?: (app: FastifyInstance) => void;
}

export interface RunningGateway {
  /** The socket's path, when it listens on one (then `url` and `port` say where it would be on TCP). */
  socketPath?: string;
  /** `http://127.0.0.1:<port>`: Anthropic clients' base URL (`ANTHROPIC_BASE_URL`). */
  url: string;
  /** `<url>/v1`: OpenAI clients' base URL (`OPENAI_BASE_URL`, Codex's `base_url`). */
  openaiBaseUrl: string;
  port: number;
  close(): Promise<void>;
}

/** The gateway on its own HTTP server: what `warden wrap` points a third-party agent at. */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const host = options.host ?? '127.0.0.1';
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(gatewayPlugin(options));
  options.mount?.(app);
  // Standalone, the gateway owns the root: an unknown path gets an error a client can show.
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: {
        message: `no route ${request.method} ${request.url.split('?')[0]} on the Warden gateway`,
        type: 'invalid_request_error',
        param: null,
        code: 'not_found',
      },
    });
  });
  if (options.socketPath !== undefined) {
    const socketPath = options.socketPath;
    await listenOr(app, () => app.listen({ path: socketPath }), socketPath);
    return {
      socketPath,
      url: 'http://localhost',
      openaiBaseUrl: 'http://localhost/v1',
      port: 0,
      close: () => app.close(),
    };
  }
  const address = await listenOr(
    app,
    () => app.listen({ host, port: options.port ?? 0 }),
    `${host}:${options.port ?? 0}`,
  );
  const port = new URL(address).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { url, openaiBaseUrl: `${url}/v1`, port: Number(port), close: () => app.close() };
}

async function listenOr(app: FastifyInstance, listen: () => Promise<string>, where: string): Promise<string> {
  try {
    return await listen();
  } catch (error) {
    await app.close();
    throw new WardenError('gateway.listen', `cannot listen on ${where}: ${(error as Error).message}`, {
      hint: 'choose another port (0 for a free one), or a socket path in a directory you own',
      cause: error,
    });
  }
}
