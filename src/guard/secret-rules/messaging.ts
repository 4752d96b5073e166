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
  UPPER_ALNUM,
  UUID,
  WORD,
} from './rule.ts';

const SLACK_BODY = chars(charset('A-Za-z0-9-'), [10, Infinity]);
const slackIds = [chars(DIGIT, [10, 13]), '-', chars(DIGIT, [10, 13]), '-'];

/** Chat, email, SMS and voice: Slack, Discord, Telegram, Teams, Twilio, SendGrid, Mailgun, … */
export const MESSAGING_RULES: readonly SecretRule[] = [
  // Slack's token types (api.slack.com/concepts/token-types).
  prefixed('slack-bot-token', ['xoxb-', SLACK_BODY], {
    sample: { secret: ['xoxb-', ...slackIds, chars(ALNUM, 24)] },
  }),
  prefixed('slack-user-token', ['xoxp-', SLACK_BODY], {
    sample: { secret: ['xoxp-', ...slackIds, chars(DIGIT, 13), '-', chars(HEX, 32)] },
  }),
  prefixed('slack-app-token', ['xapp-', SLACK_BODY], {
    sample: { secret: ['xapp-1-A', chars(UPPER_ALNUM, 10), '-', chars(DIGIT, 13), '-', chars(HEX, 64)] },
  }),
  prefixed('slack-config-token', ['xoxe.xox', oneOf('b', 'p'), '-', SLACK_BODY], {
    keywords: ['xoxe.xox'],
    sample: { secret: ['xoxe.xoxp-1-', chars(ALNUM, 163)] },
  }),
  prefixed('slack-config-refresh-token', ['xoxe-', SLACK_BODY], {
    sample: { secret: ['xoxe-1-', chars(ALNUM, 146)] },
  }),
  prefixed('slack-token', ['xox', oneOf('a', 'o', 's', 'r'), '-', SLACK_BODY], {
    keywords: ['xoxa-', 'xoxo-', 'xoxs-', 'xoxr-'],
    sample: { secret: ['xox', oneOf('a', 'o', 's', 'r'), '-2-', chars(DIGIT, 11), '-', chars(ALNUM, 24)] },
  }),
  prefixed(
    'slack-webhook',
    [
      'https://hooks.slack.com/',
      oneOf('services', 'workflows', 'triggers'),
      '/',
      chars(charset('A-Za-z0-9+/_-'), [20, Infinity]),
    ],
    {
      keywords: ['hooks.slack.com'],
      sample: {
        secret: [
          'https://hooks.slack.com/services/T',
          chars(UPPER_ALNUM, 10),
          '/B',
          chars(UPPER_ALNUM, 10),
          '/',
          chars(ALNUM, 24),
        ],
      },
    },
  ),
  prefixed(
    'discord-webhook',
    [
      'https://',
      oneOf('', 'ptb.', 'canary.'),
      'discord',
      oneOf('', 'app'),
      '.com/api/webhooks/',
      chars(DIGIT, [17, 20]),
      '/',
      chars(BASE64URL, [60, 68]),
    ],
    {
      keywords: ['discord.com/api/webhooks', 'discordapp.com/api/webhooks'],
    },
  ),
  assigned(
    'discord-bot-token',
    [
      chars(charset('MNO'), 1),
      chars(BASE64URL, [23, 25]),
      '.',
      chars(BASE64URL, 6),
      '.',
      chars(BASE64URL, [27, 38]),
    ],
    {
      keywords: ['discord'],
      names: ['DISCORD_BOT_TOKEN', 'discordToken', 'DISCORD_TOKEN'],
    },
  ),
  assigned('discord-client-secret', [chars(BASE64URL, 32)], {
    keywords: ['discord'],
    name: 'discord[\\w.-]{0,20}?secret',
    names: ['DISCORD_CLIENT_SECRET', 'discordClientSecret'],
  }),
  prefixed('telegram-bot-token', [chars(DIGIT, [8, 10]), ':AA', chars(BASE64URL, 33)], {
    keywords: [':aa'],
  }),
  prefixed(
    'teams-webhook',
    [
      'https://',
      chars(charset('a-z0-9-'), [1, 40]),
      '.webhook.office.com/webhookb2/',
      ...UUID,
      '@',
      ...UUID,
      '/IncomingWebhook/',
      chars(ALNUM, 32),
      '/',
      ...UUID,
      chars(charset('/A-Za-z0-9_-'), [0, 60]),
    ],
    {
      keywords: ['webhook.office.com'],
      sample: {
        secret: [
          'https://acme.webhook.office.com/webhookb2/',
          ...UUID,
          '@',
          ...UUID,
          '/IncomingWebhook/',
          chars(ALNUM, 32),
          '/',
          ...UUID,
        ],
      },
    },
  ),
  prefixed(
    'zapier-webhook',
    ['https://hooks.zapier.com/hooks/catch/', chars(DIGIT, [5, 12]), '/', chars(LOWER_ALNUM, [5, 12]), '/'],
    {
      keywords: ['hooks.zapier.com'],
    },
  ),
  prefixed(
    'ifttt-webhook-key',
    [
      'https://maker.ifttt.com/trigger/',
      chars(charset('A-Za-z0-9_-'), [1, 40]),
      '/with/key/',
      chars(BASE64URL, 22),
    ],
    {
      keywords: ['maker.ifttt.com'],
    },
  ),
  assigned('twilio-api-secret', [chars(ALNUM, 32)], {
    keywords: ['twilio'],
    name: 'twilio[\\w.-]{0,20}?secret',
    names: ['TWILIO_API_SECRET', 'twilioApiSecret'],
  }),
  assigned('twilio-auth-token', [chars(HEX, 32)], {
    keywords: ['twilio'],
    names: ['TWILIO_AUTH_TOKEN', 'twilio.authToken', 'twilio_token'],
  }),
  prefixed('sendgrid-api-key', ['SG.', chars(BASE64URL, 22), '.', chars(BASE64URL, 43)]),
  prefixed('mailgun-api-key', ['key-', chars(HEX, 32)]),
  prefixed('mailgun-public-key', ['pubkey-', chars(HEX, 32)]),
  assigned('mailgun-sending-key', [chars(HEX, 32), '-', chars(HEX, 8), '-', chars(HEX, 8)], {
    keywords: ['mailgun'],
    names: ['MAILGUN_API_KEY', 'MAILGUN_SENDING_KEY', 'mailgunKey'],
  }),
  assigned('mailgun-webhook-signing-key', [chars(HEX, 32)], {
    keywords: ['mailgun'],
    names: ['MAILGUN_WEBHOOK_SIGNING_KEY', 'mailgun_signing_key'],
  }),
  prefixed('mailchimp-api-key', [chars(HEX, 32), '-us', chars(DIGIT, [1, 2])], { keywords: ['-us'] }),
  assigned('mandrill-api-key', [chars(BASE64URL, 22)], {
    keywords: ['mandrill'],
    names: ['MANDRILL_API_KEY', 'mandrillKey'],
    sample: { secret: ['md-', chars(BASE64URL, 19)], names: ['MANDRILL_API_KEY'] },
  }),
  assigned('postmark-server-token', UUID, {
    keywords: ['postmark'],
    names: ['POSTMARK_SERVER_TOKEN', 'POSTMARK_API_TOKEN', 'postmarkToken'],
  }),
  prefixed('brevo-api-key', [oneOf('xkeysib-', 'xsmtpsib-'), chars(HEX, 64), '-', chars(ALNUM, 16)]),
  assigned('resend-api-key', [chars(WORD, [30, 40])], {
    keywords: ['resend'],
    names: ['RESEND_API_KEY'],
    sample: { secret: ['re_', chars(ALNUM, 8), '_', chars(ALNUM, 24)], names: ['RESEND_API_KEY'] },
  }),
  assigned('mattermost-token', [chars(LOWER_ALNUM, 26)], {
    keywords: ['mattermost'],
    names: ['MATTERMOST_TOKEN', 'mattermostAccessToken'],
  }),
  assigned('messagebird-api-key', [chars(ALNUM, 25)], {
    keywords: ['messagebird', 'message-bird', 'message_bird'],
    names: ['MESSAGEBIRD_API_KEY', 'messagebirdAccessKey'],
  }),
  prefixed('intercom-access-token', ['dG9rO', chars(charset('A-Za-z0-9+/=_-'), [50, Infinity])], {
    sample: { secret: ['dG9rO', chars(ALNUM, 55), '='] },
  }),
  assigned('zendesk-api-token', [chars(ALNUM, 40)], {
    keywords: ['zendesk'],
    names: ['ZENDESK_API_TOKEN', 'zendeskToken'],
  }),
  assigned('sendbird-api-token', [chars(HEX, 40)], {
    keywords: ['sendbird'],
    names: ['SENDBIRD_API_TOKEN', 'sendbirdToken'],
  }),
  assigned('gitter-token', [chars(HEX, 40)], {
    keywords: ['gitter'],
    names: ['GITTER_TOKEN'],
  }),
  assigned('twitch-oauth-token', [chars(LOWER_ALNUM, 30)], {
    keywords: ['twitch'],
    names: ['TWITCH_OAUTH_TOKEN', 'twitchClientSecret'],
  }),
  assigned('vonage-api-secret', [chars(ALNUM, 16)], {
    keywords: ['vonage', 'nexmo'],
    names: ['VONAGE_API_SECRET', 'NEXMO_API_SECRET'],
  }),
  assigned('plivo-auth-token', [chars(ALNUM, 40)], {
    keywords: ['plivo'],
    names: ['PLIVO_AUTH_TOKEN'],
  }),
  assigned('pusher-secret', [chars(HEX, 20)], {
    keywords: ['pusher'],
    names: ['PUSHER_APP_SECRET', 'pusherSecret'],
  }),
  assigned('ably-api-key', [chars(BASE64URL, 6), '.', chars(BASE64URL, 6), ':', chars(BASE64URL, 43)], {
    keywords: ['ably'],
    names: ['ABLY_API_KEY', 'ablyKey'],
  }),
  assigned('zoom-client-secret', [chars(ALNUM, 32)], {
    keywords: ['zoom'],
    name: 'zoom[\\w.-]{0,20}?(?:secret|token)',
    names: ['ZOOM_CLIENT_SECRET', 'zoomSecretToken'],
  }),
  assigned('onesignal-api-key', [chars(WORD, [48, 120])], {
    keywords: ['onesignal'],
    names: ['ONESIGNAL_REST_API_KEY'],
    sample: { secret: ['os_v2_app_', chars(charset('a-z2-7'), 100)], names: ['ONESIGNAL_REST_API_KEY'] },
  }),
];
