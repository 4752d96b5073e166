import type { IncomingMessage } from 'node:http';
import { refuseSigV4 } from '../../testing/aws-sigv4.ts';

/** An error KMS answers with: its `__type` and message. */
export class KmsFault extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

/** A request to the loopback KMS, checked as AWS checks SigV4; a refusal is thrown as KMS words it. */
export async function checkSigV4(
  request: IncomingMessage,
  body: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  region: string,
): Promise<void> {
  const refused = await refuseSigV4(request, {
    path: request.url ?? '/',
    body,
    credentials,
    region,
    service: 'kms',
  });
  if (refused) throw new KmsFault(refused.errorType, refused.message);
}
