import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import Fastify from 'fastify';
import { renderHtmlReport } from '../eval/report-html.ts';
import { summarise } from '../eval/summary.ts';
import { consoleAssets } from './assets.ts';
import { CONTENT_SECURITY_POLICY, consolePlugin } from './plugin.ts';

async function app() {
  const server = Fastify();
  server.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: { code: 'not_found' } }));
  await server.register(consolePlugin);
  return server;
}

test('the page and its files are served with a strict Content-Security-Policy', async () => {
  const server = await app();
  const page = await server.inject({ url: '/' });
  assert.equal(page.statusCode, 200);
  assert.match(page.headers['content-type'] as string, /^text\/html/);
  assert.match(page.body, /<script type="module" src="\/console\/main\.ts"><\/script>/);
  for (const response of [page, await server.inject({ url: '/console/main.ts' })]) {
    assert.equal(response.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['x-frame-options'], 'DENY');
  }
  assert.match(CONTENT_SECURITY_POLICY, /default-src 'self'/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe|\*|https?:/);
  // Nothing of the page itself may be inline: no <script> body, no style attribute.
  assert.doesNotMatch(page.body, /<script(?![^>]*\bsrc=)[^>]*>|style=/);
});

test("the one inline style the page's policy admits is the evaluation report's stylesheet, by its hash", () => {
  // The report opened from a blob: URL inherits this policy; its <style> must be exactly the hashed one.
  const report = renderHtmlReport(
    summarise(
      {
        id: 'e1',
        suite: { name: 'suite', file: 'suite.jsonl', digest: 'a'.repeat(64), instances: 1 },
        contestants: [{ agent: 'warden', model: 'script:solver' }],
        repeats: 1,
        policy: { name: 'default', digest: 'b'.repeat(64) },
        createdAt: '2026-01-01T00:00:00.000Z',
        createdBy: 'ada',
        team: undefined,
      },
      [],
      ['one'],
    ),
  );
  const styles = [...report.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((match) => match[1] ?? '');
  assert.equal(styles.length, 1);
  assert.doesNotMatch(report, /\sstyle=/);
  const hash = createHash('sha256')
    .update(styles[0] ?? '')
    .digest('base64');
  const styleSrc = CONTENT_SECURITY_POLICY.split('; ').find((d) => d.startsWith('style-src '));
  assert.equal(styleSrc, `style-src 'self' 'sha256-${hash}'`);
});

test('TypeScript is served as JavaScript, types stripped with positions kept, and revalidated by ETag', async () => {
  const warnings: string[] = [];
  process.on('warning', (warning) => warnings.push(warning.message));
  const server = await app();
  const response = await server.inject({ url: '/console/views/timeline.ts' });
  await new Promise((resolve) => setImmediate(resolve));
  // The operator's log stays quiet: Node's notice that the stripping API is experimental is dropped.
  assert.deepEqual(warnings, []);
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.doesNotMatch(response.body, /import type|: Timeline\b/);
  const again = await server.inject({
    url: '/console/views/timeline.ts',
    headers: { 'if-none-match': response.headers.etag as string },
  });
  assert.equal(again.statusCode, 304);
  assert.equal(again.body, '');
});

test('only the listed files are served: no paths out, no declarations or configs, misses are the API 404', async () => {
  const server = await app();
  for (const url of [
    '/console/../assets.ts',
    '/console/%2e%2e/plugin.ts',
    '/console/node-types.d.ts',
    '/console/tsconfig.json',
    '/console/nope.ts',
    '/console/',
    '/console//etc/passwd',
  ]) {
    const response = await server.inject({ url });
    assert.equal(response.statusCode, 404, url);
    assert.deepEqual(response.json(), { error: { code: 'not_found' } }, url);
  }
});

test('every served script parses as a JavaScript module once stripped', () => {
  const assets = consoleAssets();
  const scripts = assets.paths.filter((path) => path.endsWith('.ts'));
  assert.ok(scripts.includes('main.ts') && scripts.length > 10);
  const sources = Object.fromEntries(scripts.map((path) => [path, assets.get(path)?.body ?? '']));
  // Parsed (not linked, not run) in a separate process: vm modules need a flag there.
  const check = spawnSync(
    process.execPath,
    [
      '--experimental-vm-modules',
      '--no-warnings',
      '--input-type=module',
      '-e',
      `import vm from 'node:vm';
       let input = '';
       for await (const chunk of process.stdin) input += chunk;
       const failures = [];
       for (const [path, source] of Object.entries(JSON.parse(input))) {
         try { new vm.SourceTextModule(source, { identifier: path }); } catch (e) { failures.push(path + ': ' + e.message); }
       }
       process.stdout.write(JSON.stringify(failures));`,
    ],
    { encoding: 'utf8', input: JSON.stringify(sources) },
  );
  assert.equal(check.status, 0, check.stderr);
  assert.deepEqual(JSON.parse(check.stdout), []);
});
