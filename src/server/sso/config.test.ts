import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parse } from 'yaml';
import { isWardenError } from '../../errors.ts';
import { ROLES } from '../account-store.ts';
import { parseSsoConfig } from './config.ts';
import { groupsOf, mapGroups } from './group-mapping.ts';

async function read(text: string) {
  const dir = await mkdtemp(join(tmpdir(), 'sso-config-'));
  const file = join(dir, 'server.yaml');
  await writeFile(file, text);
  try {
    return parseSsoConfig(parse(text).sso, file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const BASE = `sso:
  issuer: https://login.example.com/realms/acme
  client_id: warden
  public_url: https://warden.example.com
  roles:
    - { group: admins, team: default, role: admin }
`;

test('sso: the callback comes from public_url, openid is always asked for, sessions last an hour', async () => {
  const config = await read(BASE);
  assert.ok(config);
  assert.equal(config.redirectUrl.href, 'https://warden.example.com/auth/callback');
  assert.equal(config.publicUrl.href, 'https://warden.example.com/');
  assert.deepEqual(config.scopes, ['openid']);
  assert.equal(config.groupsClaim, 'groups');
  assert.equal(config.userClaim, 'sub');
  assert.equal(config.sessionMinutes, 60);
  assert.equal(config.clientSecretEnv, undefined);
  const explicit = await read(
    `${BASE}  redirect_url: https://warden.example.com/auth/callback\n  scopes: [openid, groups]\n  session_minutes: 720\n`,
  );
  assert.deepEqual(explicit?.scopes, ['openid', 'groups']);
  assert.equal(explicit?.sessionMinutes, 720);
  assert.equal(await read('models: []\n'), undefined);
});

test('a wrong sso: section names the key and its line', async () => {
  const without = (key: string) =>
    BASE.split('\n')
      .filter((line) => !line.startsWith(`  ${key}:`))
      .join('\n');
  const cases: Array<[string, RegExp, RegExp]> = [
    [
      without('public_url'),
      /sso needs redirect_url or public_url: .*never taken from a request/,
      /server\.yaml/,
    ],
    [`${BASE}  secret: x\n`, /"sso\.secret" is not a known key/, /server\.yaml:7/],
    [BASE.replace('role: admin', 'role: owner'), /sso\.roles\.0\.role/, /server\.yaml:6/],
    [`${BASE}  session_minutes: 721\n`, /sso\.session_minutes/, /server\.yaml:7/],
    [
      BASE.replace('https://login', 'http://login'),
      /sso\.issuer must be https:\/\/ \(http:\/\/ only on this machine\)/,
      /server\.yaml:2/,
    ],
    [
      BASE.replace('warden.example.com', 'warden.example.com/console'),
      /callback \/console\/auth\/callback/,
      /server\.yaml:4/,
    ],
    [
      `${BASE}  client_secret_env: not a name\n`,
      /sso\.client_secret_env is an environment variable name/,
      /server\.yaml:7/,
    ],
    [BASE.replace(/ {2}roles:\n.*\n/, '  roles: []\n'), /sso\.roles maps at least one group/, /server\.yaml/],
  ];
  for (const [text, message, where] of cases) {
    await assert.rejects(read(text), (error) => {
      assert.ok(isWardenError(error));
      assert.match(error.message, message);
      assert.match(error.where ?? '', where);
      return true;
    });
  }
  // A provider on this machine may speak plain HTTP (a test, a local Keycloak).
  const local = await read(
    BASE.replace('https://login.example.com', 'http://127.0.0.1:8080').replace(
      'https://warden.example.com',
      'http://localhost:7878',
    ),
  );
  assert.equal(local?.redirectUrl.href, 'http://localhost:7878/auth/callback');
});

test('groups map to the first entry of sso.roles they hold, whatever the order of the groups', () => {
  const name = fc.constantFrom('admins', 'backend', 'web', 'everyone', 'contractors');
  const entry = fc.record({
    group: name,
    team: fc.constantFrom('default', 'backend'),
    role: fc.constantFrom(...ROLES),
  });
  fc.assert(
    fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), fc.array(name), (roles, groups) => {
      const mapped = mapGroups(roles, groups);
      const first = roles.find((r) => groups.includes(r.group));
      assert.equal(mapped, first);
      assert.equal(mapGroups(roles, [...groups].reverse()), first);
    }),
  );
});

test('the groups claim is a list or a single string; anything else is no groups', () => {
  assert.deepEqual(groupsOf({ groups: ['a', 'b', 3] }, 'groups'), ['a', 'b']);
  assert.deepEqual(groupsOf({ roles: 'admins' }, 'roles'), ['admins']);
  assert.equal(groupsOf({ groups: { a: 1 } }, 'groups'), undefined);
  assert.equal(groupsOf({}, 'groups'), undefined);
});
