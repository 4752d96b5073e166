import type { IncomingMessage } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** An error KMS answers with: its `__type` and message. */
export class KmsFault extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/**
 * Checks a SigV4 request as AWS does: a known access key, a credential scope for this region and
 * `kms`, the session token when the identity has one, and a signature equal to the one recomputed
 * here over what actually arrived.
 */
export async function checkSigV4(
  request: IncomingMessage,
  body: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  region: string,
): Promise<void> {
  const parts = AUTHORIZATION.exec(request.headers.authorization ?? '');
  if (!parts) throw new KmsFault('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const [, accessKeyId, scopeDate, scopeRegion, scopeService, signedList = '', signature] = parts;
  const unrecognized = new KmsFault(
    'UnrecognizedClientException',
    'The security token included in the request is invalid.',
  );
  if (accessKeyId !== credentials.accessKeyId) throw unrecognized;
  const invalid = (message: string) => new KmsFault('InvalidSignatureException', message);
  if (scopeService !== 'kms') throw invalid(`Credential should be scoped to correct service: 'kms'.`);
  if (scopeRegion !== region)
    throw invalid(`Credential should be scoped to a valid region, not '${scopeRegion}'.`);
  const amzDate = request.headers['x-amz-date'];
  if (typeof amzDate !== 'string' || !/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== scopeDate) {
    throw invalid('Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP');
  }
  const signedNames = signedList.split(';');
  if (!signedNames.includes('host') || !signedNames.includes('x-amz-date')) {
    throw invalid("'Host' and 'X-Amz-Date' must be signed headers");
  }
  if (
    credentials.sessionToken !== undefined &&
    request.headers['x-amz-security-token'] !== credentials.sessionToken
  ) {
    throw unrecognized;
  }
  const headers: Record<string, string> = {};
  for (const name of signedNames) {
    const value = request.headers[name];
    if (typeof value !== 'string') throw invalid(`signed header '${name}' is missing`);
    headers[name] = value;
  }
  const signer = new SignatureV4({
    credentials,
    region,
    service: 'kms',
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const [hostname = '', port] = (request.headers.host ?? '').split(':');
  const expected = await signer.sign(
    new HttpRequest({
      method: request.method ?? 'POST',
      protocol: 'http:',
      hostname,
      ...(port ? { port: Number(port) } : {}),
      path: request.url ?? '/',
      headers,
      body,
    }),
    { signingDate: parseAmzDate(amzDate), signableHeaders: new Set(signedNames) },
  );
  if (AUTHORIZATION.exec(String(expected.headers.authorization))?.[6] !== signature)
    throw invalid(SIGNATURE_MISMATCH);
}

function parseAmzDate(value: string): Date {
  return new Date(value.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
}
