import type { TLSSocket } from 'node:tls';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * `client_certificates: optional`: a client may come without a certificate (and authenticate with
 * its token), but one that presents a certificate the client CA did not sign is refused: a
 * certificate is a claim of identity, and a false one is not ignored.
 */
export async function refuseUnverifiedClientCertificate(
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const socket = request.raw.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== 'function' || socket.authorized) return;
  const presented = socket.getPeerCertificate();
  if (!presented || Object.keys(presented).length === 0) return;
  await reply
    .code(401)
    .header('connection', 'close')
    .send({
      error: {
        code: 'tls.client_certificate',
        message: `the client certificate was refused: ${socket.authorizationError ?? 'not verified'}`,
        hint: "present a certificate signed by the server's client CA, or none and an API token",
      },
    });
}
