import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isWardenError } from '../errors.ts';
import {
  admitRepositoryUrl,
  isRepositoryUrl,
  parseRepositoryUrl,
  parseUrlPrefix,
  type UrlPrefix,
} from './repository-url.ts';

let dir: string;
let prefixes: UrlPrefix[];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-url-'));
  await mkdir(join(dir, 'git', 'shop.git'), { recursive: true });
  await mkdir(join(dir, 'secret.git'));
  await symlink(join(dir, 'secret.git'), join(dir, 'git', 'escape.git'));
  prefixes = ['https://git.example.com/team/', 'http://127.0.0.1:8080/', `file://${dir}/git`].map((text) => {
    const prefix = parseUrlPrefix(text);
    assert.ok(!('problem' in prefix), JSON.stringify(prefix));
    return prefix;
  });
});
after(() => rm(dir, { recursive: true, force: true }));

function refusal(url: string): string {
  try {
    admitRepositoryUrl(url, prefixes);
  } catch (error) {
    assert.ok(isWardenError(error));
    assert.equal(error.where, 'repository');
    return `${error.message} | ${error.hint ?? ''}`;
  }
  assert.fail(`${url} was admitted`);
}

test('a URL is told from a path by its scheme; an absolute path is always a path', () => {
  assert.equal(isRepositoryUrl('https://h/x.git'), true);
  assert.equal(isRepositoryUrl('ext::sh -c id'), true);
  assert.equal(isRepositoryUrl('file:///srv/x'), true);
  assert.equal(isRepositoryUrl('/srv/repos/a:b'), false);
  assert.equal(isRepositoryUrl('relative/path'), false);
});

test('URLs under a prefix are admitted, normalised; the prefix is named for the authorizer', () => {
  assert.deepEqual(admitRepositoryUrl('https://GIT.example.com:443/team/shop.git', prefixes), {
    url: 'https://git.example.com/team/shop.git',
    prefix: 'https://git.example.com/team/',
  });
  assert.equal(
    admitRepositoryUrl('http://127.0.0.1:8080/x.git', prefixes).url,
    'http://127.0.0.1:8080/x.git',
  );
  assert.equal(admitRepositoryUrl(`file://${dir}/git/shop.git`, prefixes).prefix, `file://${dir}/git`);
});

test('refused, naming what is wrong: credentials, schemes, hosts, prefixes, queries, encodings, links', () => {
  const cases: Array<[string, RegExp]> = [
    ['https://x-access-token:ghp_abc@git.example.com/team/a.git', /carries credentials.*credentials:/],
    ['https://ghp_abc@git.example.com/team/a.git', /carries credentials/],
    ['ext::sh -c touch% /tmp/pwned', /spaces or control|not a URL|does not clone/],
    ['ext::sh', /uses ext:, which the server does not clone/],
    ['ssh://git@git.example.com/team/a.git', /carries credentials|uses ssh:/],
    ['git://git.example.com/team/a.git', /uses git:/],
    ['http://git.example.com/team/a.git', /uses http:/],
    ['https://git.example.com/team-b/a.git', /outside the repository URLs/],
    ['https://git.example.com/team', /outside/],
    ['https://evil.example/team/a.git', /outside/],
    ['http://127.0.0.1:8081/x.git', /outside/],
    ['https://git.example.com/team/a.git?upload-pack=x', /query or fragment/],
    ['https://git.example.com/team/a.git#x', /query or fragment/],
    ['https://git.example.com/team/%2e%2e/other/a.git', /outside/],
    ['https://git.example.com/team/a%2f..%2f..%2fother/a.git', /encoded/],
    ['https://git.example.com/team/a\n.git', /control/],
    [`file://${dir}/secret.git`, /outside/],
    [`file://${dir}/git/escape.git`, /outside/],
    [`file://${dir}/git/missing.git`, /not an existing directory/],
    [`file://host${dir}/git/shop.git`, /names a host/],
    ['not a url:', /spaces|not a URL/],
  ];
  for (const [url, expected] of cases) assert.match(refusal(url), expected, url);
  assert.ok(!refusal('https://u:ghp_abc@git.example.com/team/a.git').includes('ghp_abc'), 'not repeated');
});

test('a configured prefix is checked like a URL', () => {
  assert.match(JSON.stringify(parseUrlPrefix('ssh://host/x')), /does not clone/);
  assert.match(JSON.stringify(parseUrlPrefix('https://u:p@host/x')), /credentials/);
  assert.match(JSON.stringify(parseUrlPrefix(`file://${dir}/nope`)), /does not exist/);
  assert.ok(parseRepositoryUrl('https://h/x.git') instanceof URL);
});

test("a link under one team's file: prefix does not reach another team's prefix", async () => {
  await mkdir(join(dir, 'red', 'app.git'), { recursive: true });
  await mkdir(join(dir, 'blue', 'vault.git'), { recursive: true });
  await symlink(join(dir, 'blue', 'vault.git'), join(dir, 'red', 'vault.git'));
  const teams = [`file://${dir}/red`, `file://${dir}/blue`].map((text) => parseUrlPrefix(text) as UrlPrefix);
  assert.equal(admitRepositoryUrl(`file://${dir}/red/app.git`, teams).prefix, teams[0]?.text);
  assert.equal(admitRepositoryUrl(`file://${dir}/blue/vault.git`, teams).prefix, teams[1]?.text);
  assert.throws(
    () => admitRepositoryUrl(`file://${dir}/red/vault.git`, teams),
    (error) => isWardenError(error) && /outside the repository URLs/.test(error.message),
  );
});
