import Fastify from 'fastify';
import { WardenError } from '../errors.ts';
import { type GatewayOptions, gatewayPlugin } from './plugin.ts';

export interface StartGatewayOptions extends GatewayOptions {
  /** Default 127.0.0.1: the gateway holds Warden's provider access, so it is not for the LAN. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
}

export interface RunningGateway {
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
  let address: string;
  try {
    address = await app.listen({ host, port: options.port ?? 0 });
  } catch (error) {
    await app.close();
    throw new WardenError(
      'gateway.listen',
      `cannot listen on ${host}:${options.port ?? 0}: ${(error as Error).message}`,
      {
        hint: 'choose another port, or 0 for a free one',
        cause: error,
      },
    );
  }
  const port = new URL(address).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { url, openaiBaseUrl: `${url}/v1`, port: Number(port), close: () => app.close() };
}
