/**
 * The dashboard API over a temporary reports directory, served on 127.0.0.1:0: every route, path traversal
 * (each case guards the check in safe-path.ts that refuses it), malformed reports, bad run parameters, a full
 * queue, and one real run through the queue on a worker thread with its server-sent events.
 */
import { request as httpRequest } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario/load-scenario.ts';
import { runScenario } from '../../sim/scenario/run-scenario.ts';
import type { RunHandle, StartRun } from './worker-runner.ts';
import { startServer, type RunningServer } from './start-server.ts';

const tmp = mkdtempSync(join(tmpdir(), 'paratox-dash-api-'));
const reports = join(tmp, 'reports');
const outside = join(tmp, 'outside');
const SECRET = 'TOP-SECRET-OUTSIDE-REPORTS';
let server: RunningServer;
let base: string;

const tiny = { name: 'api-tiny', nodes: 12, durationS: 3, ping: { intervalMs: 200, peersPerNode: 3 } };

function writeJson(rel: string, value: unknown): void {
  const file = join(reports, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
}

/** A raw request: the path goes out exactly as written (fetch would normalise "%2e%2e/"). */
function raw(path: string, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function getJson(path: string): Promise<{ status: number; json: any }> {
  const res = await fetch(new URL(path, base));
  return { status: res.status, json: await res.json() };
}

async function post(body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(new URL('/api/jobs', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

beforeAll(async () => {
  const scenario = parseScenario(tiny);
  const a = runScenario(scenario, { seed: 1 });
  const b = runScenario(scenario, { seed: 2 });
  writeJson('runs/a.json', a);
  writeJson('runs/b.json', b);
  // The same run with a worse delivery ratio: compare must flag it.
  writeJson('runs/a-worse.json', { ...a, traffic: { ...a.traffic, deliveryRatio: (a.traffic.deliveryRatio ?? 1) - 0.2 } });
  writeJson('runs/broken.json', '{ "paratox": 1, "scenario": ');
  writeJson('runs/no-traffic.json', { paratox: 1, scenario: { name: 'x' } });
  writeJson('tolerances-like.json', { metrics: {} });
  writeJson('runs/notes.txt', 'not json');
  // A sweep: manifest and summary (shapes of sim/sweep), three grid points, one dominated.
  const point = (rate: number, overhead: number, anonymity: number) => ({
    params: { 'noise.ratePerS': rate },
    cells: [],
    metrics: {
      'traffic.bandwidthOverhead': { n: 2, mean: overhead, sd: 0.1, ci95: [overhead - 0.5, overhead + 0.5], min: overhead, max: overhead },
      'attacks.eve.degreeOfAnonymity': { n: 2, mean: anonymity, sd: 0.01, ci95: [anonymity - 0.02, anonymity + 0.02], min: anonymity, max: anonymity },
    },
  });
  writeJson('sweeps/s1/sweep.json', { paratoxSweep: 1, name: 's1', grid: { 'noise.ratePerS': [0, 1, 2] }, cells: [{}, {}, {}, {}, {}, {}] });
  writeJson('sweeps/s1/summary.json', { paratoxSweep: 1, name: 's1', points: [point(0, 1, 0.5), point(1, 3, 0.4), point(2, 5, 0.9)] });
  // A tune (sim/tune/run-tune.ts TuneResult shape) with a cell report that must not be listed as a run, and a broken one.
  writeJson('tune/t1/tune.json', { paratoxTune: 1, name: 't1', cost: 'traffic.bandwidthOverhead', benefit: 'attacks.eve.degreeOfAnonymity', runs: 5, gridRuns: 9, best: 0, candidates: [{}, {}, {}], frontier: [0, 2] });
  writeJson('tune/t1/cells/0123456789abcdef.json', a);
  writeJson('tune/t2/tune.json', { paratoxTune: 1, candidates: 'oops' });
  // Outside the reports directory, reachable only through symlinks planted inside it.
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'secret.json'), JSON.stringify({ paratox: 1, scenario: { name: SECRET }, traffic: {} }));
  symlinkSync(join(outside, 'secret.json'), join(reports, 'runs', 'link-out.json'));
  symlinkSync(outside, join(reports, 'linked-dir'));
  server = await startServer({ reportsDir: reports, port: 0 });
  base = server.url;
});

afterAll(async () => {
  await server?.close();
});

describe('dashboard API: runs', () => {
  it('binds 127.0.0.1 by default', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('GET /api/runs lists reports with key figures and broken files with their reason, and nothing from outside', async () => {
    const { status, json } = await getJson('/api/runs');
    expect(status).toBe(200);
    const byPath = Object.fromEntries(json.runs.map((r: any) => [r.path, r]));
    expect(Object.keys(byPath).sort()).toEqual(['runs/a-worse.json', 'runs/a.json', 'runs/b.json', 'runs/broken.json', 'runs/no-traffic.json']);
    expect(byPath['runs/a.json']).toMatchObject({ scenario: 'api-tiny', seed: 1, protocol: 'ping', nodes: 12 });
    expect(byPath['runs/a.json'].figures.deliveryRatio).toBeGreaterThan(0.5);
    expect(new Date(byPath['runs/a.json'].date).getTime()).toBeGreaterThan(0);
    expect(byPath['runs/broken.json'].broken).toMatch(/invalid JSON/);
    expect(byPath['runs/no-traffic.json'].broken).toMatch(/traffic: missing/);
    expect(json.broken).toBe(2);
    expect(JSON.stringify(json)).not.toContain(SECRET);
  });

  it('GET /api/runs re-reads a file whose mtime or size changed and forgets a removed one (the index cache)', async () => {
    const report = JSON.parse(readFileSync(join(reports, 'runs/a.json'), 'utf8'));
    const seedOf = async () => (await getJson('/api/runs')).json.runs.find((r: any) => r.path === 'runs/changing.json')?.seed;
    writeJson('runs/changing.json', report);
    expect(await seedOf()).toBe(1);
    writeJson('runs/changing.json', { ...report, seed: 12345, scenario: { ...report.scenario, name: 'renamed' } });
    expect(await seedOf()).toBe(12345);
    rmSync(join(reports, 'runs/changing.json'));
    expect(await seedOf()).toBeUndefined();
  });

  it('GET /api/runs/<path> returns the report; a broken one 422, a missing one 404, a non-JSON one 400', async () => {
    const ok = await getJson('/api/runs/runs/a.json');
    expect(ok.status).toBe(200);
    expect(ok.json.report.scenario.name).toBe('api-tiny');
    expect((await getJson('/api/runs/runs/broken.json')).status).toBe(422);
    expect((await getJson('/api/runs/runs/none.json')).status).toBe(404);
    expect((await getJson('/api/runs/runs/notes.txt')).status).toBe(400);
  });

  it('keeps serving after a malformed report (broken files are answers, not crashes)', async () => {
    writeJson('runs/garbage.json', '\u0000\u00ff{{{');
    expect((await getJson('/api/runs/runs/garbage.json')).status).toBe(422);
    expect((await getJson('/api/runs')).status).toBe(200);
  });
});

describe('dashboard API: paths cannot leave the reports directory', () => {
  const attempts = [
    '/api/runs/..%2f..%2foutside%2fsecret.json',
    '/api/runs/runs%2f..%2f..%2foutside%2fsecret.json',
    '/api/runs/%2e%2e/outside/secret.json',
    '/api/runs/%2e%2e%2foutside%2fsecret.json',
    '/api/runs/../outside/secret.json',
    '/api/runs/%2F' + encodeURIComponent(join(outside, 'secret.json').slice(1)),
    '/api/runs//' + join(outside, 'secret.json').slice(1),
    '/api/runs/runs/link-out.json',
    '/api/runs/linked-dir/secret.json',
    '/api/runs/runs/a.json%00.json',
    '/api/runs/runs%5c..%5c..%5coutside%5csecret.json',
    '/api/compare?a=runs/a.json&b=..%2foutside%2fsecret.json',
    '/api/compare?a=runs/a.json&b=runs/link-out.json',
    '/api/compare?a=runs/a.json&b=' + encodeURIComponent(join(outside, 'secret.json')),
    '/api/sweeps/..%2foutside',
    '/api/sweeps/%2e%2e',
    '/api/tunes/..%2foutside',
    '/api/tunes/%2e%2e',
    '/api/tunes/linked-dir',
  ];
  for (const path of attempts) {
    it(`refuses ${path}`, async () => {
      const res = await raw(path);
      expect([400, 404]).toContain(res.status);
      expect(res.body).not.toContain(SECRET);
      expect(JSON.parse(res.body).error).toEqual(expect.any(String));
    });
  }

  it('answers a malformed percent-encoding with 400, not a crash', async () => {
    const res = await raw('/api/runs/runs/%zz.json');
    expect(res.status).toBe(400);
  });
});

describe('dashboard API: sweeps, compare, scenarios, schema', () => {
  it('GET /api/sweeps lists the sweep', async () => {
    const { json } = await getJson('/api/sweeps');
    expect(json.sweeps).toEqual([expect.objectContaining({ name: 's1', cells: 6, hasSummary: true })]);
  });

  it('GET /api/sweeps/<name> gives the summary and the Pareto frontier of overhead vs anonymity', async () => {
    const { status, json } = await getJson('/api/sweeps/s1');
    expect(status).toBe(200);
    expect(json.params).toEqual(['noise.ratePerS']);
    expect(json.summary.points).toHaveLength(3);
    // Point 1 (overhead 3, anonymity 0.4) is beaten by point 0 on both: not on the frontier.
    expect(json.frontier).toEqual([0, 2]);
    expect((await getJson('/api/sweeps/nope')).status).toBe(404);
    expect((await getJson('/api/sweeps/bad%20name')).status).toBe(400);
  });

  it('GET /api/tunes lists tunes (a broken tune.json with its reason); their cells are not runs', async () => {
    const { json } = await getJson('/api/tunes');
    expect(json.tunes).toEqual([
      expect.objectContaining({ name: 't1', candidates: 3, runs: 5, gridRuns: 9, best: 0 }),
      expect.objectContaining({ name: 't2', broken: expect.stringMatching(/^tune\.json: candidates and frontier must be lists/) }),
    ]);
    const runs = await getJson('/api/runs');
    expect(runs.json.runs.some((r: any) => r.path.startsWith('tune/'))).toBe(false);
  });

  it('GET /api/tunes/<name> gives tune.json; broken 422, missing 404, bad name 400', async () => {
    const { status, json } = await getJson('/api/tunes/t1');
    expect(status).toBe(200);
    expect(json.frontier).toEqual([0, 2]);
    expect((await getJson('/api/tunes/t2')).status).toBe(422);
    expect((await getJson('/api/tunes/nope')).status).toBe(404);
    expect((await getJson('/api/tunes/bad%20name')).status).toBe(400);
  });

  it('GET /api/compare flags a regression by the tolerances of paratox compare', async () => {
    const { status, json } = await getJson('/api/compare?a=runs/a.json&b=runs/a-worse.json');
    expect(status).toBe(200);
    expect(json.regressions).toContain('traffic.deliveryRatio');
    expect(json.rows.find((r: any) => r.metric === 'traffic.deliveryRatio').verdict).toBe('regressed');
  });

  it('GET /api/compare shows two seeds side by side, listing the difference; strict=1 refuses like the CLI', async () => {
    const loose = await getJson('/api/compare?a=runs/a.json&b=runs/b.json');
    expect(loose.status).toBe(200);
    expect(loose.json.allowedDifferences).toEqual(['seed']);
    const strict = await getJson('/api/compare?a=runs/a.json&b=runs/b.json&strict=1');
    expect(strict.status).toBe(400);
    expect(strict.json.error).toMatch(/differs .* seed/);
    expect((await getJson('/api/compare?a=runs/a.json')).status).toBe(400);
    expect((await getJson('/api/compare?a=runs/a.json&b=runs/broken.json')).status).toBe(400);
  });

  it('GET /api/scenarios lists scenario files with name, description and form defaults', async () => {
    const { json } = await getJson('/api/scenarios');
    const ping = json.scenarios.find((s: any) => s.id === 'ping-small.json');
    expect(ping).toMatchObject({ name: 'ping-small', protocol: 'ping', nodes: 200 });
    expect(ping.description.length).toBeGreaterThan(10);
    expect(ping.defaults).toMatchObject({ seed: 1, nodes: 200, durationS: 60, 'noise.policy': expect.any(String) });
    expect(json.scenarios.some((s: any) => s.id === 'sweeps/messenger-noise-tiny.json')).toBe(true);
    // Sweep files are not scenarios.
    expect(json.scenarios.some((s: any) => s.id === 'sweeps/noise-padding.yaml')).toBe(false);
  });

  it('GET /api/schema is the scenario JSON Schema', async () => {
    const { json } = await getJson('/api/schema');
    expect(json.$schema).toMatch(/2020-12/);
    expect(json.properties.nodes).toBeDefined();
    expect(json.properties.noise).toBeDefined();
  });

  it('serves the page, d3 from node_modules, and 404s unknown API routes as JSON', async () => {
    const d3 = await fetch(new URL('/d3.min.js', base));
    expect(d3.status).toBe(200);
    expect(await d3.text()).toMatch(/d3js\.org v7/);
    const page = await fetch(base);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await page.text()).toMatch(/<script type="module" src="\/?app\.js">/);
    const nope = await getJson('/api/nope');
    expect(nope.status).toBe(404);
  });
});

describe('dashboard API: starting runs', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['an unknown scenario', { scenario: 'no-such' }, /no scenario "no-such"/],
    ['a wrong value type (the loader message)', { scenario: 'ping-small', set: { nodes: 'many' } }, /nodes: expected number, got "many"/],
    ['an out-of-range value', { scenario: 'ping-small', set: { 'network.lossRate': 2 } }, /network\.lossRate/],
    ['an unknown field', { scenario: 'ping-small', set: { colour: 'red' } }, /unknown field "colour"/],
    ['a prototype path', { scenario: 'ping-small', set: { '__proto__.polluted': 1 } }, /"__proto__" is not a scenario field/],
    ['a bad seed', { scenario: 'ping-small', seed: -1 }, /seed: expected an integer/],
    ['an unknown body field', { scenario: 'ping-small', rm: '-rf' }, /unknown field "rm"/],
    ['a non-object body', [1, 2], /expected a JSON object/],
    ['invalid JSON', '{ "scenario": ', /not valid JSON/],
  ];
  for (const [what, body, message] of bad) {
    it(`POST /api/jobs answers 400 for ${what}`, async () => {
      const { status, json } = await post(body);
      expect(status).toBe(400);
      expect(json.error).toMatch(message);
      expect(json.error.split('\n')).toHaveLength(1);
    });
  }

  it('POST /api/jobs refuses a body not declared as JSON (a cross-site form or text/plain fetch) with 415', async () => {
    const res = await fetch(new URL('/api/jobs', base), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ scenario: 'ping-small' }) });
    expect(res.status).toBe(415);
    expect(server.queue.list()).toEqual([]);
  });

  it('refuses a foreign Host header (DNS rebinding) with 403', async () => {
    const url = new URL(base);
    const res = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: '/api/runs', headers: { host: 'evil.example:8080' } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(res).toBe(403);
    expect((await raw('/api/runs')).status).toBe(200);
  });

  it('POST /api/jobs refuses a body over the size limit with 413', async () => {
    const { status } = await post({ scenario: 'ping-small', set: { description: 'x'.repeat(20_000) } });
    expect(status).toBe(413);
  });

  it('a full queue answers 429; queued jobs can be cancelled', async () => {
    const started: string[] = [];
    const never: StartRun = (task): RunHandle => {
      started.push(task.reportFile);
      return { cancel: () => {} };
    };
    const small = await startServer({ reportsDir: reports, port: 0, startRun: never, maxQueued: 2 });
    try {
      const submit = () => fetch(new URL('/api/jobs', small.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario: 'ping-small' }) });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await submit()).status);
      // One running, two waiting, the fourth refused.
      expect(statuses).toEqual([202, 202, 202, 429]);
      expect(started).toHaveLength(1);
      const jobs = ((await (await fetch(new URL('/api/jobs', small.url))).json()) as { jobs: any[] }).jobs;
      expect(jobs.map((j: any) => j.status).sort()).toEqual(['queued', 'queued', 'running']);
      const cancel = await fetch(new URL(`/api/jobs/${jobs.find((j: any) => j.status === 'queued').id}`, small.url), { method: 'DELETE' });
      expect(((await cancel.json()) as { cancelled: boolean }).cancelled).toBe(true);
      expect((await submit()).status).toBe(202);
    } finally {
      await small.close();
    }
  });

  it('runs a scenario on a worker thread, streams progress as server-sent events, and lists the new report', async () => {
    const { status, json: job } = await post({ scenario: 'ping-small', seed: 7, set: { nodes: 16, durationS: 4 } });
    expect(status).toBe(202);
    const events = await fetch(new URL(`/api/jobs/${job.id}/events`, base));
    expect(events.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await events.text(); // the stream ends after the terminal event
    const parsed = text
      .split('\n\n')
      .filter((b) => b.startsWith('event:'))
      .map((b) => ({ type: /^event: (\w+)/.exec(b)![1], data: JSON.parse(/\ndata: (.*)/.exec(b)![1]) }));
    expect(parsed.at(-1)!.type).toBe('done');
    const progress = parsed.filter((e) => e.type === 'progress').map((e) => e.data.percent);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.some((p) => p > 0 && p < 100)).toBe(true);
    const done = parsed.at(-1)!.data;
    expect(done.report).toMatch(/^runs\/ping-small-seed7-\d{8}-\d{6}-\d{3}\.json$/);
    const report = JSON.parse(readFileSync(join(reports, done.report), 'utf8'));
    expect(report).toMatchObject({ seed: 7, sim: { nodes: 16, simulatedSeconds: 4 } });
    // The overrides are in the command that reproduces the run.
    expect(report.reproduce).toBe('npx paratox seeds scenarios/ping-small.json --seeds 1 --first 7 --set nodes=16 --set durationS=4');
    const runs = (await getJson('/api/runs')).json.runs;
    expect(runs.find((r: any) => r.path === done.report)).toMatchObject({ scenario: 'ping-small', seed: 7, nodes: 16 });
  });
});
