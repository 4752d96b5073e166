import {
  ALNUM,
  assigned,
  BASE32,
  BASE64,
  BASE64_PADDED,
  base64,
  chars,
  DIGIT,
  HEX,
  oneOf,
  prefixed,
  type SecretRule,
  UPPER_ALNUM,
  UUID,
} from './rule.ts';

/** A SigV4 presigned URL to Bedrock's CallWithBearerToken, the body of a short-term API key. */
function bedrockShortTerm(value: string): string {
  const [accessKey = '', token = '', signature = ''] = value.split('|');
  return `bedrock-api-key-${base64(
    `bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256` +
      `&X-Amz-Credential=${accessKey}%2F20250101%2Fus-east-1%2Fbedrock%2Faws4_request` +
      `&X-Amz-Date=20250101T000000Z&X-Amz-Expires=43200&X-Amz-Security-Token=${token}` +
      `&X-Amz-Signature=${signature}&X-Amz-SignedHeaders=host&Version=1`,
  )}`;
}

/** AWS: IAM unique-ID prefixes (AKIA, ASIA, ABIA, ACCA), STS, SigV4 and Bedrock's API keys. */
export const AWS_RULES: readonly SecretRule[] = [
  prefixed('aws-access-key', [oneOf('AKIA', 'ASIA', 'ABIA', 'ACCA'), chars(UPPER_ALNUM, 16)], {
    sample: { secret: [oneOf('AKIA', 'ASIA', 'ABIA', 'ACCA'), chars(BASE32, 16)] },
  }),
  assigned('aws-secret-key', [chars(BASE64, 40)], {
    keywords: ['aws_secret_access_key', 'aws-secret-access-key', 'aws_secret_key', 'secretaccesskey'],
    names: ['AWS_SECRET_ACCESS_KEY', 'aws_secret_access_key', 'SecretAccessKey', 'aws-secret-access-key'],
  }),
  assigned('aws-session-token', [chars(BASE64_PADDED, [100, Infinity])], {
    keywords: ['aws_session_token', 'aws-session-token', 'sessiontoken', 'x-amz-security-token'],
    names: ['AWS_SESSION_TOKEN', 'aws_session_token', 'SessionToken', 'x-amz-security-token'],
    sample: {
      secret: [oneOf('IQoJb3JpZ2luX2Vj', 'FwoGZXIvYXdzE'), chars(BASE64, [200, 600])],
      names: ['AWS_SESSION_TOKEN', 'SessionToken'],
    },
  }),
  {
    // A presigned URL's signature and session token grant what the signer could, until it expires.
    id: 'aws-presigned-url',
    anchored: true,
    keywords: ['x-amz-signature=', 'x-amz-security-token='],
    pattern:
      /(?<=[?&])(?:X-Amz-Signature=(?<secret>[0-9a-f]{64})|X-Amz-Security-Token=(?<secret>[A-Za-z0-9%]{40,}))/gi,
    sample: {
      before: [
        'https://bucket.s3.us-east-1.amazonaws.com/report.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=',
      ],
      secret: [chars(HEX, 64)],
      after: ['&X-Amz-SignedHeaders=host'],
    },
  },
  // Bedrock's long-term API keys: `ABSK` and base64 of `BedrockAPIKey-<id>-at-<account>:<secret>`.
  prefixed('aws-bedrock-api-key', ['ABSK', chars(BASE64_PADDED, [80, Infinity])], {
    sample: {
      secret: ['BedrockAPIKey-', chars(ALNUM, 4), '-at-', chars(DIGIT, 12), ':', chars(BASE64, 40)],
      finish: (value) => `ABSK${base64(value)}`,
    },
  }),
  {
    // Short-term keys: `bedrock-api-key-` and base64 of a presigned URL; `&Version=1` is inside.
    id: 'aws-bedrock-short-term-key',
    anchored: true,
    keywords: ['bedrock-api-key-'],
    pattern: /(?<![A-Za-z0-9-])(?<secret>bedrock-api-key-[A-Za-z0-9+/]{100,}={0,2})/g,
    sample: {
      secret: [chars(UPPER_ALNUM, 20), '|', chars(ALNUM, [60, 200]), '|', chars(HEX, 64)],
      finish: bedrockShortTerm,
    },
  },
  prefixed('aws-mws-key', ['amzn.mws.', ...UUID]),
];
