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

const LIVE_OR_TEST = oneOf('live_', 'test_');
const KEY_CHARS = charset('A-Za-z0-9_=-');

/** Payments, commerce, shipping and crypto exchanges. */
export const PAYMENT_RULES: readonly SecretRule[] = [
  // Paystack's secret keys share Stripe's prefix but are 40 hex digits; Stripe's are longer.
  prefixed('paystack-secret-key', [oneOf('sk_live_', 'sk_test_'), chars(HEX, 40)]),
  prefixed(
    'stripe-key',
    [oneOf('sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'), chars(ALNUM, [16, Infinity])],
    {
      sample: { secret: [oneOf('sk_live_', 'rk_live_', 'sk_test_'), chars(ALNUM, 99)] },
    },
  ),
  prefixed('stripe-webhook-secret', ['whsec_', chars(BASE64, [32, Infinity])], {
    sample: { secret: ['whsec_', chars(ALNUM, 32)] },
  }),
  prefixed('square-access-token', ['EAAA', chars(BASE64URL, 60)]),
  prefixed('square-legacy-access-token', ['sq0atp-', chars(BASE64URL, 22)]),
  prefixed('square-oauth-secret', ['sq0csp-', chars(BASE64URL, 43)]),
  prefixed(
    'braintree-access-token',
    ['access_token$', oneOf('production', 'sandbox'), '$', chars(LOWER_ALNUM, 16), '$', chars(HEX, 32)],
    {
      keywords: ['access_token$production$', 'access_token$sandbox$'],
    },
  ),
  assigned('paypal-client-secret', [chars(BASE64URL, 80)], {
    keywords: ['paypal'],
    name: 'paypal[\\w.-]{0,20}?secret',
    names: ['PAYPAL_CLIENT_SECRET', 'paypalSecret'],
  }),
  prefixed('shopify-access-token', ['shpat_', chars(charset('a-fA-F0-9'), 32)]),
  prefixed('shopify-custom-app-token', ['shpca_', chars(charset('a-fA-F0-9'), 32)]),
  prefixed('shopify-private-app-token', ['shppa_', chars(charset('a-fA-F0-9'), 32)]),
  prefixed('shopify-shared-secret', ['shpss_', chars(charset('a-fA-F0-9'), 32)]),
  prefixed('plaid-access-token', ['access-', oneOf('sandbox', 'development', 'production'), '-', ...UUID], {
    keywords: ['access-sandbox-', 'access-development-', 'access-production-'],
  }),
  assigned('plaid-secret', [chars(HEX, 30)], {
    keywords: ['plaid'],
    names: ['PLAID_SECRET', 'plaidSecretKey'],
  }),
  prefixed('flutterwave-secret-key', [oneOf('FLWSECK_TEST-', 'FLWSECK-'), chars(HEX, 32), '-X']),
  prefixed('flutterwave-public-key', [oneOf('FLWPUBK_TEST-', 'FLWPUBK-'), chars(HEX, 32), '-X']),
  prefixed('flutterwave-encryption-key', [oneOf('FLWSECK_TEST', 'FLWSECK'), chars(HEX, 12)]),
  assigned('razorpay-key-secret', [chars(ALNUM, 24)], {
    keywords: ['razorpay'],
    names: ['RAZORPAY_KEY_SECRET', 'razorpaySecret'],
  }),
  prefixed('mollie-api-key', [LIVE_OR_TEST, chars(ALNUM, 30)]),
  prefixed('lob-api-key', [LIVE_OR_TEST, chars(HEX, 35)]),
  prefixed('lob-publishable-key', [oneOf('live_pub_', 'test_pub_'), chars(HEX, 31)]),
  prefixed('gocardless-access-token', [LIVE_OR_TEST, chars(KEY_CHARS, 40)], {
    sample: { secret: [LIVE_OR_TEST, chars(ALNUM, 40)] },
  }),
  prefixed('adyen-api-key', ['AQE', chars(charset('A-Za-z0-9+/_=.-'), [100, Infinity])], {
    sample: { secret: ['AQE', chars(ALNUM, 3), '.', chars(BASE64URL, [150, 200])] },
  }),
  prefixed(
    'paddle-api-key',
    ['pdl_', oneOf('live', 'sdbx'), '_apikey_', chars(charset('A-Za-z0-9_'), [40, Infinity])],
    {
      sample: {
        secret: ['pdl_live_apikey_', chars(LOWER_ALNUM, 26), '_', chars(ALNUM, 22), '_', chars(ALNUM, 3)],
      },
    },
  ),
  prefixed('shippo-api-token', ['shippo_', LIVE_OR_TEST, chars(HEX, 40)]),
  prefixed('easypost-api-key', [oneOf('EZAK', 'EZTK'), chars(ALNUM, 54)]),
  prefixed('duffel-api-token', ['duffel_', LIVE_OR_TEST, chars(KEY_CHARS, 43)], {
    sample: { secret: ['duffel_', LIVE_OR_TEST, chars(ALNUM, 43)] },
  }),
  prefixed('woocommerce-consumer-secret', ['cs_', chars(HEX, 40)]),
  prefixed('woocommerce-consumer-key', ['ck_', chars(HEX, 40)]),
  assigned('checkout-secret-key', [chars(LOWER_ALNUM, 26)], {
    keywords: ['checkout_secret', 'cko_secret', 'checkout-secret'],
    names: ['CHECKOUT_SECRET_KEY', 'CKO_SECRET_KEY'],
    sample: { secret: [chars(LOWER_ALNUM, 26)], names: ['CHECKOUT_SECRET_KEY'] },
  }),
  assigned('coinbase-api-secret', [chars(BASE64URL, [32, 88])], {
    keywords: ['coinbase'],
    name: 'coinbase[\\w.-]{0,20}?(?:secret|token|key)',
    names: ['COINBASE_API_SECRET', 'coinbaseAccessToken'],
    sample: { secret: [chars(ALNUM, 64)], names: ['COINBASE_API_SECRET'] },
  }),
  assigned('kraken-private-key', [chars(charset('A-Za-z0-9+/='), [80, 90])], {
    keywords: ['kraken'],
    names: ['KRAKEN_PRIVATE_KEY', 'KRAKEN_API_SECRET'],
    sample: { secret: [chars(BASE64, 86), '=='], names: ['KRAKEN_PRIVATE_KEY'] },
  }),
  assigned('kucoin-api-secret', UUID, {
    keywords: ['kucoin'],
    names: ['KUCOIN_API_SECRET', 'kucoinSecret'],
  }),
  assigned('binance-api-secret', [chars(ALNUM, 64)], {
    keywords: ['binance'],
    names: ['BINANCE_API_SECRET', 'BINANCE_SECRET_KEY'],
  }),
  assigned('bittrex-api-secret', [chars(ALNUM, 32)], {
    keywords: ['bittrex'],
    names: ['BITTREX_API_SECRET'],
  }),
  assigned('finicity-client-secret', [chars(ALNUM, 20)], {
    keywords: ['finicity'],
    names: ['FINICITY_APP_SECRET', 'finicityClientSecret'],
  }),
  assigned('wise-api-token', UUID, {
    keywords: ['transferwise', 'wise_api', 'wise-api'],
    names: ['WISE_API_TOKEN', 'TRANSFERWISE_API_TOKEN'],
  }),
];
