import {
  ALNUM,
  assigned,
  BASE64URL,
  chars,
  charset,
  DIGIT,
  HEX,
  oneOf,
  prefixed,
  type SecretRule,
} from './rule.ts';

/** Identity providers and social platforms' developer credentials. */
export const IDENTITY_RULES: readonly SecretRule[] = [
  {
    // Okta API tokens are `00` and 40 more; they travel as `Authorization: SSWS <token>`.
    id: 'okta-api-token',
    anchored: true,
    keywords: ['okta', 'ssws'],
    pattern:
      /(?:(?i:okta)[\w.-]{0,40}?(?:\\?["'\x60])?[ \t]{0,4}(?:[:=]{1,3}>?|[ \t])[ \t]{0,4}(?:\\?["'\x60])?|SSWS[ \t]+)(?<![A-Za-z0-9_-])(?<secret>00[A-Za-z0-9_-]{40})(?![A-Za-z0-9_-])/g,
    sample: { secret: ['00', chars(BASE64URL, 40)], names: ['OKTA_API_TOKEN', 'okta.client.token'] },
  },
  assigned('auth0-client-secret', [chars(BASE64URL, 64)], {
    keywords: ['auth0'],
    name: 'auth0[\\w.-]{0,20}?(?:secret|token)',
    names: ['AUTH0_CLIENT_SECRET', 'auth0ClientSecret'],
  }),
  prefixed('stytch-secret', [oneOf('secret-live-', 'secret-test-'), chars(BASE64URL, [30, 40])], {
    sample: { secret: [oneOf('secret-live-', 'secret-test-'), chars(BASE64URL, 36)] },
  }),
  prefixed('facebook-access-token', ['EAA', chars(ALNUM, [90, Infinity])], {
    sample: { secret: ['EAA', oneOf('B', 'G', 'J', 'I'), chars(ALNUM, [150, 220])] },
  }),
  assigned('facebook-app-secret', [chars(HEX, 32)], {
    keywords: ['facebook', 'fb_app_secret', 'fb_secret'],
    names: ['FACEBOOK_APP_SECRET', 'FB_APP_SECRET'],
  }),
  // X/Twitter's app-only bearer tokens begin with a run of `A`s (a zero-padded app id).
  prefixed('twitter-bearer-token', ['AAAAAAAAAAAAAAAAAAAAA', chars(charset('A-Za-z0-9%'), [40, Infinity])], {
    sample: { secret: ['AAAAAAAAAAAAAAAAAAAAA', chars(ALNUM, 20), '%3D', chars(ALNUM, 50)] },
  }),
  assigned('twitter-api-secret', [chars(ALNUM, 50)], {
    keywords: ['twitter', 'x_api_secret', 'consumer_secret'],
    names: ['TWITTER_API_SECRET', 'TWITTER_CONSUMER_SECRET', 'X_API_SECRET'],
  }),
  assigned('twitter-access-token', [chars(DIGIT, [15, 25]), '-', chars(ALNUM, [20, 50])], {
    keywords: ['twitter'],
    names: ['TWITTER_ACCESS_TOKEN'],
  }),
  assigned('linkedin-client-secret', [chars(ALNUM, 16)], {
    keywords: ['linkedin'],
    names: ['LINKEDIN_CLIENT_SECRET'],
  }),
  prefixed('adobe-client-secret', ['p8e-', chars(BASE64URL, 32)]),
  assigned('adobe-client-id', [chars(HEX, 32)], {
    keywords: ['adobe'],
    names: ['ADOBE_CLIENT_ID', 'adobeApiKey'],
  }),
  assigned('spotify-client-secret', [chars(HEX, 32)], {
    keywords: ['spotify'],
    names: ['SPOTIFY_CLIENT_SECRET'],
  }),
  assigned('microsoft-app-password', [chars(charset('A-Za-z0-9_~.-'), [32, 44])], {
    keywords: ['microsoftapppassword', 'microsoft_app_password', 'bot_password'],
    names: ['MicrosoftAppPassword', 'MICROSOFT_APP_PASSWORD'],
    sample: { secret: [chars(ALNUM, 40)], names: ['MicrosoftAppPassword'] },
  }),
  assigned(
    'apple-app-specific-password',
    [
      chars(charset('a-z'), 4),
      '-',
      chars(charset('a-z'), 4),
      '-',
      chars(charset('a-z'), 4),
      '-',
      chars(charset('a-z'), 4),
    ],
    {
      keywords: [
        'app_specific_password',
        'app-specific-password',
        'fastlane_apple_application_specific_password',
      ],
      names: ['FASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD', 'APP_SPECIFIC_PASSWORD'],
      wordLike: true,
      minEntropy: 2.5,
    },
  ),
];
