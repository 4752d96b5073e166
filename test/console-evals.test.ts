import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { loadSuite } from '../src/eval/suite.ts';
import type { EvalSummary } from '../src/eval/summary.ts';
import { client, type Served, type ServerWorld, serverWorld, startServe, waitFor } from './server.ts';

const CHROMIUM = '/usr/bin/chromium';
const OFFLINE = new URL('../evals/offline/', import.meta.url).pathname;
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install Debian's chromium (scripts/setup.sh does)`;

/** Four instances of the offline suite on which the two contestants differ in every way they can. */
const INSTANCES = ['calendar-js-1', 'pager-js-1', 'csv-js-1', 'humansize-py-1'];
const CONTESTANTS = ['solver', 'breaker'];
/** What the page must print for each outcome, besides its colour. */
const MARKS: Record<string, string> = {
  resolved: '✓',
  unresolved: '·',
  broken: '✗',
  error: '!',
  pending: '…',
};
/** Whoever starts a run names its suite's file: the page must show this as text. */
// Markup, and a right-to-left override that would make the name read backwards from there on.
const HOSTILE_FILE = 'evals/offline/<img src=x onerror="window.__owned=1">\u202egnp.jsonl';

/**
 * The console's Evaluations page against a real `warden serve`: an evaluation of two scripted
 * contestants on four offline instances, created through the API, followed on the list until it
 * finishes, and its page read back number by number against GET /v1/evals/{id}. Screenshots land in
 * /tmp/console-evals-*.png.
 */
describe('the Evaluations page', { skip, timeout: 240_000 }, () => {
  let world: ServerWorld;
  let served: Served;
  let url: string;
  let api: ReturnType<typeof client>;
  let browser: Browser;
  let page: Page;
  let id: string;
  const problems: string[] = [];

  const watch = (p: Page, name: string) => {
    p.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${name} console: ${message.text()}`);
    });
    p.on('pageerror', (error) => problems.push(`${name} page: ${error.message}`));
  };
  /** Every page at 1280 and 390 px wide, light and dark, the whole length. */
  const shots = async (name: string) => {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width > 400 ? 900 : 844 });
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        await page.screenshot({
          path: `/tmp/console-evals-${name}-${width}-${colorScheme}.png`,
          fullPage: true,
        });
      }
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ colorScheme: 'light' });
  };

  before(async () => {
    world = await serverWorld();
    // The offline suite's projects and its scripted contestants, offered by this server.
    await writeFile(
      join(world.data, 'server.yaml'),
      [
        `repositories: [${JSON.stringify(join(OFFLINE, 'repos'))}]`,
        `models: [${JSON.stringify(`script:${join(OFFLINE, 'contestants')}/*`)}]`,
        'concurrency: 4',
        'drain_timeout: 5',
      ].join('\n'),
    );
    served = await startServe(world);
    url = served.url;
    assert.ok(served.adminToken, served.output());
    api = client(url, served.adminToken);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    page.setDefaultTimeout(15_000);
    watch(page, 'console');
  });

  after(async () => {
    await browser?.close();
    served?.child.kill('SIGTERM');
    await served?.exited;
    await world?.cleanup();
  });

  it('lists a new run and follows it to the end without a reload', async () => {
    const suite = loadSuite(join(OFFLINE, 'suite.jsonl'));
    const created = await api('POST', '/v1/evals', {
      suite: {
        name: 'offline',
        file: HOSTILE_FILE,
        digest: suite.digest,
        instances: suite.instances.filter((instance) => INSTANCES.includes(instance.id)),
      },
      contestants: CONTESTANTS.map((name) => ({
        agent: 'warden',
        model: `script:${join(OFFLINE, 'contestants', name)}`,
      })),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    id = created.body.run.id;

    await page.goto(url);
    await page.fill('#token', served.adminToken as string);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Tasks' }).waitFor();
    await page.click('nav a:has-text("Evaluations")');
    const row = page.locator(`tr[data-eval="${id}"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-total'), '8');
    assert.match((await row.textContent()) ?? '', /warden\/script:solver.*warden\/script:breaker/);
    assert.equal(await row.locator('a').first().textContent(), 'offline');
    // Eight sandboxed trials on a shared machine: the list re-reads itself until they are graded.
    await waitFor(
      'the list to show every trial done',
      async () => (await row.getAttribute('data-done')) === '8',
      180_000,
    );
    assert.match((await row.textContent()) ?? '', /8\/8 trials/);
    assert.equal(await row.locator('[role=progressbar]').getAttribute('aria-valuenow'), '8');
    await shots('list');
  });

  it("shows the run's numbers as GET /v1/evals/{id} gives them", async () => {
    const detail = await api('GET', `/v1/evals/${id}`);
    const summary = detail.body.summary as EvalSummary;
    assert.deepEqual(detail.body.progress, { total: 8, done: 8, running: 0, queued: 0 });
    // The grades themselves are the offline suite's (evals/offline/expected.json).
    const expected = JSON.parse(readFileSync(join(OFFLINE, 'expected.json'), 'utf8'));
    for (const instance of summary.instances) {
      assert.deepEqual(
        instance.outcomes.map(([outcome]) => outcome),
        CONTESTANTS.map((name) => expected[name][instance.id]),
        instance.id,
      );
    }

    await page.click(`tr[data-eval="${id}"] a`);
    await page.locator('.instance-grid').waitFor();
    assert.equal(await page.locator('h1').textContent(), 'Evaluation offline');
    assert.equal(
      await page.locator('[data-fact="suite"] strong').textContent(),
      HOSTILE_FILE.replace('\u202e', '⟨U+202E⟩'),
      'the override shown for what it is',
    );
    assert.equal(await page.evaluate('window.__owned'), undefined);
    assert.equal(await page.locator('[data-metric="done"] .value').textContent(), '8 of 8');
    assert.equal(await page.locator('[data-metric="instances"] .value').textContent(), '4');

    for (const c of summary.contestants) {
      const cell = (table: string, field: string) =>
        page
          .locator(`[data-table="${table}"] tr[data-contestant="${c.index}"] [data-field="${field}"]`)
          .textContent();
      const results = (field: string) => cell('results', field);
      assert.equal(await results('done'), `${c.trials.done}/${c.trials.total}`);
      assert.equal(Number(await results('resolved')), c.resolved.count);
      near(ratio(await results('rate')), c.resolved.rate ?? Number.NaN, 0.0005, `${c.label} rate`);
      const [low, high] = ((await results('interval')) ?? '').split('–').map(ratio);
      near(low ?? Number.NaN, c.resolved.low, 0.0005, `${c.label} interval low`);
      near(high ?? Number.NaN, c.resolved.high, 0.0005, `${c.label} interval high`);
      for (const outcome of ['unresolved', 'broken', 'error'] as const) {
        assert.equal(Number(await results(outcome)), c.outcomes[outcome], `${c.label} ${outcome}`);
      }
      near(ratio(await results('pass@1')), c.passAtK[0]?.value ?? Number.NaN, 0.0005, `${c.label} pass@1`);
      const spend = (field: string) => cell('spend', field);
      near(tokenCount(await spend('tokens-in')), c.tokens.input.mean ?? 0, 50, `${c.label} tokens in`);
      near(tokenCount(await spend('tokens-out')), c.tokens.output.mean ?? 0, 50, `${c.label} tokens out`);
      // Scripted models have no price: said so, not shown as $0.
      assert.equal(c.cost, 'unpriced');
      assert.equal(await spend('cost'), 'unpriced');
      assert.equal(Number(await spend('asks')), c.asks.total);
      assert.equal(Number(await spend('denials')), c.denials.total);
    }

    const [pair] = summary.pairs;
    assert.ok(pair && summary.pairs.length === 1);
    const card = page.locator('[data-pair="0-1"]');
    const field = (name: string) => card.locator(`[data-field="${name}"]`).textContent();
    near(Number(await field('p')), pair.mcnemar.pValue, 0.0005, 'McNemar p');
    assert.equal(Number(await field('only-a')), pair.onlyA);
    assert.equal(Number(await field('only-b')), pair.onlyB);
    assert.equal(Number(await field('both')), pair.bothResolved);
    assert.equal(Number(await field('neither')), pair.neitherResolved);
    assert.deepEqual(
      await card.locator('[data-field="ids-only-a"] code').allTextContents(),
      pair.instancesOnlyA,
    );
    assert.equal(await card.locator('[data-field="ids-only-b"]').count(), pair.instancesOnlyB.length ? 1 : 0);

    const rows = page.locator('.instance-grid tbody tr');
    assert.deepEqual(
      await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-instance'))),
      summary.instances.map((instance) => instance.id),
    );
    for (const instance of summary.instances) {
      const slots = page.locator(`.instance-grid tr[data-instance="${instance.id}"] .slot`);
      const outcomes = instance.outcomes.flat();
      assert.deepEqual(
        await slots.evaluateAll((spans) => spans.map((span) => span.getAttribute('data-outcome'))),
        outcomes,
      );
      // Not colour alone: each slot carries its outcome's mark as text.
      assert.deepEqual(
        await slots.allTextContents(),
        outcomes.map((outcome) => MARKS[outcome]),
      );
    }
    await shots('run');
  });

  it('opens the full HTML report, styled, and downloads it', async () => {
    const [report] = await Promise.all([
      page.context().waitForEvent('page'),
      page.click('[data-action="open-report"]'),
    ]);
    watch(report, 'report');
    await report.waitForLoadState();
    assert.match(report.url(), /^blob:/);
    assert.equal(await report.locator('h1 .name').textContent(), 'offline');
    assert.ok((await report.locator('.facts').textContent())?.includes(HOSTILE_FILE.replace('\u202e', '')));
    // Its stylesheet applied under the console's policy (the browser's default margin is 8px).
    assert.equal(
      await report
        .locator('body')
        .evaluate((body) => body.ownerDocument.defaultView?.getComputedStyle(body).marginTop),
      '0px',
    );
    await report.close();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-action="download-report"]'),
    ]);
    assert.equal(download.suggestedFilename(), `evaluation-${id}.html`);
    const html = readFileSync((await download.path()) ?? '', 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.ok(html.includes(id));
  });

  it('fits a 360 px wide screen: neither page scrolls sideways', async () => {
    await page.setViewportSize({ width: 360, height: 760 });
    for (const hash of [`#/evals/${id}`, '#/evals']) {
      await page.goto(`${url}/${hash}`);
      await page.locator(hash === '#/evals' ? `tr[data-eval="${id}"]` : '.instance-grid').waitFor();
      const overflow = await page.locator('html').evaluate((html) => html.scrollWidth - html.clientWidth);
      assert.equal(overflow, 0, hash);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(problems, []);
  });
});

/** "51.0%" as 0.51. */
function ratio(text: string | null | undefined): number {
  const match = /^\s*([\d.]+)%\s*$/.exec(text ?? '');
  return match ? Number(match[1]) / 100 : Number.NaN;
}

/** "9,531" or "12.4k" as a count of tokens. */
function tokenCount(text: string | null): number {
  const match = /^([\d.,]+)(k?)$/.exec(text ?? '');
  if (!match) return Number.NaN;
  return Number((match[1] ?? '').replaceAll(',', '')) * (match[2] ? 1000 : 1);
}

function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: shown ${actual}, the API says ${expected}`);
}
