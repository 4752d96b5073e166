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
  UUID,
} from './rule.ts';

const TOKEN_CHARS = charset('A-Za-z0-9_.-');

/** Databases, warehouses, streaming, search and content platforms. */
export const DATA_RULES: readonly SecretRule[] = [
  prefixed('databricks-token', ['dapi', chars(HEX, 32), oneOf('', '-1', '-2', '-3')]),
  prefixed('databricks-oauth-secret', ['dose', chars(HEX, 32)]),
  prefixed('planetscale-token', ['pscale_tkn_', chars(TOKEN_CHARS, [32, 64])], {
    sample: { secret: ['pscale_tkn_', chars(ALNUM, 43)] },
  }),
  prefixed('planetscale-oauth-token', ['pscale_oauth_', chars(TOKEN_CHARS, [32, 64])], {
    sample: { secret: ['pscale_oauth_', chars(ALNUM, 43)] },
  }),
  prefixed('planetscale-password', ['pscale_pw_', chars(TOKEN_CHARS, [32, 64])], {
    sample: { secret: ['pscale_pw_', chars(ALNUM, 43)] },
  }),
  prefixed('supabase-access-token', ['sbp_', oneOf('', 'oauth_'), chars(HEX, 40)]),
  prefixed('supabase-secret-key', ['sb_secret_', chars(BASE64URL, [31, 50])], {
    sample: { secret: ['sb_secret_', chars(ALNUM, 22), '_', chars(ALNUM, 8)] },
  }),
  prefixed('clickhouse-cloud-secret', ['4b1d', chars(ALNUM, 38)]),
  assigned('confluent-api-secret', [chars(charset('A-Za-z0-9+/'), 64)], {
    keywords: ['confluent', 'kafka_api_secret', 'sasl_password', 'sasl.password'],
    names: ['CONFLUENT_CLOUD_API_SECRET', 'KAFKA_API_SECRET', 'sasl.password'],
  }),
  assigned('mongodb-atlas-private-key', UUID, {
    keywords: ['mongodb_atlas', 'atlas_private_key', 'mongodb-atlas'],
    names: ['MONGODB_ATLAS_PRIVATE_KEY', 'ATLAS_PRIVATE_KEY'],
  }),
  assigned('snowflake-password', [chars(charset('A-Za-z0-9!$%*_.~-'), [12, 64])], {
    keywords: ['snowflake', 'snowsql_pwd'],
    name: 'snowflake[\\w.-]{0,20}?(?:password|pwd|secret|token)|snowsql_pwd',
    names: ['SNOWFLAKE_PASSWORD', 'SNOWSQL_PWD'],
    sample: { secret: [chars(ALNUM, 24)], names: ['SNOWFLAKE_PASSWORD'] },
  }),
  prefixed('neon-api-key', ['napi_', chars(LOWER_ALNUM, 64)]),
  assigned('upstash-token', [chars(BASE64URL, [40, 120])], {
    keywords: ['upstash'],
    name: 'upstash[\\w.-]{0,20}?(?:token|password|key)',
    names: ['UPSTASH_REDIS_REST_TOKEN', 'UPSTASH_TOKEN'],
    sample: { secret: ['A', chars(ALNUM, 60)], names: ['UPSTASH_REDIS_REST_TOKEN'] },
  }),
  assigned('aiven-token', [chars(charset('A-Za-z0-9+/='), [300, 400])], {
    keywords: ['aiven'],
    names: ['AIVEN_TOKEN', 'AIVEN_API_TOKEN'],
    sample: { secret: [chars(BASE64, 372)], names: ['AIVEN_API_TOKEN'] },
  }),
  assigned('algolia-admin-key', [chars(HEX, 32)], {
    keywords: ['algolia'],
    names: ['ALGOLIA_ADMIN_KEY', 'ALGOLIA_API_KEY', 'algoliaWriteKey'],
  }),
  assigned('meilisearch-master-key', [chars(BASE64URL, [16, 64])], {
    keywords: ['meili'],
    names: ['MEILI_MASTER_KEY', 'MEILISEARCH_API_KEY'],
    sample: { secret: [chars(ALNUM, 32)], names: ['MEILI_MASTER_KEY'] },
  }),
  assigned('typesense-api-key', [chars(ALNUM, 32)], {
    keywords: ['typesense'],
    names: ['TYPESENSE_API_KEY'],
  }),
  prefixed('contentful-pat', ['CFPAT-', chars(BASE64URL, 43)]),
  assigned('contentful-delivery-token', [chars(BASE64URL, 43)], {
    keywords: ['contentful'],
    names: ['CONTENTFUL_DELIVERY_TOKEN', 'CONTENTFUL_ACCESS_TOKEN'],
    sample: { secret: [chars(ALNUM, 43)], names: ['CONTENTFUL_ACCESS_TOKEN'] },
  }),
  assigned('sanity-token', ['sk', chars(ALNUM, [150, 200])], {
    keywords: ['sanity'],
    names: ['SANITY_API_TOKEN', 'SANITY_AUTH_TOKEN'],
  }),
  assigned('storyblok-token', [chars(ALNUM, [22, 24]), 'tt'], {
    keywords: ['storyblok'],
    names: ['STORYBLOK_TOKEN'],
  }),
  assigned('datocms-token', [chars(HEX, 30)], {
    keywords: ['datocms'],
    names: ['DATOCMS_API_TOKEN'],
  }),
  assigned('airtable-api-key', ['key', chars(ALNUM, 14)], {
    keywords: ['airtable'],
    names: ['AIRTABLE_API_KEY'],
  }),
  prefixed('airtable-pat', ['pat', chars(ALNUM, 14), '.', chars(HEX, 64)]),
  assigned('influxdb-token', [chars(BASE64URL, 86), '=='], {
    keywords: ['influx'],
    names: ['INFLUX_TOKEN', 'INFLUXDB_TOKEN'],
  }),
  assigned('redis-password', [chars(charset('A-Za-z0-9!$%*_.~-'), [16, 64])], {
    keywords: ['redis_password', 'redis-password', 'requirepass', 'redis_pass'],
    names: ['REDIS_PASSWORD', 'requirepass'],
    sample: { secret: [chars(ALNUM, 32)], names: ['REDIS_PASSWORD'] },
  }),
  assigned('postgres-password', [chars(charset('A-Za-z0-9!$%*_.~-'), [12, 64])], {
    keywords: [
      'pgpassword',
      'postgres_password',
      'postgresql_password',
      'mysql_root_password',
      'mysql_password',
      'mariadb_root_password',
    ],
    names: ['PGPASSWORD', 'POSTGRES_PASSWORD', 'MYSQL_ROOT_PASSWORD'],
    sample: { secret: [chars(ALNUM, 24)], names: ['PGPASSWORD', 'POSTGRES_PASSWORD', 'MYSQL_ROOT_PASSWORD'] },
  }),
  assigned('firebase-secret', [chars(ALNUM, 40)], {
    keywords: ['firebase'],
    name: 'firebase[\\w.-]{0,20}?(?:secret|token)',
    names: ['FIREBASE_TOKEN', 'FIREBASE_DATABASE_SECRET'],
  }),
  assigned('pinata-jwt-secret', [chars(HEX, 64)], {
    keywords: ['pinata'],
    names: ['PINATA_SECRET_API_KEY'],
  }),
];
