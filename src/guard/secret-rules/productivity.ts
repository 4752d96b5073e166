import { withCrc32Hex } from './checksum.ts';
import {
  ALNUM,
  assigned,
  BASE64URL,
  chars,
  charset,
  DIGIT,
  HEX,
  LOWER_ALNUM,
  oneOf,
  prefixed,
  type SecretRule,
  UUID,
} from './rule.ts';

const ATLASSIAN_BODY = chars(charset('A-Za-z0-9_=-'), [150, Infinity]);

/** Work tools: issue trackers, docs, design, forms, CRM, file storage, maps. */
export const PRODUCTIVITY_RULES: readonly SecretRule[] = [
  // Atlassian API tokens: `ATATT3`, a base64url body, `=` and a CRC32 in eight hex digits.
  prefixed('atlassian-api-token', ['ATATT3', ATLASSIAN_BODY], {
    sample: { secret: ['ATATT3xFfGF0', chars(BASE64URL, 170)], finish: withCrc32Hex },
  }),
  prefixed('atlassian-admin-token', ['ATCTT3', ATLASSIAN_BODY], {
    sample: { secret: ['ATCTT3xFfGN0', chars(BASE64URL, 170)], finish: withCrc32Hex },
  }),
  assigned('atlassian-legacy-token', [chars(ALNUM, 24)], {
    keywords: ['atlassian', 'jira', 'confluence'],
    name: '(?:atlassian|jira|confluence)[\\w.-]{0,20}?(?:token|password|secret)',
    names: ['JIRA_API_TOKEN', 'ATLASSIAN_TOKEN', 'confluence_password'],
  }),
  // Trello's API tokens begin `ATTA`; its API keys are 32 hex digits beside a `trello` name.
  prefixed('trello-token', ['ATTA', chars(charset('A-Fa-f0-9'), [64, 72])], {
    sample: { secret: ['ATTA', chars(HEX, 64), chars(HEX, 8)] },
  }),
  assigned('trello-api-key', [chars(HEX, 32)], {
    keywords: ['trello'],
    names: ['TRELLO_API_KEY', 'trelloKey'],
  }),
  prefixed('linear-api-key', ['lin_api_', chars(ALNUM, 40)]),
  prefixed('linear-oauth-token', ['lin_oauth_', chars(HEX, 64)]),
  prefixed('notion-token', [oneOf('secret_', 'ntn_'), chars(ALNUM, [43, 46])], {
    sample: { secret: [oneOf('secret_', 'ntn_'), chars(DIGIT, 11), chars(ALNUM, 35)] },
  }),
  prefixed('postman-api-key', ['PMAK-', chars(HEX, 24), '-', chars(HEX, 34)]),
  assigned(
    'asana-pat',
    [oneOf('1/', '2/'), chars(DIGIT, [10, 16]), oneOf(':', '/'), chars(charset('0-9a-f:'), [32, 50])],
    {
      keywords: ['asana'],
      names: ['ASANA_ACCESS_TOKEN', 'asanaPat'],
      sample: {
        secret: ['2/', chars(DIGIT, 16), '/', chars(DIGIT, 16), ':', chars(HEX, 32)],
        names: ['ASANA_ACCESS_TOKEN'],
      },
    },
  ),
  prefixed('figma-token', ['figd_', chars(BASE64URL, [40, 43])]),
  prefixed('typeform-token', ['tfp_', chars(charset('A-Za-z0-9_.=-'), 59)], {
    sample: { secret: ['tfp_', chars(ALNUM, 44), '_', chars(ALNUM, 14)] },
  }),
  prefixed('hubspot-private-app-token', ['pat-', oneOf('na1', 'eu1', 'na2', 'ap1'), '-', ...UUID]),
  assigned('hubspot-api-key', UUID, {
    keywords: ['hubspot', 'hapikey'],
    names: ['HUBSPOT_API_KEY', 'hapikey'],
  }),
  prefixed(
    'mapbox-secret-token',
    ['sk.eyJ', chars(BASE64URL, [50, Infinity]), '.', chars(BASE64URL, [20, Infinity])],
    {
      sample: { secret: ['sk.eyJ1Ijoi', chars(BASE64URL, 50), '.', chars(BASE64URL, 22)] },
    },
  ),
  prefixed('dropbox-short-lived-token', ['sl.', chars(charset('A-Za-z0-9_.-'), [130, Infinity])], {
    sample: { secret: ['sl.', oneOf('', 'u.'), chars(BASE64URL, [135, 200])] },
  }),
  assigned('dropbox-long-lived-token', [chars(ALNUM, 11), 'AAAAAAAAAA', chars(BASE64URL, 43)], {
    keywords: ['dropbox'],
    names: ['DROPBOX_ACCESS_TOKEN', 'dropboxToken'],
  }),
  assigned('box-developer-token', [chars(ALNUM, 32)], {
    keywords: ['box_developer_token', 'box_client_secret', 'box-client-secret'],
    names: ['BOX_DEVELOPER_TOKEN', 'BOX_CLIENT_SECRET'],
  }),
  assigned(
    'monday-api-token',
    ['eyJhbGciOiJIUzI1NiJ9.', chars(BASE64URL, [100, 300]), '.', chars(BASE64URL, 43)],
    {
      keywords: ['monday'],
      names: ['MONDAY_API_TOKEN'],
    },
  ),
  prefixed('clickup-token', ['pk_', chars(DIGIT, [6, 12]), '_', chars(charset('A-Z0-9'), 32)]),
  prefixed('readme-api-key', ['rdme_', chars(LOWER_ALNUM, 70)]),
  prefixed('frameio-token', ['fio-u-', chars(charset('A-Za-z0-9_=-'), 64)], {
    sample: { secret: ['fio-u-', chars(BASE64URL, 64)] },
  }),
  assigned('miro-token', [chars(BASE64URL, 27)], {
    keywords: ['miro'],
    names: ['MIRO_ACCESS_TOKEN'],
    sample: { secret: [chars(ALNUM, 27)], names: ['MIRO_ACCESS_TOKEN'] },
  }),
  assigned('calendly-token', ['eyJraWQiOiI', chars(charset('A-Za-z0-9_.-'), [200, 900])], {
    keywords: ['calendly'],
    names: ['CALENDLY_TOKEN'],
  }),
  assigned('segment-write-key', [chars(ALNUM, 32)], {
    keywords: ['segment'],
    name: 'segment[\\w.-]{0,20}?(?:write[_-]?key|token|secret)',
    names: ['SEGMENT_WRITE_KEY', 'segmentWriteKey'],
  }),
  assigned('mixpanel-api-secret', [chars(HEX, 32)], {
    keywords: ['mixpanel'],
    name: 'mixpanel[\\w.-]{0,20}?(?:secret|token)',
    names: ['MIXPANEL_API_SECRET', 'MIXPANEL_SECRET'],
  }),
  assigned('amplitude-secret-key', [chars(HEX, 32)], {
    keywords: ['amplitude'],
    name: 'amplitude[\\w.-]{0,20}?secret',
    names: ['AMPLITUDE_SECRET_KEY'],
  }),
  assigned('lokalise-token', [chars(HEX, 40)], {
    keywords: ['lokalise'],
    names: ['LOKALISE_API_TOKEN'],
  }),
  assigned('crowdin-token', [chars(HEX, 80)], {
    keywords: ['crowdin'],
    names: ['CROWDIN_PERSONAL_TOKEN'],
  }),
  assigned('beamer-api-key', ['b_', chars(charset('A-Za-z0-9=_-'), 44)], {
    keywords: ['beamer'],
    names: ['BEAMER_API_KEY'],
    sample: { secret: ['b_', chars(ALNUM, 43), '='], names: ['BEAMER_API_KEY'] },
  }),
  assigned('freshbooks-token', [chars(HEX, 64)], {
    keywords: ['freshbooks'],
    names: ['FRESHBOOKS_ACCESS_TOKEN'],
  }),
  assigned('freshdesk-api-key', [chars(ALNUM, 20)], {
    keywords: ['freshdesk'],
    names: ['FRESHDESK_API_KEY'],
  }),
  assigned('squarespace-token', UUID, {
    keywords: ['squarespace'],
    names: ['SQUARESPACE_API_KEY'],
  }),
  assigned('etsy-api-key', [chars(LOWER_ALNUM, 24)], {
    keywords: ['etsy'],
    names: ['ETSY_API_KEY', 'etsyKeystring'],
  }),
  assigned('nytimes-api-key', [chars(ALNUM, 32)], {
    keywords: ['nytimes', 'new-york-times', 'nyt_api'],
    names: ['NYTIMES_API_KEY', 'NYT_API_KEY'],
  }),
  prefixed('maxmind-license-key', [chars(ALNUM, 6), '_', chars(ALNUM, 29), '_mmk'], { keywords: ['_mmk'] }),
  assigned('rapidapi-key', [chars(BASE64URL, 50)], {
    keywords: ['rapidapi', 'x-rapidapi-key'],
    names: ['RAPIDAPI_KEY', 'X-RapidAPI-Key'],
    sample: { secret: [chars(ALNUM, 50)], names: ['X-RapidAPI-Key'] },
  }),
  assigned('looker-client-secret', [chars(ALNUM, 24)], {
    keywords: ['looker'],
    names: ['LOOKERSDK_CLIENT_SECRET', 'looker_client_secret'],
  }),
  assigned('docusign-secret', UUID, {
    keywords: ['docusign'],
    names: ['DOCUSIGN_CLIENT_SECRET', 'DOCUSIGN_SECRET_KEY'],
  }),
  assigned('openweather-api-key', [chars(HEX, 32)], {
    keywords: ['openweather', 'owm_api'],
    names: ['OPENWEATHER_API_KEY', 'OWM_API_KEY'],
  }),
];
