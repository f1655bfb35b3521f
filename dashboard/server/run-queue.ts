/**
 * The run queue: first in, first out, `maxRunning` runs at a time (1 by default: a run takes a core), at most
 * `maxQueued` waiting (a full queue answers 429 rather than growing without bound). Each job's state changes go
 * to its subscribers (the SSE streams). Finished jobs are kept, the last `keepFinished`, so a page that
 * reconnects still learns the outcome.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HttpError } from './http-error.ts';
import type { RunJobMessage } from './run-job.ts';
import type { RunRequest } from './run-request.ts';
import type { RunHandle, StartRun } from './worker-runner.ts';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobView {
  id: string;
  scenario: string;
  seed: number;
  overrides: Record<string, unknown>;
  status: JobStatus;
  /** Simulated time reached, 0-100. */
  percent: number;
  events: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Relative to the reports directory, once done. */
  report: string | null;
  error: string | null;
}

export type JobListener = (job: JobView) => void;

interface Job {
  view: JobView;
  request: RunRequest;
  handle: RunHandle | null;
  listeners: Set<JobListener>;
}

export interface RunQueueOptions {
  reportsDir: string;
  startRun: StartRun;
  maxRunning?: number;
  maxQueued?: number;
  keepFinished?: number;
  /** Clock for file stamps and job times (tests may fix it). */
  now?: () => Date;
}

const TERMINAL: ReadonlySet<JobStatus> = new Set(['done', 'failed', 'cancelled']);

/** "2026-12-03T09:33:00.123Z" -> "20261203-093300-123": sortable, no characters a file name dislikes. */
export function fileStamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').replace('Z', '');
}

export function safeFileWord(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 80) || 'run';
}

export class RunQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly waiting: Job[] = [];
  private running = 0;
  private nextId = 1;
  private readonly opts: Required<RunQueueOptions>;

  constructor(opts: RunQueueOptions) {
    this.opts = {
      reportsDir: opts.reportsDir,
      startRun: opts.startRun,
      maxRunning: opts.maxRunning ?? 1,
      maxQueued: opts.maxQueued ?? 20,
      keepFinished: opts.keepFinished ?? 100,
      now: opts.now ?? (() => new Date()),
    };
  }

  /** Queues a run; throws HttpError 429 when the queue is full. */
  submit(request: RunRequest): JobView {
    if (this.waiting.length >= this.opts.maxQueued) throw new HttpError(429, `the run queue is full (${this.opts.maxQueued} waiting); try again when a run has finished`);
    const view: JobView = {
      id: `j${this.nextId++}`,
      scenario: request.scenario.name,
      seed: request.seed,
      overrides: request.overrides,
      status: 'queued',
      percent: 0,
      events: 0,
      createdAt: this.opts.now().toISOString(),
      startedAt: null,
      finishedAt: null,
      report: null,
      error: null,
    };
    const job: Job = { view, request, handle: null, listeners: new Set() };
    this.jobs.set(view.id, job);
    this.waiting.push(job);
    this.pump();
    return { ...job.view };
  }

  get(id: string): JobView | undefined {
    const job = this.jobs.get(id);
    return job && { ...job.view };
  }

  list(): JobView[] {
    return [...this.jobs.values()].map((j) => ({ ...j.view })).reverse();
  }

  /** Calls `listener` on every change of the job until it ends; returns the unsubscribe function. */
  subscribe(id: string, listener: JobListener): () => void {
    const job = this.jobs.get(id);
    if (!job) return () => {};
    job.listeners.add(listener);
    return () => job.listeners.delete(listener);
  }

  /** Cancels a queued or running job; false when it had already ended. */
  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job || TERMINAL.has(job.view.status)) return false;
    const wasRunning = job.view.status === 'running';
    const at = this.waiting.indexOf(job);
    if (at >= 0) this.waiting.splice(at, 1);
    job.handle?.cancel();
    this.end(job, { status: 'cancelled', error: 'cancelled' }, wasRunning);
    return true;
  }

  /** Cancels everything (server shutdown). */
  close(): void {
    for (const id of [...this.jobs.keys()]) this.cancel(id);
  }

  private pump(): void {
    while (this.running < this.opts.maxRunning && this.waiting.length > 0) this.start(this.waiting.shift()!);
  }

  private start(job: Job): void {
    this.running++;
    const { request } = job;
    const relative = this.reportName(request);
    this.update(job, { status: 'running', startedAt: this.opts.now().toISOString() });
    job.handle = this.opts.startRun(
      { scenario: request.scenario, seed: request.seed, scenarioFile: request.scenarioFile, reportFile: join(this.opts.reportsDir, relative), overrides: request.overrides },
      (m) => this.onMessage(job, m, relative),
    );
  }

  private reportName(request: RunRequest): string {
    const base = `runs/${safeFileWord(request.scenario.name)}-seed${request.seed}-${fileStamp(this.opts.now())}`;
    let name = `${base}.json`;
    for (let i = 2; existsSync(join(this.opts.reportsDir, name)); i++) name = `${base}-${i}.json`;
    return name;
  }

  private onMessage(job: Job, m: RunJobMessage, relative: string): void {
    if (TERMINAL.has(job.view.status)) return;
    if (m.type === 'progress') this.update(job, { percent: Math.round(m.percent * 10) / 10, events: m.events });
    else if (m.type === 'done') this.end(job, { status: 'done', percent: 100, report: relative }, true);
    else this.end(job, { status: 'failed', error: `${m.errorName}: ${m.message}` }, true);
  }

  private end(job: Job, change: Partial<JobView>, wasRunning: boolean): void {
    if (wasRunning) this.running--;
    job.handle = null;
    this.update(job, { ...change, finishedAt: this.opts.now().toISOString() });
    job.listeners.clear();
    this.forgetOld();
    this.pump();
  }

  private update(job: Job, change: Partial<JobView>): void {
    Object.assign(job.view, change);
    for (const l of job.listeners) l({ ...job.view });
  }

  private forgetOld(): void {
    const finished = [...this.jobs.values()].filter((j) => TERMINAL.has(j.view.status));
    for (const j of finished.slice(0, Math.max(0, finished.length - this.opts.keepFinished))) this.jobs.delete(j.view.id);
  }
}
