import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRedactor, secretsInDotenv, secretsInEnv } from './redactor.ts';

test('secrets found by their shape are replaced by stable placeholders', () => {
  const r = createRedactor();
  const cases: Array<[string, RegExp, string]> = [
    ['key AKIAIOSFODNN7EXAMPLE here', /key «secret:aws-access-key#1» here/, 'AKIAIOSFODNN7EXAMPLE'],
    [
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      /«secret:aws-secret-key#1»/,
      'wJalrXUtnFEMI',
    ],
    [`token ghp_${'a1B2'.repeat(9)}`, /token «secret:github-token#1»/, 'ghp_'],
    ['use sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123', /«secret:anthropic-key#1»/, 'sk-ant-api03'],
    ['OPENAI sk-proj-abcdefghijklmnopqrstuvwx12', /«secret:openai-key#1»/, 'sk-proj-'],
    ['postgres://app:s3cr3tpass@db:5432/x', /postgres:\/\/app:«secret:url-password#1»@db/, 's3cr3tpass'],
    [
      'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      /jwt «secret:jwt#1»/,
      'eyJzdWIi',
    ],
    [
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----',
      /^«secret:private-key#1»$/,
      'MIIEow',
    ],
    ['CLIENT_SECRET: Qm9vbGVhbi/8xYz+Trw2Lp0Kd', /«secret:assigned-secret#1»/, 'Qm9vbGVhbi'],
    ['API_TOKEN=Zx8qLm2Pw9Rt4Yv7Bn3K', /API_TOKEN=«secret:assigned-secret#2»/, 'Zx8qLm2Pw9Rt4Yv7Bn3K'],
  ];
  for (const [input, expected, secretPart] of cases) {
    const out = r.redact(input);
    assert.match(out, expected, input);
    assert.ok(!out.includes(secretPart), `${input} → ${out}`);
  }
  assert.equal(
    r.redact('again AKIAIOSFODNN7EXAMPLE'),
    'again «secret:aws-access-key#1»',
    'the same secret, the same placeholder',
  );
});

test('ordinary text is left alone', () => {
  const r = createRedactor();
  for (const text of [
    'password_reset_url = /account/password/reset',
    'const token = getToken();',
    'see https://example.com/path:8080',
    'function apiKeyFromEnvironment() {}',
    'sk-learn is a library',
    // File names and paths are not keys, nor is the next line of a grep listing.
    "export const PRIVATE_KEY_FILE = 'audit-ed25519.pem';",
    'auth_config: lib/v2/handlers/index',
    "case 'secret.use':\nsrc/module123.ts:141:      return name;",
  ]) {
    assert.equal(r.redact(text), text);
  }
});

test('known values are replaced exactly, wherever they appear, longest first', () => {
  const r = createRedactor();
  r.addKnown([
    ...secretsInEnv({ OPENAI_API_KEY: 'plain-looking-value-123', PATH: '/usr/bin', SHORT_TOKEN: 'abc' }),
    ...secretsInDotenv('# comment\nDB_PASS="hunter2hunter2"\nexport NAME=plainvalue99\nEMPTY=\n'),
  ]);
  const out = r.redact('key=plain-looking-value-123 pass hunter2hunter2 name plainvalue99 /usr/bin abc');
  assert.equal(
    out,
    'key=«secret:openai-api-key#1» pass «secret:env-file#1» name «secret:env-file#2» /usr/bin abc',
  );
});

test('redactValue walks JSON-like values', () => {
  const r = createRedactor();
  const value = { a: ['AKIAIOSFODNN7EXAMPLE', 3], b: { c: 'x' }, d: null };
  assert.deepEqual(r.redactValue(value), { a: ['«secret:aws-access-key#1»', 3], b: { c: 'x' }, d: null });
});

test('redactValue redacts object keys as well as values', () => {
  const r = createRedactor();
  const token = `ghp_${'k3Y'.repeat(12)}`;
  const out = r.redactValue({ [token]: 'v', nested: { [`x ${token}`]: [{ [token]: 1 }] } });
  assert.ok(!JSON.stringify(out).includes(token), JSON.stringify(out));
  assert.deepEqual(Object.keys(out), ['«secret:github-token#1»', 'nested']);
});

test('Authorization headers are redacted in every form git, curl and HTTP write them', () => {
  const basic = Buffer.from(`x-access-token:ghs_${'Q7w'.repeat(12)}`).toString('base64');
  const cases: Array<[string, string]> = [
    [`\textraheader = AUTHORIZATION: basic ${basic}`, basic],
    ['Authorization: Bearer abcDEF1234567890xyzQRS', 'abcDEF1234567890xyzQRS'],
    ['curl -H "authorization: token s3cr3tValue99zz" https://x', 's3cr3tValue99zz'],
    ['Proxy-Authorization: Basic dXNlcjpwYXNzd29yZDEyMw==', 'dXNlcjpwYXNzd29yZDEyMw=='],
    ['{"Authorization":"Bearer eyQ29tcGxleFRva2VuMTIz"}', 'eyQ29tcGxleFRva2VuMTIz'],
    ['header value: Bearer 9f8e7d6c5b4a3210ZZYYxx', '9f8e7d6c5b4a3210ZZYYxx'],
  ];
  for (const [input, secret] of cases) {
    const out = createRedactor().redact(input);
    assert.ok(!out.includes(secret), `${input} → ${out}`);
    assert.match(out, /«secret:authorization-header#1»/, input);
  }
  for (const prose of ['use basic authentication over https', 'a bearer token is sent by the client']) {
    assert.equal(createRedactor().redact(prose), prose);
  }
});
