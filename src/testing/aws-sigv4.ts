import type { IncomingMessage } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** Why AWS refuses a request's signature: its error type and its words. */
export interface SigV4Refusal {
  errorType:
    | 'MissingAuthenticationTokenException'
    | 'IncompleteSignatureException'
    | 'UnrecognizedClientException'
    | 'InvalidSignatureException';
  message: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const UNRECOGNIZED: SigV4Refusal = {
  errorType: 'UnrecognizedClientException',
  message: 'The security token included in the request is invalid.',
};

/**
 * Checks a SigV4-signed request as AWS does, for the loopback AWS services of the tests: a known
 * access key, a credential scope for this region and service, the session token (signed) when the
 * identity has one, and a signature equal to the one recomputed here over what actually arrived.
 * Undefined when the request passes.
 */
export async function refuseSigV4(
  request: IncomingMessage,
  signed: {
    /** The path as signed (the request's, or its decoded form where the service signs that). */
    path: string;
    body: string;
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
    region: string;
    service: string;
  },
): Promise<SigV4Refusal | undefined> {
  const authorization = request.headers.authorization;
  if (authorization === undefined)
    return { errorType: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const parts = AUTHORIZATION.exec(authorization);
  if (!parts)
    return { errorType: 'IncompleteSignatureException', message: 'Authorization header is malformed' };
  const [, accessKeyId, scopeDate, scopeRegion, scopeService, signedList = '', signature] = parts;
  const { credentials, region, service } = signed;
  if (!credentials || accessKeyId !== credentials.accessKeyId) return UNRECOGNIZED;
  const invalid = (message: string): SigV4Refusal => ({ errorType: 'InvalidSignatureException', message });
  if (scopeService !== service)
    return invalid(`Credential should be scoped to correct service: '${service}'.`);
  if (scopeRegion !== region)
    return invalid(`Credential should be scoped to a valid region, not '${scopeRegion}'.`);
  const amzDate = request.headers['x-amz-date'];
  if (typeof amzDate !== 'string' || !/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== scopeDate)
    return invalid(
      'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP',
    );
  const signedNames = signedList.split(';');
  if (!signedNames.includes('host') || !signedNames.includes('x-amz-date'))
    return invalid("'Host' and 'X-Amz-Date' must be signed headers");
  if (credentials.sessionToken !== undefined) {
    const token = request.headers['x-amz-security-token'];
    if (token !== credentials.sessionToken || !signedNames.includes('x-amz-security-token'))
      return UNRECOGNIZED;
  }
  const headers: Record<string, string> = {};
  for (const name of signedNames) {
    const value = request.headers[name];
    if (typeof value !== 'string') return invalid(`signed header '${name}' is missing`);
    headers[name] = value;
  }
  const signer = new SignatureV4({
    credentials,
    region,
    service,
    sha256: Hash.bind(null, 'sha256'),
    // The clients send no x-amz-content-sha256 header; adding one would change what is signed.
    applyChecksum: false,
  });
  const [hostname = '', port] = (request.headers.host ?? '').split(':');
  const expected = await signer.sign(
    new HttpRequest({
      method: request.method ?? 'POST',
      protocol: 'http:',
      hostname,
      ...(port ? { port: Number(port) } : {}),
      path: signed.path,
      headers,
      body: signed.body,
    }),
    { signingDate: parseAmzDate(amzDate), signableHeaders: new Set(signedNames) },
  );
  return AUTHORIZATION.exec(String(expected.headers.authorization))?.[6] === signature
    ? undefined
    : invalid(SIGNATURE_MISMATCH);
}

function parseAmzDate(value: string): Date {
  return new Date(value.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
}
