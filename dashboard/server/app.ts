/**
 * The dashboard's HTTP side: a JSON API over the reports directory and the static front end (dashboard/public,
 * d3 from node_modules). Every route validates its input: paths are resolved under the reports directory
 * (safe-path.ts), bodies are size-limited JSON, and any error becomes a status with a one-line JSON message
 * ({ error }), never a stack and never a crashed server. Routes: dashboard/README.md.
 */
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchema } from '../../sim/scenario/json-schema.ts';
import { compareRuns, tolerancesFor } from './compare-runs.ts';
import { badRequest, HttpError, notFound } from './http-error.ts';
import { readJsonFile } from './read-json-file.ts';
import { ReportIndex } from './report-index.ts';
import { parseRunRequest } from './run-request.ts';
import { RunQueue, type JobView } from './run-queue.ts';
import { resolveUnder } from './safe-path.ts';
import { loadScenarios } from './scenarios.ts';
import { listSweeps, loadSweep } from './sweeps.ts';
import { listTunes, loadTune } from './tunes.ts';
import { startWorkerRun, type StartRun } from './worker-runner.ts';

export const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
export const D3_FILE = fileURLToPath(new URL('../../node_modules/d3/dist/d3.min.js', import.meta.url));
export const REPO_SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export interface AppOptions {
  /** The directory served (reports/): runs, sweeps/, and where new runs are written (runs/). */
  reportsDir: string;
  /** Where runnable scenarios are found (default: the repository's scenarios/). */
  scenariosDir?: string;
  /** Tolerances for Compare (default <reportsDir>/tolerances.json, else the repository's). */
  tolerancesFile?: string;
  /** Runs at a time (default 1) and waiting runs before 429 (default 20). */
  maxRunning?: number;
  maxQueued?: number;
  /** How a run is started (default: a worker thread); tests pass doubles. */
  startRun?: StartRun;
  /** Largest request body (default 16 KiB: a run request is a few hundred bytes). */
  bodyLimitBytes?: number;
  /**
   * Host header names accepted (lower case, without port); undefined accepts any. startServer sets the loopback
   * names when bound to loopback, so a web page elsewhere cannot reach the API through DNS rebinding.
   */
  allowedHosts?: readonly string[];
}

export interface Dashboard {
  app: Express;
  queue: RunQueue;
  index: ReportIndex;
}

/** Express 5 gives a `*name` wildcard as its decoded segments. */
function wildcardPath(req: Request, name: string): string {
  const v = (req.params as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v.join('/') : (v ?? '');
}

function stringQuery(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badRequest(`${name}: give it once, as a string`);
  return v;
}

function requiredQuery(req: Request, name: string): string {
  const v = stringQuery(req, name);
  if (v === undefined || v.length === 0) throw badRequest(`${name}: required query parameter`);
  return v;
}

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  // Scripts only from this server (no CDN); d3 sets inline styles.
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

export function createApp(opts: AppOptions): Dashboard {
  const reportsDir = opts.reportsDir;
  const scenariosDir = opts.scenariosDir ?? REPO_SCENARIOS;
  const index = new ReportIndex(reportsDir);
  const queue = new RunQueue({ reportsDir, startRun: opts.startRun ?? startWorkerRun, maxRunning: opts.maxRunning, maxQueued: opts.maxQueued });
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    res.set(SECURITY_HEADERS);
    if (opts.allowedHosts && !opts.allowedHosts.includes(hostName(req.headers.host))) return next(new HttpError(403, 'unexpected Host header'));
    next();
  });
  // Only declared JSON is read: a cross-site form or a no-preflight fetch (text/plain) cannot start runs.
  app.use('/api', (req, _res, next) => {
    if (req.method === 'POST' && !req.is('application/json')) return next(new HttpError(415, 'send the body as Content-Type: application/json'));
    next();
  });
  app.use('/api', express.json({ limit: opts.bodyLimitBytes ?? 16 * 1024, strict: true }));

  app.get('/api/runs', (_req, res) => {
    const runs = index.list();
    res.json({ count: runs.length, broken: runs.filter((r) => r.broken).length, runs });
  });

  app.get('/api/runs/*file', (req, res) => {
    const rel = wildcardPath(req, 'file');
    const file = resolveUnder(reportsDir, rel, 'file', '.json');
    let report: unknown;
    try {
      report = readJsonFile(file);
    } catch (err) {
      // A broken file is an answer about that file, not a server failure.
      throw new HttpError(422, `${rel}: ${(err as Error).message}`);
    }
    res.json({ path: rel, report });
  });

  app.get('/api/sweeps', (_req, res) => {
    res.json({ sweeps: listSweeps(reportsDir) });
  });

  app.get('/api/sweeps/:name', (req, res) => {
    res.json(loadSweep(reportsDir, req.params.name, stringQuery(req, 'cost'), stringQuery(req, 'benefit')));
  });

  app.get('/api/tunes', (_req, res) => {
    res.json({ tunes: listTunes(reportsDir) });
  });

  app.get('/api/tunes/:name', (req, res) => {
    res.json(loadTune(reportsDir, req.params.name));
  });

  app.get('/api/compare', (req, res) => {
    const names: [string, string] = [requiredQuery(req, 'a'), requiredQuery(req, 'b')];
    const files = names.map((n) => resolveUnder(reportsDir, n, 'file', '.json'));
    const strict = stringQuery(req, 'strict') === '1';
    res.json(compareRuns(files[0], files[1], names, tolerancesFor(opts.tolerancesFile, reportsDir), strict));
  });

  app.get('/api/scenarios', (_req, res) => {
    res.json({ scenarios: loadScenarios(scenariosDir).map((s) => ({ ...s.entry, defaults: pickDefaults(s.scenario) })) });
  });

  app.get('/api/schema', (_req, res) => {
    res.json(scenarioJsonSchema());
  });

  app.get('/api/jobs', (_req, res) => {
    res.json({ jobs: queue.list() });
  });

  app.post('/api/jobs', (req, res) => {
    const request = parseRunRequest(req.body, scenariosDir);
    const job = queue.submit(request);
    res.status(202).location(`/api/jobs/${job.id}`).json(job);
  });

  app.get('/api/jobs/:id', (req, res) => {
    const job = queue.get(req.params.id);
    if (!job) throw notFound(`no job ${req.params.id.slice(0, 40)}`);
    res.json(job);
  });

  app.delete('/api/jobs/:id', (req, res) => {
    if (!queue.get(req.params.id)) throw notFound(`no job ${req.params.id.slice(0, 40)}`);
    res.json({ cancelled: queue.cancel(req.params.id), job: queue.get(req.params.id) });
  });

  app.get('/api/jobs/:id/events', (req, res) => streamJob(queue, req, res));

  app.use('/api', (_req, _res, next) => next(notFound('no such API route')));

  app.get('/d3.min.js', (_req, res) => {
    res.type('application/javascript').sendFile(D3_FILE);
  });
  app.use(express.static(PUBLIC_DIR, { index: 'index.html', dotfiles: 'deny', fallthrough: true }));

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { status, message } = errorAnswer(err);
    if (res.headersSent) return void res.end();
    res.status(status).json({ error: message });
  });

  return { app, queue, index };
}

/** "localhost:8080" -> "localhost", "[::1]:80" -> "::1"; lower case. */
function hostName(header: string | undefined): string {
  const h = (header ?? '').toLowerCase();
  const m = /^\[([^\]]*)\]/.exec(h);
  return m ? m[1] : h.replace(/:\d+$/, '');
}

/** The fields the New-run form edits, with the scenario's values as defaults. */
function pickDefaults(s: ReturnType<typeof loadScenarios>[number]['scenario']): Record<string, unknown> {
  return {
    seed: s.seed,
    nodes: s.nodes,
    durationS: s.durationS,
    'noise.policy': s.noise.policy,
    'noise.ratePerS': s.noise.ratePerS,
    'packet.paddingMode': s.packet.paddingMode,
  };
}

/** Any error -> status and one line: ours keep theirs, body-parser's and express's 4xx keep theirs, the rest is 500. */
function errorAnswer(err: unknown): { status: number; message: string } {
  if (err instanceof HttpError) return { status: err.status, message: err.message };
  const e = err as { status?: number; statusCode?: number; type?: string; message?: string };
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const words: Record<string, string> = {
      'entity.too.large': 'request body too large',
      'entity.parse.failed': 'request body is not valid JSON',
      'encoding.unsupported': 'unsupported request body encoding',
    };
    return { status, message: words[e.type ?? ''] ?? (status === 404 ? 'not found' : 'bad request') };
  }
  return { status: 500, message: 'internal error (a bug; the server log has it)' };
}

/** Server-sent events of one job: its state now, then every change, until it ends. */
function streamJob(queue: RunQueue, req: Request, res: Response): void {
  const job = queue.get(req.params.id as string);
  if (!job) throw notFound(`no job ${String(req.params.id).slice(0, 40)}`);
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  const send = (j: JobView): void => {
    const type = j.status === 'running' || j.status === 'queued' ? 'progress' : j.status;
    res.write(`event: ${type}\ndata: ${JSON.stringify(j)}\n\n`);
    if (type !== 'progress') res.end();
  };
  send(job);
  if (res.writableEnded) return;
  const unsubscribe = queue.subscribe(job.id, send);
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  res.on('close', () => {
    clearInterval(keepAlive);
    unsubscribe();
  });
}
