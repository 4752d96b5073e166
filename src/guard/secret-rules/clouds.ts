import {
  ALNUM,
  assigned,
  BASE64,
  BASE64URL,
  chars,
  charset,
  HEX,
  LOWER_ALNUM,
  oneOf,
  prefixed,
  type SecretRule,
  UPPER_ALNUM,
  UUID,
} from './rule.ts';

/** Clouds and hosting platforms beyond AWS, Google and Azure. */
export const CLOUD_RULES: readonly SecretRule[] = [
  prefixed('digitalocean-pat', ['dop_v1_', chars(HEX, 64)]),
  prefixed('digitalocean-oauth-token', ['doo_v1_', chars(HEX, 64)]),
  prefixed('digitalocean-refresh-token', ['dor_v1_', chars(HEX, 64)]),
  prefixed('heroku-api-key', ['HRKU-', chars(BASE64URL, [58, 70])], {
    sample: { secret: ['HRKU-AA', chars(BASE64URL, 58)] },
  }),
  assigned('heroku-api-key-legacy', UUID, {
    keywords: ['heroku'],
    name: 'heroku[\\w.-]{0,20}?(?:key|token|secret)',
    names: ['HEROKU_API_KEY', 'heroku_api_token'],
  }),
  assigned('cloudflare-global-api-key', [chars(HEX, 37)], {
    keywords: ['cloudflare', 'cf_api_key', 'cf-api-key', 'cf_key'],
    names: ['CLOUDFLARE_API_KEY', 'CF_API_KEY', 'cloudflareGlobalKey'],
  }),
  assigned('cloudflare-api-token', [chars(BASE64URL, 40)], {
    keywords: ['cloudflare', 'cf_api_token', 'cf-api-token', 'cf_token'],
    names: ['CLOUDFLARE_API_TOKEN', 'CF_API_TOKEN', 'cloudflareToken'],
    sample: { secret: [chars(ALNUM, 40)], names: ['CLOUDFLARE_API_TOKEN', 'CF_API_TOKEN'] },
  }),
  prefixed('cloudflare-origin-ca-key', ['v1.0-', chars(HEX, 24), '-', chars(HEX, 146)]),
  prefixed(
    'flyio-token',
    [oneOf('fo1_', 'fm1r_', 'fm1a_', 'fm2_'), chars(charset('A-Za-z0-9+/=_-'), [43, Infinity])],
    {
      sample: { secret: [oneOf('fo1_', 'fm2_'), chars(BASE64URL, 43)] },
    },
  ),
  prefixed('netlify-token', ['nfp_', chars(ALNUM, 36)]),
  assigned('netlify-legacy-token', [chars(BASE64URL, [40, 46])], {
    keywords: ['netlify'],
    names: ['NETLIFY_AUTH_TOKEN', 'netlifyToken'],
    sample: { secret: [chars(ALNUM, 43)], names: ['NETLIFY_AUTH_TOKEN'] },
  }),
  prefixed('render-api-key', ['rnd_', chars(ALNUM, 32)]),
  assigned('railway-token', UUID, {
    keywords: ['railway'],
    names: ['RAILWAY_TOKEN', 'RAILWAY_API_TOKEN'],
  }),
  prefixed('scalingo-token', ['tk-us-', chars(BASE64URL, 48)]),
  prefixed('alibaba-access-key-id', ['LTAI', chars(ALNUM, [12, 20])], {
    sample: { secret: ['LTAI', chars(ALNUM, 20)] },
  }),
  assigned('alibaba-access-key-secret', [chars(ALNUM, 30)], {
    keywords: ['alibaba', 'aliyun', 'alicloud', 'access_key_secret', 'accesskeysecret'],
    names: ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALICLOUD_SECRET_KEY', 'accessKeySecret'],
  }),
  prefixed('tencent-secret-id', ['AKID', chars(ALNUM, 32)]),
  assigned('tencent-secret-key', [chars(ALNUM, 32)], {
    keywords: ['tencent', 'tccli_secret', 'qcloud'],
    names: ['TENCENTCLOUD_SECRET_KEY', 'tencentSecretKey', 'QCLOUD_SECRET_KEY'],
  }),
  prefixed('yandex-api-key', ['AQVN', chars(BASE64URL, [35, 38])]),
  prefixed('yandex-oauth-token', ['y0_', chars(BASE64URL, [55, 60])], {
    sample: { secret: ['y0_Ag', chars(BASE64URL, 53)] },
  }),
  prefixed(
    'yandex-iam-token',
    [
      't1.',
      chars(charset('A-Za-z0-9_-'), [20, Infinity]),
      chars(charset('='), [0, 2]),
      '.',
      chars(BASE64URL, 86),
      chars(charset('='), [0, 2]),
    ],
    {
      sample: { secret: ['t1.', chars(BASE64URL, 60), '.', chars(BASE64URL, 86)] },
    },
  ),
  assigned('yandex-static-key-secret', ['YC', chars(BASE64URL, 38)], {
    keywords: ['yandex', 'yc_secret', 'ycloud'],
    names: ['YANDEX_SECRET_ACCESS_KEY', 'yc_secret_key'],
  }),
  assigned('linode-token', [chars(HEX, 64)], {
    keywords: ['linode'],
    names: ['LINODE_TOKEN', 'LINODE_CLI_TOKEN'],
  }),
  assigned('vultr-api-key', [chars(UPPER_ALNUM, 36)], {
    keywords: ['vultr'],
    names: ['VULTR_API_KEY'],
  }),
  assigned('hetzner-token', [chars(ALNUM, 64)], {
    keywords: ['hcloud', 'hetzner'],
    names: ['HCLOUD_TOKEN', 'hetznerToken'],
  }),
  prefixed('scaleway-access-key', ['SCW', chars(UPPER_ALNUM, 17)]),
  assigned('scaleway-secret-key', UUID, {
    keywords: ['scw_secret', 'scaleway'],
    names: ['SCW_SECRET_KEY', 'scalewaySecretKey'],
  }),
  assigned('ibm-cloud-api-key', [chars(BASE64URL, 44)], {
    keywords: ['ibmcloud', 'ibm_cloud', 'ibm-cloud', 'ic_api_key', 'bluemix'],
    names: ['IBMCLOUD_API_KEY', 'IC_API_KEY', 'BLUEMIX_API_KEY'],
    sample: { secret: [chars(ALNUM, 44)], names: ['IBMCLOUD_API_KEY'] },
  }),
  assigned('oracle-cloud-auth-token', [chars(charset('A-Za-z0-9()<>:;.#{}[]+_-'), 20)], {
    keywords: ['oci_auth_token', 'oci-auth-token', 'oracle_auth_token'],
    names: ['OCI_AUTH_TOKEN'],
    sample: { secret: [chars(ALNUM, 20)], names: ['OCI_AUTH_TOKEN'] },
  }),
  assigned('openstack-password', [chars(charset('A-Za-z0-9!$%*_.~-'), [12, 64])], {
    keywords: ['os_password', 'openstack'],
    name: 'os_password|openstack[\\w.-]{0,20}?(?:password|secret)',
    names: ['OS_PASSWORD'],
    sample: { secret: [chars(ALNUM, 24)], names: ['OS_PASSWORD'] },
  }),
  assigned('cloudinary-api-secret', [chars(BASE64URL, 27)], {
    keywords: ['cloudinary'],
    name: 'cloudinary[\\w.-]{0,20}?secret',
    names: ['CLOUDINARY_API_SECRET'],
  }),
  {
    id: 'cloudinary-url',
    anchored: true,
    keywords: ['cloudinary://'],
    pattern: /cloudinary:\/\/[0-9]{12,16}:(?<secret>[A-Za-z0-9_-]{27})@/g,
    sample: {
      before: ['cloudinary://', chars(charset('0-9'), 15), ':'],
      secret: [chars(BASE64URL, 27)],
      after: ['@acme'],
    },
  },
  assigned('bunny-api-key', UUID, {
    keywords: ['bunny'],
    names: ['BUNNY_API_KEY', 'BUNNYCDN_ACCESS_KEY'],
  }),
  assigned('fastly-api-token', [chars(BASE64URL, 32)], {
    keywords: ['fastly'],
    names: ['FASTLY_API_TOKEN', 'fastlyToken'],
    sample: { secret: [chars(ALNUM, 32)], names: ['FASTLY_API_TOKEN'] },
  }),
  assigned('akamai-client-secret', [chars(BASE64, 43), '='], {
    keywords: ['akamai', 'client_secret'],
    name: 'akamai[\\w.-]{0,20}?secret|client_secret',
    names: ['AKAMAI_CLIENT_SECRET', 'client_secret'],
  }),
  prefixed('akamai-client-token', ['akab-', chars(LOWER_ALNUM, 16), '-', chars(LOWER_ALNUM, 16)]),
];
