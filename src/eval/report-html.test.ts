import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { chromium } from 'playwright-core';
import { escapeHtml } from './html.ts';
import { niceTicks } from './report-chart.ts';
import { formatP, percent } from './report-format.ts';
import { REPORT_CSP, renderHtmlReport } from './report-html.ts';
import { type EvalSummary, summarise } from './summary.ts';
import { doneTrial, result, runRecord, sampleRun } from './testing/sample-run.ts';
import type { TrialRecord } from './types.ts';

const CHROMIUM = '/usr/bin/chromium';
const noBrowser = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium`;

const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '"><script>alert(2)</script>';

/** Every tag and attribute the report writes; anything else in the output came from data. */
const TAGS = new Set(
  'html head meta title style body header main footer section h1 h2 p span code br dl div dt dd ol ul li table thead tbody tr th td svg line rect circle text g figure figcaption details summary b wbr'.split(
    ' ',
  ),
);
const ATTRIBUTES = new Set(
  'lang charset http-equiv content name class title scope role aria-label viewbox width height x y x1 x2 y1 y2 cx cy r rx text-anchor'.split(
    ' ',
  ),
);

function hostileSummary(name: string, id: string, model: string): EvalSummary {
  const run = runRecord(
    [
      { agent: 'warden', model },
      { agent: name, model: 'openai:gpt-5.5' },
    ],
    1,
    2,
  );
  run.suite.name = name;
  run.policy.name = name;
  run.createdBy = name;
  run.team = name;
  const trials: TrialRecord[] = [
    doneTrial({ instanceId: id, contestant: 0, repeat: 0 }, result('resolved')),
    doneTrial({ instanceId: id, contestant: 1, repeat: 0 }, result('unresolved')),
    doneTrial({ instanceId: 'plain', contestant: 0, repeat: 0 }, result('broken')),
  ];
  return summarise(run, trials, [id, 'plain']);
}

test('the report carries the numbers of the summary', () => {
  const { run, trials, instanceIds } = sampleRun(4);
  const summary = summarise(run, trials, instanceIds);
  const page = renderHtmlReport(summary);
  for (const c of summary.contestants) {
    assert.ok(page.includes(`>${percent(c.resolved.rate)}<`), `${c.label} rate`);
    assert.ok(page.includes(`${percent(c.resolved.low)}–${percent(c.resolved.high)}`), `${c.label} interval`);
    assert.ok(page.includes(`>${c.trials.done}/${c.trials.total}<`), `${c.label} done`);
    for (const p of c.passAtK) assert.ok(page.includes(`>${percent(p.value)}<`), `${c.label} pass@${p.k}`);
    assert.ok(page.includes(escapeHtml(c.label)));
  }
  for (const pair of summary.pairs) assert.ok(page.includes(`p = ${formatP(pair.mcnemar.pValue)} `));
  assert.ok(page.includes('4 trials of 144 pending'));
  assert.ok(page.includes('D ran on a model without a price: shown apart'));
  // Every grid cell: one mark per trial, pending included.
  assert.equal(
    page.match(/<span class="slot (resolved|unresolved|broken|error|pending)" title=/g)?.length,
    4 * 12 * 3,
  );
  assert.equal(page.match(/class="slot pending"/g)?.length, 4 + 1);
});

test('nothing is fetched: no external URL, no script, and a CSP that forbids both', () => {
  const { run, trials, instanceIds } = sampleRun();
  const page = renderHtmlReport(summarise(run, trials, instanceIds));
  assert.doesNotMatch(
    page,
    /https?:|\/\/[a-z]|\b(src|href|action|xlink:href)=|url\(|@import|<script|<link|<iframe/i,
  );
  assert.ok(page.includes(`<meta http-equiv="Content-Security-Policy" content="${escapeHtml(REPORT_CSP)}">`));
  assert.match(REPORT_CSP, /default-src 'none'/);
  assert.doesNotMatch(REPORT_CSP, /script-src|unsafe-eval|https?:|\*/);
  // The policy comes before anything it should govern.
  assert.ok(page.indexOf('Content-Security-Policy') < page.indexOf('<style>'));
});

test('bidirectional-text controls in a name never reach the page: one id cannot read as another', () => {
  assert.equal(escapeHtml('calc-1\u202eeno\u202c \u2067x\u2069'), 'calc-1eno x');
});

test('instance ids, model names and run facts are text, never markup', () => {
  const page = renderHtmlReport(hostileSummary(SCRIPT, IMG, SCRIPT));
  assert.ok(!page.includes(IMG));
  assert.ok(!page.includes('<script'));
  assert.ok(page.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(page.includes('&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;'));
});

test('whatever the names, the report writes only its own tags and attributes', () => {
  const hostile = fc.oneof(
    fc.string({ unit: 'binary-ascii', minLength: 1 }),
    fc.constantFrom(
      IMG,
      SCRIPT,
      "' onmouseover='alert(3)",
      '</style><script>x</script>',
      '&lt;b&gt;',
      '<!--',
      ']]>',
    ),
  );
  fc.assert(
    fc.property(hostile, hostile, hostile, (name, id, model) => {
      fc.pre(id !== 'plain');
      const page = renderHtmlReport(hostileSummary(name, id, model));
      for (const [, tag, attributes] of page.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
        assert.ok(TAGS.has((tag as string).toLowerCase()), `tag <${tag}>`);
        // Attributes are name="value" pairs and nothing else: a quote in a value would end it early.
        const rest = (attributes as string).replace(
          /\s+([a-zA-Z][\w-]*)(="[^"]*")?/g,
          (_, attribute: string) => {
            assert.ok(ATTRIBUTES.has(attribute.toLowerCase()), `attribute ${attribute} on <${tag}>`);
            return '';
          },
        );
        assert.match(rest, /^\s*\/?$/, `<${tag}${attributes}>`);
      }
      assert.ok(!page.includes('<!--') && !page.includes('<script'));
    }),
    { numRuns: 150 },
  );
});

test('in a browser the hostile names stay inert, and the CSP stops what an escaping bug would let in', {
  skip: noBrowser,
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-eval-report-'));
  // Where an injected beacon would land: the page must never reach it.
  const hits: string[] = [];
  const server = createServer((request, response) => {
    hits.push(request.url ?? '');
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const beacon = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    const blocked: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('requestfailed', (request) => blocked.push(`${request.failure()?.errorText} ${request.url()}`));
    const report = renderHtmlReport(hostileSummary(SCRIPT, IMG, SCRIPT));
    writeFileSync(join(dir, 'report.html'), report);
    await page.goto(`file://${join(dir, 'report.html')}`);
    assert.ok((await page.textContent('table.grid'))?.includes(IMG));
    assert.equal(await page.locator('img, script').count(), 0);

    // The same page with markup slipped past the escaping: the CSP runs none of it and loads nothing.
    const attacked = report.replace(
      '<main>',
      `<main><script>document.title = 'pwned'; alert(4)</script><img src="${beacon}/img"><svg><image href="${beacon}/svg"/></svg><div style="background: url(${beacon}/css)">x</div>`,
    );
    writeFileSync(join(dir, 'attacked.html'), attacked);
    await page.goto(`file://${join(dir, 'attacked.html')}`, { waitUntil: 'load' });
    assert.notEqual(await page.title(), 'pwned');
    assert.deepEqual(dialogs, []);
    assert.deepEqual(blocked.sort(), [`csp ${beacon}/css`, `csp ${beacon}/img`, `csp ${beacon}/svg`]);
    assert.deepEqual(hits, []);
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('chart ticks are round and reach past the largest value', () => {
  // 0.2 would put the largest dot within 8% of the edge: one more step.
  assert.deepEqual(niceTicks(0.187), [0, 0.05, 0.1, 0.15, 0.2, 0.25]);
  assert.deepEqual(niceTicks(88_000), [0, 20_000, 40_000, 60_000, 80_000, 100_000]);
  assert.deepEqual(niceTicks(0), [0, 1]);
  fc.assert(
    fc.property(fc.double({ min: 1e-6, max: 1e9, noNaN: true }), (max) => {
      const ticks = niceTicks(max);
      assert.ok((ticks.at(-1) as number) >= max);
      assert.ok(ticks.length >= 3 && ticks.length <= 10, `${max}: ${ticks}`);
    }),
  );
});
