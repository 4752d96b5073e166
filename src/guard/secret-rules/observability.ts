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

const base64NoPad = (text: string): string => base64(text).replace(/=+$/, '');

/** Monitoring, logging, error tracking and feature flags. */
export const OBSERVABILITY_RULES: readonly SecretRule[] = [
  assigned('datadog-app-key', [chars(HEX, 40)], {
    keywords: ['dd_app_key', 'dd-app-key', 'dd_application_key', 'dd-application-key', 'datadog'],
    name: 'dd[_-]app(?:lication)?[_-]key|datadog[\\w.-]{0,20}?app',
    names: ['DD_APP_KEY', 'DD_APPLICATION_KEY', 'datadog_app_key', 'DATADOG_APPLICATION_KEY'],
  }),
  assigned('datadog-api-key', [chars(HEX, 32)], {
    keywords: ['dd_api_key', 'dd-api-key', 'ddapikey', 'datadog'],
    names: ['DD_API_KEY', 'DATADOG_API_KEY', 'datadog.apiKey', 'dd-api-key'],
  }),
  prefixed('new-relic-user-api-key', ['NRAK-', chars(UPPER_ALNUM, 27)]),
  prefixed('new-relic-admin-key', ['NRAA-', chars(HEX, 27)]),
  prefixed('new-relic-insert-key', ['NRII-', chars(BASE64URL, 32)]),
  prefixed('new-relic-query-key', ['NRIQ-', chars(BASE64URL, 32)]),
  prefixed('new-relic-browser-key', ['NRJS-', chars(HEX, 19)]),
  prefixed('new-relic-license-key', [chars(HEX, 36), 'NRAL'], { keywords: ['nral'] }),
  prefixed('sentry-org-token', ['sntrys_eyJ', chars(charset('A-Za-z0-9+/=_'), [50, Infinity])], {
    sample: {
      secret: [
        '{"iat":1735689600.0,"url":"https://sentry.io","region_url":"https://us.sentry.io","org":"',
        chars(LOWER_ALNUM, [3, 12]),
        '"}',
        '|',
        chars(ALNUM, 43),
      ],
      finish: (value) => {
        const [claims = '', secret = ''] = value.split('|');
        return `sntrys_${base64NoPad(claims)}_${secret}`;
      },
    },
  }),
  prefixed('sentry-user-token', ['sntryu_', chars(HEX, 64)]),
  assigned('sentry-auth-token', [chars(HEX, 64)], {
    keywords: ['sentry'],
    names: ['SENTRY_AUTH_TOKEN', 'sentryAuthToken'],
  }),
  prefixed(
    'grafana-cloud-token',
    ['glc_', chars(charset('A-Za-z0-9+/'), [32, Infinity]), chars(charset('='), [0, 2])],
    {
      sample: {
        secret: [
          '{"o":"',
          chars(charset('0-9'), 6),
          '","n":"stack-',
          chars(charset('0-9'), 6),
          '-integration","k":"',
          chars(ALNUM, 24),
          '","m":{"r":"prod-us-east-0"}}',
        ],
        finish: (value) => `glc_${base64(value)}`,
      },
    },
  ),
  prefixed('grafana-service-account-token', ['glsa_', chars(ALNUM, 32), '_', chars(HEX, 8)]),
  // Grafana's legacy API keys are base64 of `{"k":…,"n":…,"id":…}`.
  prefixed(
    'grafana-api-key',
    ['eyJrIjoi', chars(charset('A-Za-z0-9+/'), [50, Infinity]), chars(charset('='), [0, 2])],
    {
      keywords: ['eyjrijoi'],
      sample: {
        secret: ['{"k":"', chars(ALNUM, 32), '","n":"', chars(charset('a-z'), [3, 10]), '","id":1}'],
        finish: base64,
      },
    },
  ),
  prefixed('dynatrace-token', [
    oneOf('dt0c01.', 'dt0s01.', 'dt0s02.', 'dt0s08.', 'dt0s16.'),
    chars(UPPER_ALNUM, 24),
    '.',
    chars(UPPER_ALNUM, 64),
  ]),
  prefixed('honeycomb-ingest-key', [oneOf('hcaik_', 'hcxik_'), chars(LOWER_ALNUM, [20, 64])], {
    sample: { secret: [oneOf('hcaik_', 'hcxik_'), chars(LOWER_ALNUM, 58)] },
  }),
  assigned('honeycomb-api-key', [chars(ALNUM, [22, 32])], {
    keywords: ['honeycomb'],
    names: ['HONEYCOMB_API_KEY', 'HONEYCOMB_WRITEKEY'],
  }),
  assigned('sumologic-access-key', [chars(ALNUM, 64)], {
    keywords: ['sumo'],
    names: ['SUMO_ACCESS_KEY', 'sumologic_access_key'],
  }),
  assigned('sumologic-access-id', ['su', chars(ALNUM, 12)], {
    keywords: ['sumo'],
    name: 'sumo[\\w.-]{0,20}?id',
    names: ['SUMO_ACCESS_ID', 'sumologicAccessId'],
  }),
  assigned('rollbar-access-token', [chars(HEX, 32)], {
    keywords: ['rollbar'],
    names: ['ROLLBAR_ACCESS_TOKEN', 'rollbarToken'],
  }),
  assigned('bugsnag-api-key', [chars(HEX, 32)], {
    keywords: ['bugsnag'],
    names: ['BUGSNAG_API_KEY', 'bugsnagApiKey'],
  }),
  {
    id: 'splunk-hec-header',
    keywords: ['splunk '],
    pattern:
      /(?<![A-Za-z0-9])authorization["']?[ \t]*:[ \t]*["']?Splunk[ \t]+(?<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/gi,
    sample: { before: ['Authorization: Splunk '], secret: UUID },
  },
  assigned('splunk-hec-token', UUID, {
    keywords: ['splunk'],
    names: ['SPLUNK_HEC_TOKEN', 'splunkToken'],
  }),
  assigned('pagerduty-api-key', [chars(charset('A-Za-z0-9_+-'), 20)], {
    keywords: ['pagerduty'],
    names: ['PAGERDUTY_API_KEY', 'PAGERDUTY_TOKEN'],
    sample: { secret: [oneOf('u+', 'y_'), chars(ALNUM, 18)], names: ['PAGERDUTY_TOKEN'] },
  }),
  assigned('opsgenie-api-key', UUID, {
    keywords: ['opsgenie'],
    names: ['OPSGENIE_API_KEY'],
  }),
  prefixed('launchdarkly-api-key', ['api-', ...UUID]),
  prefixed('launchdarkly-sdk-key', ['sdk-', ...UUID]),
  prefixed('posthog-personal-api-key', ['phx_', chars(ALNUM, 43)]),
  prefixed('axiom-token', [oneOf('xaat-', 'xapt-'), ...UUID]),
  assigned('newrelic-license-key-legacy', [chars(HEX, 40)], {
    keywords: ['new_relic_license', 'newrelic_license', 'new-relic-license', 'nr_license'],
    names: ['NEW_RELIC_LICENSE_KEY', 'newrelic_license_key'],
  }),
  assigned('logdna-ingestion-key', [chars(HEX, 32)], {
    keywords: ['logdna', 'mezmo'],
    names: ['LOGDNA_INGESTION_KEY', 'MEZMO_INGESTION_KEY'],
  }),
  assigned('elastic-api-key', [chars(charset('A-Za-z0-9+/=_-'), [40, 100])], {
    keywords: ['elastic'],
    name: 'elastic[\\w.-]{0,20}?(?:api[_-]?key|password|token|secret)',
    names: ['ELASTIC_API_KEY', 'ELASTICSEARCH_PASSWORD', 'elasticApiKey'],
    sample: { secret: [chars(BASE64, 60), '=='], names: ['ELASTIC_API_KEY'] },
  }),
];
