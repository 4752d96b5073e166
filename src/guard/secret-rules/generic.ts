import { looksRandom } from './randomness.ts';
import {
  ALNUM,
  BASE64,
  BASE64URL,
  chars,
  charset,
  LOWER,
  LOWER_ALNUM,
  oneOf,
  type SecretRule,
} from './rule.ts';

/** A line break as it appears raw, in a JSON string (`\n`), or indented in a YAML block. */
const NL = String.raw`(?:\r?\n|(?:\\r)?\\n)[ \t]*`;
const PASSWORD = charset('A-Za-z0-9!$%*_.~-');

/** `-----BEGIN … PRIVATE KEY-----`: PKCS#1/#8, SEC1, OpenSSH, encrypted, and PGP key blocks. */
function pem(value: string): string {
  const [label = '', body = ''] = value.split('|');
  const kind = `${label}PRIVATE KEY${label === 'PGP ' ? ' BLOCK' : ''}`;
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${kind}-----\n${lines.join('\n')}\n-----END ${kind}-----`;
}

const base64url = (text: string): string => Buffer.from(text).toString('base64url');

/** Header and claims as an identity provider writes them, signed with a random 256-bit MAC. */
function jwt(value: string): string {
  const [subject = '', signature = ''] = value.split('.');
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const claims = base64url(JSON.stringify({ sub: subject, iat: 1735689600, scope: 'repo' }));
  return `${header}.${claims}.${signature}`;
}

/** Rules for secrets of no one provider, found by their form. They come after the providers'. */
export const GENERIC_RULES: readonly SecretRule[] = [
  {
    id: 'private-key',
    anchored: true,
    keywords: ['-----begin'],
    // Between the markers only base64, line breaks (raw, escaped, indented) and armor headers
    // (`Proc-Type: 4,ENCRYPTED`): code that builds a PEM from a template is not a key. The body
    // stops at another BEGIN, so a run of BEGINs without an END costs each one line.
    pattern:
      /(?<secret>-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[A-Za-z0-9+/=\s\\:,.]|-(?!----BEGIN)){0,65536}?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)/g,
    sample: {
      secret: [
        oneOf('', 'RSA ', 'EC ', 'OPENSSH ', 'ENCRYPTED ', 'DSA ', 'PGP '),
        '|',
        chars(BASE64, [200, 1700]),
      ],
      finish: pem,
    },
  },
  {
    // PuTTY's .ppk: the private lines are the key; the MAC after them is not secret.
    id: 'putty-private-key',
    anchored: true,
    keywords: ['putty-user-key-file-'],
    pattern: new RegExp(
      // The lines before are `Name: value` headers or base64 (the public key), nothing else.
      String.raw`(?<secret>PuTTY-User-Key-File-[23]: [^\r\n\\]*(?:${NL}(?:[A-Za-z-]+: [^\r\n\\]*|[A-Za-z0-9+/=]{1,64})){1,40}?${NL}Private-Lines: \d+(?:${NL}[A-Za-z0-9+/=]{1,64}(?![A-Za-z0-9+/=-]))+)`,
      'g',
    ),
    sample: {
      secret: [
        'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: ',
        chars(LOWER, [3, 12]),
        '\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAI',
        chars(BASE64, 39),
        '\n',
        chars(BASE64, 17),
        '\nPrivate-Lines: 1\nAAAAI',
        chars(BASE64, 43),
      ],
      after: ['\nPrivate-MAC: ', chars(charset('0-9a-f'), 64)],
    },
  },
  {
    id: 'jwt',
    anchored: true,
    keywords: ['eyj'],
    pattern: /(?<![A-Za-z0-9_-])(?<secret>eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})/g,
    sample: { secret: [chars(LOWER_ALNUM, [6, 24]), '.', chars(BASE64URL, 43)], finish: jwt },
  },
  {
    id: 'url-password',
    anchored: true,
    keywords: ['://'],
    // The scheme in a lookbehind, so the match begins at the keyword.
    pattern: /(?<=\b[a-z][a-z0-9+.-]*):\/\/[^\s:/@'"]+:(?<secret>[^\s@/'"]{3,})@/gi,
    sample: {
      before: [
        oneOf('postgres', 'mysql', 'redis', 'amqps', 'https', 'mongodb+srv'),
        '://',
        chars(LOWER, [3, 10]),
        ':',
      ],
      secret: [chars(PASSWORD, [8, 32])],
      after: ['@db.internal.example:5432/app'],
    },
  },
  {
    // A token as a URL's user, no password: `git+https://ghp_…@github.com/…` (pip freeze, package.json).
    id: 'url-token-user',
    anchored: true,
    keywords: ['://'],
    pattern: /(?<=\b[a-z][a-z0-9+.-]*):\/\/(?<secret>[A-Za-z0-9_-]{20,255})@/gi,
    validate: looksRandom,
    sample: {
      before: [oneOf('https', 'git+https', 'ssh'), '://'],
      secret: [chars(charset('A-Za-z0-9'), [24, 40]), '9'],
      after: ['@github.com/acme/lib.git'],
    },
  },
  {
    // `Authorization: Bearer …`, git's `AUTHORIZATION: basic <base64>`, curl's `-H "Authorization: token …"`;
    // or the scheme and value on their own, which prose also has ("basic authentication"): only random values count.
    id: 'authorization-header',
    anchored: true,
    keywords: ['authorization', 'basic', 'bearer'],
    pattern:
      /(?:(?<![A-Za-z0-9])(?i:authorization)["']?[ \t]*[:=][ \t]*["']?(?i:basic|bearer|token)[ \t]+(?<secret>[A-Za-z0-9+/_.~-]{8,}=*)|(?<![A-Za-z0-9])(?i:basic|bearer)[ \t]+(?<secret>[A-Za-z0-9+/_.~-]{16,}=*))/g,
    validate: (secret, match) => /authorization/i.test(match) || looksRandom(secret),
    sample: {
      before: [oneOf('Authorization: Bearer ', 'authorization: token ', 'Proxy-Authorization: Basic ')],
      secret: [chars(BASE64URL, [20, 60])],
    },
  },
  {
    id: 'curl-user-password',
    anchored: true,
    keywords: ['curl'],
    pattern: /\bcurl\b[^\n]{0,512}?[ \t](?:-u|--user)[ \t]*["']?[^\s:'"]+:(?<secret>[^\s'"]{3,})/g,
    sample: {
      before: ['curl -fsS -u ', chars(LOWER, [3, 10]), ':'],
      secret: [chars(PASSWORD, [8, 32])],
      after: [' https://api.example.com/v1/items'],
    },
  },
  {
    // ADO.NET, JDBC and ODBC connection strings: `Server=…;User ID=…;Password=…;`.
    id: 'connection-string-password',
    anchored: true,
    keywords: ['password=', 'pwd='],
    pattern:
      /(?<=;[ \t]*)(?i:password|pwd)=(?<secret>[^;'"\s(){},]{3,})(?=;|$|["'\s])|(?<=^|[\s"'])(?i:password|pwd)=(?<secret>[^;'"\s(){},]{3,});/g,
    sample: {
      before: ['Server=tcp:db.example.net,1433;Database=app;User ID=app;Password='],
      secret: [chars(PASSWORD, [8, 32])],
      after: [';Encrypt=True'],
    },
  },
  {
    // Docker's config.json keeps registry logins as base64 `user:password` (escaped quotes: one inside a string).
    id: 'docker-config-auth',
    anchored: true,
    keywords: ['"auth'],
    pattern: /\\?"auth\\?"[ \t]*:[ \t]*\\?"(?<secret>[A-Za-z0-9+/]{12,}={0,2})\\?"/g,
    validate: (secret) => Buffer.from(secret, 'base64').toString('latin1').includes(':'),
    sample: {
      before: ['{"auths":{"registry.example.com":{"auth":"'],
      secret: [chars(LOWER_ALNUM, [4, 12]), ':', chars(ALNUM, [16, 40])],
      finish: (value) => Buffer.from(value).toString('base64'),
      after: ['"}}}'],
    },
  },
  {
    id: 'npmrc-credential',
    anchored: true,
    keywords: ['_auth', '_password'],
    // `//registry/:_authToken=…` or `_auth=…` on a line of its own; `${NPM_TOKEN}` is a reference.
    pattern:
      /(?<=^|[:=\s"'])(?:_authToken|_auth|_password)[ \t]*=[ \t]*["']?(?<secret>[A-Za-z0-9+/=_.~-]{8,})/g,
    sample: {
      before: [oneOf('//npm.pkg.example.com/:_authToken=', '//registry.example.com/:_password=', '_auth=')],
      secret: [chars(BASE64, [20, 60])],
    },
  },
  {
    // Maven's settings.xml and other XML configs.
    id: 'xml-password',
    anchored: true,
    keywords: ['<password>'],
    pattern: /<password>(?<secret>[^<\s]{4,})<\/password>/g,
    sample: {
      before: ['<server><id>releases</id><username>deploy</username><password>'],
      secret: [chars(PASSWORD, [8, 32])],
      after: ['</password></server>'],
    },
  },
  {
    id: 'wireguard-private-key',
    anchored: true,
    keywords: ['privatekey'],
    pattern: /(?<![A-Za-z0-9])(?i:privatekey)[ \t]*=[ \t]*(?<secret>[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=)/g,
    sample: {
      before: ['PrivateKey = '],
      secret: [chars(BASE64, 42), oneOf(...'AEIMQUYcgkosw048'), '='],
    },
  },
  {
    id: 'assigned-secret',
    anchored: true,
    keywords: [
      'secret',
      'token',
      'passwd',
      'password',
      'apikey',
      'api_key',
      'api-key',
      'accesskey',
      'access_key',
      'access-key',
      'privatekey',
      'private_key',
      'private-key',
      'auth',
    ],
    pattern:
      /(?i:secret|token|passwd|password|api[_-]?key|access[_-]?key|private[_-]?key|auth)[A-Za-z0-9_.-]{0,64}["']?[ \t]*[:=][ \t]*["']?(?<secret>[A-Za-z0-9/+_\-.=]{16,})/g,
    validate: looksRandom,
    sample: {
      secret: [chars(ALNUM, [20, 48])],
      names: ['API_TOKEN', 'client_secret', 'db_password', 'serviceApiKey', 'x-access-key', 'AUTH_VALUE'],
    },
  },
];
