import {
  ALNUM,
  assigned,
  BASE64,
  BASE64URL,
  chars,
  charset,
  HEX,
  oneOf,
  prefixed,
  type SecretRule,
  UPPER_ALNUM,
} from './rule.ts';

/** A service account key file's PEM, as JSON writes it: one line, `\n` escaped. */
const pemInJson = (body: string): string =>
  `-----BEGIN PRIVATE KEY-----\\n${(body.match(/.{1,64}/g) ?? []).join('\\n')}\\n-----END PRIVATE KEY-----\\n`;

/** Google Cloud and Google APIs: API keys, OAuth, service account key files, HMAC keys, FCM. */
export const GOOGLE_RULES: readonly SecretRule[] = [
  prefixed('google-api-key', ['AIza', chars(BASE64URL, 35)]),
  prefixed('google-oauth-client-secret', ['GOCSPX-', chars(BASE64URL, 28)]),
  prefixed('google-oauth-access-token', ['ya29.', chars(charset('A-Za-z0-9_.-'), [30, Infinity])], {
    sample: { secret: ['ya29.', oneOf('a0', 'A0', 'c.'), chars(BASE64URL, [100, 220])] },
  }),
  prefixed('google-oauth-refresh-token', ['1//0', chars(BASE64URL, [40, Infinity])], {
    sample: { secret: ['1//0', chars(BASE64URL, [90, 110])] },
  }),
  {
    // The key file's `private_key`; the generic PEM rule would take it too, but this names the kind.
    id: 'gcp-service-account-key',
    keywords: ['private_key'],
    pattern:
      /\\?"private_key\\?"[ \t]*:[ \t]*\\?"(?<secret>-----BEGIN (?:RSA )?PRIVATE KEY-----(?:\\\\?n|[A-Za-z0-9+/=\s]){1,16384}?-----END (?:RSA )?PRIVATE KEY-----(?:\\\\?n)?)\\?"/g,
    sample: {
      before: ['{"type": "service_account", "project_id": "acme-prod", "private_key": "'],
      secret: [chars(BASE64, [600, 1600])],
      finish: pemInJson,
      after: ['", "client_email": "deploy@acme-prod.iam.gserviceaccount.com"}'],
    },
  },
  {
    id: 'gcp-service-account-key-id',
    keywords: ['private_key_id'],
    pattern: /\\?"private_key_id\\?"[ \t]*:[ \t]*\\?"(?<secret>[0-9a-f]{40})\\?"/g,
    sample: {
      before: ['{"type": "service_account", "private_key_id": "'],
      secret: [chars(HEX, 40)],
      after: ['"}'],
    },
  },
  // Cloud Storage HMAC keys: the access ID names a service account; the secret is 40 base64 characters.
  prefixed('gcp-hmac-access-id', ['GOOG1', chars(UPPER_ALNUM, [20, 61])], {
    sample: { secret: ['GOOG1E', chars(UPPER_ALNUM, 55)] },
  }),
  assigned('gcp-hmac-secret', [chars(BASE64, 40)], {
    keywords: ['gcs_hmac', 'hmac_secret', 'gcs_secret', 'goog_secret'],
    names: ['GCS_HMAC_SECRET', 'hmac_secret', 'gcs_secret_access_key'],
  }),
  prefixed(
    'firebase-cloud-messaging-key',
    ['AAAA', chars(BASE64URL, 7), ':APA91b', chars(BASE64URL, [134, 140])],
    {
      keywords: [':apa91b'],
    },
  ),
  {
    // A Chat space's incoming webhook: the `key` is an API key (above), the `token` the secret.
    id: 'google-chat-webhook',
    anchored: true,
    keywords: ['chat.googleapis.com'],
    pattern:
      /chat\.googleapis\.com\/v1\/spaces\/[A-Za-z0-9_-]+\/messages\?[^\s'"]{0,512}?token=(?<secret>[A-Za-z0-9_-]{40,}(?:%3D|=)?)/g,
    sample: {
      before: ['https://chat.googleapis.com/v1/spaces/AAAA', chars(ALNUM, 7), '/messages?token='],
      secret: [chars(BASE64URL, 43), oneOf('%3D', '')],
    },
  },
  assigned('google-oauth-client-secret-legacy', [chars(BASE64URL, 24)], {
    keywords: ['google_client_secret', 'google-client-secret', 'googleclientsecret'],
    names: ['GOOGLE_CLIENT_SECRET', 'googleClientSecret'],
    sample: { secret: [chars(ALNUM, 24)], names: ['GOOGLE_CLIENT_SECRET'] },
  }),
  assigned('google-recaptcha-secret', [chars(BASE64URL, 40)], {
    keywords: ['recaptcha'],
    names: ['RECAPTCHA_SECRET_KEY', 'recaptchaSecret'],
    sample: { secret: ['6L', chars(BASE64URL, 38)], names: ['RECAPTCHA_SECRET_KEY'] },
  }),
];
