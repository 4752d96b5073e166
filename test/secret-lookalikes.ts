import fc from 'fast-check';

/**
 * Text that looks random but is no secret, in the forms tools print it: git, lockfiles, package
 * managers, container registries, stack traces, bundles and stylesheets. The redactor must leave
 * all of it alone, or it hides what the model needs to read.
 */

const chars = (alphabet: string, min: number, max = min): fc.Arbitrary<string> =>
  fc.noBias(fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max }));
const HEX = '0123456789abcdef';
const BASE32_LOWER = 'abcdefghijklmnopqrstuvwxyz234567';
const hex = (n: number, max = n) => chars(HEX, n, max);
const word = fc.constantFrom(
  'token',
  'secret',
  'key',
  'auth',
  'parser',
  'client',
  'server',
  'config',
  'utils',
  'index',
  'router',
  'session',
  'cache',
  'password',
  'render',
  'button',
  'stream',
  'buffer',
  'crypto',
  'handler',
  'api',
);
const pkg = fc.constantFrom(
  'react',
  'lodash',
  '@babel/core',
  'typescript',
  'token-types',
  'js-tokens',
  'oauth-sign',
  'jsonwebtoken',
  'secret-handshake',
  'keyv',
  'auth0-js',
  'passport-local',
  'tokenizers',
  'keyring',
  'requests',
  'serde',
);
const version = fc.tuple(fc.nat(30), fc.nat(40), fc.nat(99)).map(([a, b, c]) => `${a}.${b}.${c}`);
const uuid = fc.uuid();
const base64Of = (bytes: fc.Arbitrary<Uint8Array>) => bytes.map((b) => Buffer.from(b).toString('base64'));
const lines = (...arbitraries: fc.Arbitrary<string>[]) =>
  fc.array(fc.oneof(...arbitraries), { minLength: 1, maxLength: 8 }).map((ls) => ls.join('\n'));

export const LOOKALIKES: Readonly<Record<string, fc.Arbitrary<string>>> = {
  'commit SHAs': lines(
    hex(40).map((s) => `commit ${s}`),
    hex(40).map((s) => `GITHUB_SHA=${s}`),
    hex(40).map((s) => `"sha": "${s}",`),
    hex(40).map(
      (s) => `  "commit": { "sha": "${s}", "url": "https://api.github.com/repos/acme/app/commits/${s}" }`,
    ),
    fc.tuple(hex(40), hex(40)).map(([a, b]) => `${a} ${b} refs/heads/main`),
    hex(40).map((s) => `Checking out ${s} as detached HEAD`),
    hex(40).map((s) => `head_sha: ${s}`),
    hex(40).map((s) => `CI_COMMIT_SHA=${s}`),
  ),
  'abbreviated SHAs': lines(
    fc.tuple(hex(7, 12), word, word).map(([s, a, b]) => `${s} Fix ${a} ${b} handling (#${s.length * 7})`),
    fc.tuple(hex(7), hex(7)).map(([a, b]) => `Merge: ${a} ${b}`),
    fc.tuple(hex(7), hex(7)).map(([a, b]) => `index ${a}..${b} 100644`),
    hex(7).map((s) => `HEAD is now at ${s} Update the session token refresh`),
  ),
  'lockfile integrity hashes': lines(
    base64Of(fc.uint8Array({ minLength: 64, maxLength: 64 })).map((h) => `      "integrity": "sha512-${h}",`),
    base64Of(fc.uint8Array({ minLength: 20, maxLength: 20 })).map((h) => `  integrity sha1-${h}`),
    fc
      .tuple(pkg, base64Of(fc.uint8Array({ minLength: 64, maxLength: 64 })))
      .map(([p, h]) => `  /${p}@1.2.3:\n    resolution: {integrity: sha512-${h}}`),
    fc
      .tuple(pkg, version)
      .map(
        ([p, v]) => `      "resolved": "https://registry.npmjs.org/${p}/-/${p.split('/').at(-1)}-${v}.tgz",`,
      ),
    fc
      .tuple(pkg, version, base64Of(fc.uint8Array({ minLength: 32, maxLength: 32 })))
      .map(([p, v, h]) => `github.com/acme/${p} v${v} h1:${h}`),
    hex(64).map((h) => `checksum = "${h}"`),
  ),
  UUIDs: lines(
    uuid.map((u) => `"id": "${u}",`),
    uuid.map((u) => `X-Request-Id: ${u}`),
    uuid.map((u) => `session ${u} started`),
    uuid.map((u) => `"key": "${u}"`),
    uuid.map((u) => `traceparent: 00-${u.replace(/-/g, '')}-${u.slice(0, 16).replace(/-/g, '0')}-01`),
    uuid.map((u) => `correlation_id=${u} user_id=${u.toUpperCase()}`),
  ),
  'image digests': lines(
    hex(64).map((h) => `FROM node:22-bookworm@sha256:${h}`),
    hex(64).map((h) => `Digest: sha256:${h}`),
    hex(64).map((h) => `    image: ghcr.io/acme/api@sha256:${h}`),
    hex(12).map((h) => `${h}: Pull complete`),
    hex(64).map((h) => `"Id": "sha256:${h}",`),
    hex(64).map((h) => `Cache restored from key: node-cache-Linux-x64-npm-${h}`),
  ),
  'base64 images': base64Of(fc.uint8Array({ minLength: 64, maxLength: 3000 })).chain((body) =>
    fc.constantFrom(
      `<img alt="logo" src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUg${body}">`,
      `  background: url(data:image/png;base64,iVBORw0KGgo${body}) no-repeat;`,
      `"icon": "data:image/webp;base64,UklGR${body}"`,
    ),
  ),
  'stack traces': lines(
    fc
      .tuple(word, word, fc.nat(900), fc.nat(80))
      .map(([a, b, l, c]) => `    at ${a}.${b} (/home/dev/app/src/${a}/${b}-${a}.ts:${l}:${c})`),
    fc
      .tuple(word, fc.nat(300))
      .map(([a, l]) => `  File "/usr/lib/python3.12/site-packages/${a}/__init__.py", line ${l}, in <module>`),
    fc
      .tuple(word, word, fc.nat(300))
      .map(
        ([a, b, l]) => `\tat com.acme.${a}.${b[0]?.toUpperCase()}${b.slice(1)}Service.${a}(${b}.java:${l})`,
      ),
    fc.tuple(word, fc.nat(300)).map(([a, l]) => `main.${a}()\n\t/app/internal/${a}/${a}.go:${l} +0x1d`),
    fc
      .tuple(word, fc.nat(300))
      .map(
        ([a, l]) =>
          `thread 'main' panicked at src/${a}.rs:${l}:5:\ncalled \`Result::unwrap()\` on an \`Err\` value`,
      ),
    word.map((a) => `TypeError: Cannot read properties of undefined (reading '${a}Token')`),
  ),
  'semver ranges': lines(
    fc
      .tuple(pkg, version, version)
      .map(([p, a, b]) => `    "${p}": "^${a} || >=${b}-beta.1 <${b.replace(/^\d+/, '99')}",`),
    fc.tuple(pkg, version).map(([p, v]) => `${p}>=${v},<${v.replace(/^\d+/, '100')}`),
    fc.tuple(pkg, version).map(([p, v]) => `gem '${p}', '~> ${v}'`),
  ),
  'file paths': lines(
    fc.tuple(word, word, word).map(([a, b, c]) => `/home/dev/project/src/${a}/${b}/${c}Provider.tsx`),
    fc
      .tuple(word, version, chars(BASE32_LOWER, 26))
      .map(([a, v, h]) => `node_modules/.pnpm/${a}@${v}_${h}/node_modules/${a}/dist/index.js`),
    fc.tuple(word, word).map(([a, b]) => `C:\\Users\\dev\\AppData\\Local\\${a}\\${b}\\cache_data`),
    fc.tuple(word, hex(2), hex(38)).map(([a, d, h]) => `.git/objects/${d}/${h}  # ${a}`),
  ),
  'minified JS': fc
    .array(
      fc.oneof(
        fc
          .tuple(chars('abcdefghijklmnopqrstuvwxyz', 1, 2), chars('etnrio', 1))
          .map(([a, b]) => `var ${a}=${b}.exports,`),
        fc.tuple(chars('abcdefghijklmnopqrstuvwxyz', 1, 2), fc.nat(9999)).map(([a, n]) => `${a}=n(${n});`),
        word.map((w) => `function(e,t,n){"use strict";t.${w}=function(){return e.${w}Key||e.${w}Token}}`),
        fc
          .tuple(chars('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ$_', 1, 3), word)
          .map(([a, w]) => `${a}.prototype.${w}=function(${a}){return this._${w}=${a},this}`),
      ),
      { minLength: 5, maxLength: 40 },
    )
    .map((parts) => `!function(e,t){${parts.join('')}}(this);`),
  'CSS hex colors': lines(
    hex(6).map((h) => `  color: #${h};`),
    hex(3).map((h) => `  background:#${h.toUpperCase()}`),
    hex(8).map((h) => `  box-shadow: 0 0 2px #${h};`),
    fc.tuple(word, hex(6), hex(6)).map(([w, a, b]) => `.${w}{border-color:#${a};--${w}-accent:#${b}}`),
  ),
  'npm, pip and cargo logs': lines(
    fc
      .tuple(pkg, fc.nat(900))
      .map(([p, ms]) => `npm http fetch GET 200 https://registry.npmjs.org/${p} ${ms}ms (cache revalidated)`),
    fc
      .tuple(pkg, version)
      .map(([p, v]) => `npm warn deprecated ${p}@${v}: this version is no longer supported`),
    fc
      .tuple(fc.nat(2000), fc.nat(60))
      .map(([n, s]) => `added ${n} packages, and audited ${n + 1} packages in ${s}s`),
    fc.tuple(pkg, version).map(([p, v]) => `Collecting ${p}==${v}`),
    fc
      .tuple(pkg, version, hex(2), hex(2), hex(60))
      .map(
        ([p, v, a, b, h]) =>
          `  Downloading https://files.pythonhosted.org/packages/${a}/${b}/${h}/${p}-${v}-py3-none-any.whl (123 kB)`,
      ),
    fc
      .tuple(pkg, version, hex(64))
      .map(
        ([p, v, h]) => `  Created wheel for ${p}: filename=${p}-${v}-py3-none-any.whl size=4512 sha256=${h}`,
      ),
    fc
      .tuple(hex(2), hex(2), hex(56))
      .map(([a, b, h]) => `  Stored in directory: /root/.cache/pip/wheels/${a}/${b}/${h}`),
    fc.tuple(pkg, version, hex(64)).map(([p, v, h]) => `${p}==${v} \\\n    --hash=sha256:${h}`),
    fc.tuple(pkg, version).map(([p, v]) => `   Compiling ${p} v${v}`),
    fc.tuple(pkg, version).map(([p, v]) => `  Downloaded ${p} v${v}`),
    fc.nat(99).map((s) => `    Finished \`dev\` profile [unoptimized + debuginfo] target(s) in ${s}.42s`),
  ),
};
