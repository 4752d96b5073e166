import {
  ALNUM,
  assigned,
  BASE64,
  BASE64URL,
  base64,
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

/** A PEM private key, as kubeconfig's `client-key-data` holds it: base64 of the whole file. */
const kubeKey = (body: string): string =>
  base64(`-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----\n`);

/** Secret managers, infrastructure as code, clusters and networks. */
export const INFRASTRUCTURE_RULES: readonly SecretRule[] = [
  // Vault's token types (developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes).
  prefixed('vault-service-token', ['hvs.', chars(BASE64URL, [24, Infinity])], {
    sample: { secret: ['hvs.', chars(BASE64URL, [90, 120])] },
  }),
  prefixed('vault-batch-token', ['hvb.', chars(BASE64URL, [24, Infinity])], {
    sample: { secret: ['hvb.', chars(BASE64URL, [138, 200])] },
  }),
  prefixed('vault-recovery-token', ['hvr.', chars(BASE64URL, [24, Infinity])]),
  assigned('vault-legacy-token', ['s.', chars(ALNUM, 24)], {
    keywords: ['vault'],
    names: ['VAULT_TOKEN', 'vault_token'],
  }),
  prefixed('doppler-personal-token', ['dp.pt.', chars(ALNUM, [40, 44])]),
  prefixed('doppler-service-token', ['dp.st.', chars(charset('A-Za-z0-9_.-'), [40, 100])], {
    sample: { secret: ['dp.st.', oneOf('', 'prd.', 'dev.'), chars(ALNUM, 43)] },
  }),
  prefixed('doppler-cli-token', ['dp.ct.', chars(ALNUM, [40, 44])]),
  prefixed('doppler-service-account-token', ['dp.sa.', chars(ALNUM, [40, 44])]),
  prefixed('doppler-scim-token', ['dp.scim.', chars(ALNUM, [40, 44])]),
  prefixed('doppler-audit-token', ['dp.audit.', chars(ALNUM, [40, 44])]),
  // 1Password account secret keys: `A3-` and five groups of the account's key.
  prefixed('1password-secret-key', [
    'A3-',
    chars(UPPER_ALNUM, 6),
    '-',
    chars(UPPER_ALNUM, 6),
    '-',
    chars(UPPER_ALNUM, 5),
    '-',
    chars(UPPER_ALNUM, 5),
    '-',
    chars(UPPER_ALNUM, 5),
    '-',
    chars(UPPER_ALNUM, 5),
  ]),
  prefixed('1password-service-account-token', ['ops_eyJ', chars(charset('A-Za-z0-9+/='), [100, Infinity])], {
    sample: {
      secret: [
        '{"signInAddress":"my.1password.com","userAuth":{"method":"SRPg-4096","alg":"PBES2g-HS256","iterations":650000,"salt":"',
        chars(BASE64URL, 22),
        '"},"email":"',
        chars(LOWER_ALNUM, 12),
        '@1passwordserviceaccounts.com","srpX":"',
        chars(HEX, 64),
        '"}',
      ],
      finish: (value) => `ops_${base64(value)}`,
    },
  }),
  prefixed('age-secret-key', ['AGE-SECRET-KEY-1', chars(charset('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L'), 58)]),
  prefixed('infisical-token', ['st.', ...UUID, '.', chars(HEX, 32), '.', chars(HEX, 32)], {
    keywords: ['st.'],
  }),
  prefixed('pulumi-access-token', ['pul-', chars(HEX, 40)]),
  prefixed(
    'terraform-cloud-token',
    [chars(ALNUM, 14), '.atlasv1.', chars(charset('A-Za-z0-9_=-'), [60, 70])],
    {
      keywords: ['.atlasv1.'],
      sample: { secret: [chars(ALNUM, 14), '.atlasv1.', chars(ALNUM, 67)] },
    },
  ),
  prefixed('hcp-service-principal-secret', ['hcp_', chars(ALNUM, [60, 70])], {
    sample: { secret: ['hcp_', chars(ALNUM, 64)] },
  }),
  prefixed('openshift-token', ['sha256~', chars(BASE64URL, 43)]),
  prefixed('docker-swarm-join-token', ['SWMTKN-1-', chars(LOWER_ALNUM, 50), '-', chars(LOWER_ALNUM, 25)]),
  prefixed('docker-swarm-unlock-key', ['SWMKEY-1-', chars(charset('A-Za-z0-9+/'), 43)]),
  {
    id: 'kubeconfig-client-key',
    anchored: true,
    keywords: ['client-key-data'],
    pattern: /client-key-data:[ \t]*["']?(?<secret>LS0tLS1CRUdJTi[A-Za-z0-9+/=]{40,})/g,
    sample: { before: ['client-key-data: '], secret: [chars(BASE64, [200, 400])], finish: kubeKey },
  },
  assigned('kubernetes-bootstrap-token', [chars(charset('a-z0-9'), 6), '.', chars(charset('a-z0-9'), 16)], {
    keywords: ['--token', 'bootstrap', 'join'],
    name: '--token|bootstrap[\\w.-]{0,20}?token|join[\\w.-]{0,10}?token',
    names: ['--token', 'bootstrapToken'],
  }),
  prefixed('rancher-token', ['token-', chars(LOWER_ALNUM, 5), ':', chars(LOWER_ALNUM, 54)]),
  prefixed(
    'tailscale-key',
    [
      'tskey-',
      oneOf('auth', 'api', 'client', 'webhook', 'scim'),
      '-',
      chars(ALNUM, [10, 20]),
      '-',
      chars(ALNUM, [30, 40]),
    ],
    {
      sample: {
        secret: [
          'tskey-',
          oneOf('auth', 'api', 'client'),
          '-k',
          chars(ALNUM, 12),
          'CNTRL-',
          chars(ALNUM, 33),
        ],
      },
    },
  ),
  assigned('ngrok-authtoken', [chars(ALNUM, 27), '_', chars(ALNUM, 21)], {
    keywords: ['ngrok'],
    names: ['NGROK_AUTHTOKEN', 'ngrok_authtoken'],
  }),
  prefixed('ngrok-api-key', ['ngrok_api_', chars(ALNUM, [20, 60])], { keywords: ['ngrok_api_'] }),
  assigned('consul-acl-token', UUID, {
    keywords: ['consul'],
    names: ['CONSUL_HTTP_TOKEN', 'consul_acl_token'],
  }),
  assigned('nomad-token', UUID, {
    keywords: ['nomad'],
    names: ['NOMAD_TOKEN'],
  }),
  {
    // Sidekiq Pro/Enterprise's gem server credentials, as Bundler reads them.
    id: 'sidekiq-credentials',
    anchored: true,
    keywords: ['contribsys'],
    pattern:
      /(?i:contribsys(?:__|\.)com)[ \t]*[=:][ \t]*["']?(?<secret>[0-9a-f]{8}:[0-9a-f]{8})(?![0-9a-f])/g,
    sample: { before: ['BUNDLE_ENTERPRISE__CONTRIBSYS__COM='], secret: [chars(HEX, 8), ':', chars(HEX, 8)] },
  },
  prefixed(
    'defined-networking-token',
    ['dnkey-', chars(charset('A-Za-z0-9=_-'), 26), '-', chars(charset('A-Za-z0-9=_-'), 52)],
    {
      sample: { secret: ['dnkey-', chars(ALNUM, 26), '-', chars(ALNUM, 52)] },
    },
  ),
  assigned('wireguard-preshared-key', [chars(BASE64, 43), '='], {
    keywords: ['presharedkey'],
    names: ['PresharedKey'],
  }),
];
