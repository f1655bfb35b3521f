/**
 * Scale check of the dashboard (issue 13: "usable with 1,000 runs listed and a 10,000-node report open"), a
 * script, not a timed test: `npx tsx dashboard/scale-check.ts`. It writes 1,000 report files (copies of one
 * real tiny messenger report with varied scenario names and seeds) and one 10,000-node-sized report (every
 * bounded section at its cap: 100 sampled nodes and 400 links, 10 circuits, 1,000 eclipse victims, 240
 * traffic buckets, 101 CDF points, 50 Eve targets) into a temporary reports directory, then measures in
 * headless Chromium how long the Runs list and that run take to load. Results: dashboard/README.md.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { startServer } from './server/start-server.ts';
import { runScenario, tinyMessenger, withSyntheticExtensions, writeReport } from './browser/fixtures.ts';

const RUNS = 1000;

function bigReport(base: Record<string, any>): Record<string, any> {
  const r = JSON.parse(JSON.stringify(base));
  r.scenario = { ...r.scenario, name: 'scale-10k-sized', nodes: 10_000 };
  r.sim = { ...r.sim, nodes: 10_000 };
  const nodes = Array.from({ length: 100 }, (_, i) => ({ id: `n${i * 100}`, role: i < 8 ? 'entry' : 'relay', malicious: i % 9 === 4 }));
  const links = Array.from({ length: 400 }, (_, i) => ({ source: nodes[i % 100].id, target: nodes[(i * 37 + 11) % 100].id }));
  const circuits = Array.from({ length: 10 }, (_, c) => ({ id: `c${c}`, user: nodes[c * 7].id, hops: [1, 2, 3].map((h) => nodes[(c * 7 + h * 13) % 100].id) }));
  r.network = { totalNodes: 10_000, nodes, links, circuits };
  const buckets = 240;
  const bucketMs = 2500;
  const series = (k: number) => Array.from({ length: buckets }, (_, i) => Math.round(k * (1 + Math.sin(i / 9))));
  r.traffic.series = { bucketMs, t: Array.from({ length: buckets }, (_, i) => i * bucketMs), realPackets: series(4000), noisePackets: series(2500), realBytes: series(4e6), noiseBytes: series(2.5e6), messagesSent: series(30), messagesDelivered: series(29) };
  r.traffic.latencyCdf = { ms: Array.from({ length: 101 }, (_, i) => i * 40), fraction: Array.from({ length: 101 }, (_, i) => 1 - Math.exp(-i / 20)) };
  r.attacks.eclipse = { maliciousFraction: 0.1, victims: 1000, eclipsedVictims: 3, poisonedLookupFraction: 0.02, flaggedEntries: 4, adversarialCircuitFraction: null, victimHarm: { majorityMaliciousShare: 0.05, meanMaliciousTableShare: 0.1, lookupSuccessRate: 0.95, anyPoisonedLookupShare: 0.1, unfinishedJoins: 0, falselyFlaggedEntries: 1 }, perVictim: Array.from({ length: 1000 }, (_, i) => ({ maliciousTableShare: ((i * 7919) % 1000) / 2000, maliciousEntriesKnown: i % 4, joined: true, lookupSuccess: 1 })) };
  const targets = r.attacks.eveTargets ?? [];
  r.attacks.eveTargets = Array.from({ length: 50 }, (_, i) => ({ ...targets[i % Math.max(1, targets.length)], target: `u${i}` }));
  return r;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'paratox-dash-scale-'));
  const real = withSyntheticExtensions(runScenario(tinyMessenger()));
  let t = performance.now();
  for (let i = 0; i < RUNS; i++) writeReport(dir, `runs/r${String(i).padStart(4, '0')}.json`, { ...real, seed: i, scenario: { ...real.scenario, name: `scale-${i % 17}`, seed: i } });
  writeReport(dir, 'runs/big-10k.json', bigReport(real));
  console.log(`wrote ${RUNS + 1} reports (${((RUNS * JSON.stringify(real).length) / 2 ** 20).toFixed(0)} MiB) in ${(performance.now() - t).toFixed(0)} ms`);

  const server = await startServer({ reportsDir: dir, port: 0 });
  const api = async (label: string) => {
    const t0 = performance.now();
    const body = (await (await fetch(new URL('/api/runs', server.url))).json()) as { count: number };
    console.log(`GET /api/runs ${label}: ${body.count} runs in ${(performance.now() - t0).toFixed(0)} ms`);
  };
  await api('cold (parses every report)');
  await api('warm (index cache)');

  const browser = await chromium.launch({ executablePath: process.env.PARATOX_CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    t = performance.now();
    await page.goto(`${server.url}#/runs`);
    await page.waitForSelector('main[data-view="runs"] tr.run-row');
    const rows = await page.locator('tr.run-row').count();
    console.log(`Runs view: ${rows} rows rendered ${(performance.now() - t).toFixed(0)} ms after navigation`);
    t = performance.now();
    await page.fill('[data-testid="runs-filter"]', 'scale-3 ');
    const filtered = await page.locator('tr.run-row').count();
    console.log(`filter "scale-3": ${filtered} rows in ${(performance.now() - t).toFixed(0)} ms`);
    t = performance.now();
    await page.click('th[data-key="seed"]');
    console.log(`sort by seed: ${(performance.now() - t).toFixed(0)} ms`);
    t = performance.now();
    await page.goto(`${server.url}#/run/runs%2Fbig-10k.json`);
    await page.waitForSelector('main[data-view="runs"] [data-testid="run-view"]');
    const nodes = await page.locator('[data-panel="network"] circle.node').count();
    const bars = await page.locator('[data-panel="eclipse"] rect.hist-bar').count();
    console.log(`10,000-node report view: network ${nodes} nodes, eclipse histogram ${bars} bins, rendered ${(performance.now() - t).toFixed(0)} ms after navigation`);
    await page.screenshot({ path: join(process.cwd(), '.ci/out/screenshots/scale-10k-run.png'), fullPage: true }).catch(() => {});
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
