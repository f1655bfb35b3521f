/**
 * The dashboard in real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core; one browser
 * for the file): every view renders from real reports made in beforeAll (tiny messenger with Eve and noise,
 * tiny eclipse, tiny ping, a 2-point x 2-seed sweep through runSweep), a click on a run opens it, the trade-off
 * chart has one point per grid point, and a run started from the page finishes and appears in Runs.
 * Screenshots go to .ci/out/screenshots/. Without Chromium the tests are skipped with a message, unless
 * CI_REQUIRE_BROWSER=1 (set by .ci/run), where its absence fails.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../server/start-server.ts';
import { runScenario, tinyEclipse, tinyMessenger, tinyPing, tinySweep, tinyTune, withSyntheticExtensions, writeReport } from './fixtures.ts';

/** Debian's chromium; PARATOX_CHROMIUM points elsewhere (and lets one check the missing-browser behaviour). */
const CHROMIUM = process.env.PARATOX_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const required = process.env.CI_REQUIRE_BROWSER === '1';
const SHOTS = fileURLToPath(new URL('../../.ci/out/screenshots/', import.meta.url));

if (!haveChromium && !required) {
  console.warn(`dashboard browser tests SKIPPED: ${CHROMIUM} not found (apt-get install chromium; .ci/run installs it and sets CI_REQUIRE_BROWSER=1)`);
}

describe('browser prerequisites', () => {
  it.runIf(required)('Chromium is installed when CI_REQUIRE_BROWSER=1', () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing but CI_REQUIRE_BROWSER=1: the browser tests must run in CI`).toBe(true);
  });
});

describe.skipIf(!haveChromium)('dashboard in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  let server: RunningServer;
  let reports: string;
  const pageErrors: string[] = [];

  const go = async (hash: string, view: string): Promise<void> => {
    await page.goto(`${server.url}${hash}`);
    await page.waitForSelector(`main[data-view="${view}"]`, { timeout: 10_000 });
  };
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    const work = mkdtempSync(join(tmpdir(), 'paratox-dash-browser-'));
    reports = join(work, 'reports');
    mkdirSync(SHOTS, { recursive: true });
    // The sweep runs on worker threads while this thread runs the single reports.
    const sweep = tinySweep(reports, work);
    const messenger = runScenario(tinyMessenger());
    writeReport(reports, 'runs/messenger-tiny-seed1.json', withSyntheticExtensions(messenger));
    // The same run with delivery made worse: Compare must flag it.
    const worse = withSyntheticExtensions(messenger);
    worse.traffic.deliveryRatio = Math.max(0, (worse.traffic.deliveryRatio ?? 1) - 0.3);
    worse.warnings = ['no session handshake completed (12 started, 40 retransmits)'];
    writeReport(reports, 'runs/messenger-tiny-worse.json', worse);
    writeReport(reports, 'runs/eclipse-tiny-seed1.json', withSyntheticExtensions(runScenario(tinyEclipse())));
    writeReport(reports, 'runs/ping-tiny-seed1.json', runScenario(tinyPing()));
    writeReport(reports, 'runs/broken.json', '{ "paratox": 1, "scen');
    await sweep;
    await tinyTune(reports, work);
    server = await startServer({ reportsDir: reports, port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('Runs lists the reports (broken ones marked), filters, sorts, and a click opens a run', async () => {
    await go('#/runs', 'runs');
    expect(await page.locator('tr.run-row').count()).toBe(4);
    expect(await page.locator('tr.broken').count()).toBe(1);
    await page.fill('[data-testid="runs-filter"]', 'eclipse');
    expect(await page.locator('tr.run-row').count()).toBe(1);
    await page.fill('[data-testid="runs-filter"]', '');
    await page.click('th[data-key="nodes"]');
    const nodes = await page.locator('tr.run-row td:nth-child(6)').allTextContents();
    expect(nodes.map(Number)).toEqual([...nodes.map(Number)].sort((a, b) => a - b));
    await shot('runs');
    await page.click('tr.run-row[data-path="runs/messenger-tiny-seed1.json"]');
    await page.waitForSelector('main[data-view="runs"] [data-testid="run-view"]');
    expect(page.url()).toContain('#/run/runs%2Fmessenger-tiny-seed1.json');
  });

  it('One run shows metric cards with their meaning and every panel of a messenger report', async () => {
    await go('#/run/runs%2Fmessenger-tiny-seed1.json', 'runs');
    const anonymity = page.locator('.card[data-metric="attacks.eve.degreeOfAnonymity"]');
    expect(await anonymity.getAttribute('title')).toMatch(/Diaz et al/);
    expect(await anonymity.locator('.value').textContent()).toMatch(/^0\.\d+|^1$/);
    // Eve's ranking: bars for the top candidates, the true partner marked, for each attack chosen.
    const eve = page.locator('[data-panel="eve-ranking"]');
    expect(await eve.locator('rect.bar').count()).toBeGreaterThan(1);
    expect(await eve.locator('[data-testid="eve-rank-note"]').textContent()).toMatch(/ranks the true partner/);
    const methods = await eve.locator('[data-testid="eve-method"] option').allTextContents();
    expect(methods.length).toBeGreaterThanOrEqual(3);
    let partnerMarked = 0;
    for (const m of methods) {
      await eve.locator('[data-testid="eve-method"]').selectOption(m);
      partnerMarked += await eve.locator('rect.bar.partner').count();
    }
    expect(partnerMarked).toBeGreaterThan(0);
    expect(await page.locator('[data-panel="roc"] path.line').count()).toBe(methods.length);
    expect(await page.locator('[data-panel="latency-cdf"] path.line').count()).toBe(1);
    expect(await page.locator('[data-panel="traffic-series"] path.line').count()).toBe(2);
    const report = JSON.parse(readFileSync(join(reports, 'runs/messenger-tiny-seed1.json'), 'utf8'));
    expect(await page.locator('[data-panel="network"] circle.node').count()).toBe(report.network.nodes.length);
    expect(await page.locator('[data-panel="network"] circle.node.malicious').count()).toBe(report.network.nodes.filter((n: any) => n.malicious).length);
    expect(await page.locator('[data-testid="circuit-path"]').count()).toBe(1);
    // A messenger run has no eclipse attack: the panel says so instead of drawing nothing.
    expect(await page.locator('[data-panel="eclipse"] .absent').textContent()).toBe('not in this report');
    await shot('run-messenger');
  });

  it('One run shows the report\'s warnings, and none for a healthy run', async () => {
    await go('#/run/runs%2Fmessenger-tiny-worse.json', 'runs');
    expect(await page.locator('[data-testid="run-warning"]').allTextContents()).toEqual(['warning: no session handshake completed (12 started, 40 retransmits)']);
    await go('#/run/runs%2Fmessenger-tiny-seed1.json', 'runs');
    expect(await page.locator('[data-testid="run-view"]').count()).toBe(1);
    expect(await page.locator('[data-testid="run-warning"]').count()).toBe(0);
  });

  it('One run of an eclipse scenario draws the per-victim distribution; Eve panels say not in this report', async () => {
    await go('#/run/runs%2Feclipse-tiny-seed1.json', 'runs');
    const report = JSON.parse(readFileSync(join(reports, 'runs/eclipse-tiny-seed1.json'), 'utf8'));
    expect(await page.locator('[data-panel="eclipse"] rect.hist-bar').count()).toBeGreaterThan(0);
    const heights = await page.locator('[data-panel="eclipse"] rect.hist-bar').evaluateAll((rs) => rs.filter((r) => Number(r.getAttribute('height')) > 0).length);
    expect(heights).toBeGreaterThan(0);
    expect(report.attacks.eclipse.perVictim.length).toBe(report.attacks.eclipse.victims);
    expect(await page.locator('[data-panel="eve-ranking"] .absent').textContent()).toBe('not in this report');
    expect(await page.locator('[data-panel="roc"] .absent').count()).toBe(1);
    // A DHT run measures no message latencies: latencyCdf is null, and the panel says so.
    expect(report.traffic.latencyCdf).toBeNull();
    expect(await page.locator('[data-panel="latency-cdf"] .absent').count()).toBe(1);
    await shot('run-eclipse');
  });

  it('Sweeps: the trade-off chart has one point per grid point and the Pareto frontier; metric vs parameter with CIs', async () => {
    await go('#/sweeps', 'sweeps');
    await page.click('tr[data-sweep="tiny-noise"]');
    await page.waitForSelector('[data-testid="sweep-view"]');
    const summary = JSON.parse(readFileSync(join(reports, 'sweeps/tiny-noise/summary.json'), 'utf8'));
    expect(summary.points).toHaveLength(2);
    expect(await page.locator('[data-testid="tradeoff-svg"] circle.point').count()).toBe(summary.points.length);
    expect(await page.locator('[data-testid="tradeoff-svg"] circle.point.on-frontier').count()).toBeGreaterThan(0);
    // The frontier line is drawn when two or more points are on it.
    const frontier = await page.locator('[data-testid="tradeoff-svg"] circle.point.on-frontier').count();
    expect(await page.locator('[data-testid="frontier-line"]').count()).toBe(1);
    expect(frontier).toBeGreaterThanOrEqual(1);
    await page.locator('[data-testid="sweep-metric"]').selectOption('traffic.bandwidthOverhead');
    expect(await page.locator('[data-testid="param-svg"] circle.param-point').count()).toBe(2);
    expect(await page.locator('[data-testid="param-svg"] line.ci').count()).toBe(2);
    await shot('sweep');
  });

  it('Tunes: a tune opens with one point per setting, its frontier table and the chosen setting', async () => {
    await go('#/sweeps', 'sweeps');
    await page.click('tr[data-tune="tiny-tune"]');
    await page.waitForSelector('[data-testid="tune-view"]');
    const tune = JSON.parse(readFileSync(join(reports, 'tune/tiny-tune/tune.json'), 'utf8'));
    expect(tune.candidates).toHaveLength(3);
    expect(await page.locator('[data-testid="tradeoff-svg"] circle.point').count()).toBe(3);
    expect(await page.locator('[data-testid="tradeoff-svg"] circle.point.on-frontier').count()).toBe(tune.frontier.length);
    expect(await page.locator('[data-testid="tune-frontier"] tbody tr').count()).toBe(tune.frontier.length);
    expect(await page.locator('[data-testid="tune-best"]').textContent()).toMatch(tune.best === null ? /No setting meets/ : /Cheapest setting meeting every target/);
    await shot('tune');
    // The tune's cell reports are not runs.
    await go('#/runs', 'runs');
    expect(await page.locator('tr[data-path^="tune/"]').count()).toBe(0);
  });

  it('Compare highlights what regressed', async () => {
    await go('#/compare?a=runs%2Fmessenger-tiny-seed1.json&b=runs%2Fmessenger-tiny-worse.json', 'compare');
    expect(await page.locator('tr.regressed[data-metric="traffic.deliveryRatio"]').count()).toBe(1);
    expect(await page.locator('[data-testid="compare-verdict"]').textContent()).toMatch(/regression.*traffic\.deliveryRatio/);
    await shot('compare');
  });

  it('New run: the form comes from the schema; a run started from the page finishes and appears in Runs', async () => {
    await go('#/new', 'new');
    expect(await page.locator('[data-testid="field-noise.policy"] option').allTextContents()).toEqual(['off', 'poisson', 'constant', 'constant-node']);
    expect(await page.locator('[data-testid="field-nodes"]').getAttribute('min')).toBe('2');
    await page.locator('[data-testid="field-scenario"]').selectOption('ping-small.json');
    await page.fill('[data-testid="field-nodes"]', '16');
    await page.fill('[data-testid="field-durationS"]', '4');
    await page.fill('[data-testid="field-seed"]', '9');
    await page.click('[data-testid="start-run"]');
    await page.waitForSelector('[data-testid="job-progress"]');
    await page.waitForSelector('[data-testid="job-done"]', { timeout: 30_000 });
    await shot('new-run');
    await page.click('[data-testid="job-done"] a[href="#/runs"]');
    await page.waitForSelector('main[data-view="runs"] tr.run-row');
    expect(await page.locator('tr.run-row[data-path^="runs/ping-small-seed9-"]').count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
