/**
 * RunQueue with a controllable run double: first in, first out, `maxRunning` at a time, a bounded wait list
 * (429), cancellation of waiting and running jobs, and every state change reaching subscribers.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario/load-scenario.ts';
import { HttpError } from './http-error.ts';
import type { RunJobMessage, RunJobTask } from './run-job.ts';
import { fileStamp, RunQueue, type JobView } from './run-queue.ts';
import type { RunRequest } from './run-request.ts';

function request(seed: number): RunRequest {
  const scenario = parseScenario({ name: 'q', nodes: 4, durationS: 1, seed });
  return { scenario, scenarioFile: 'scenarios/q.json', seed, overrides: {} };
}

function harness(opts: { maxRunning?: number; maxQueued?: number } = {}) {
  const runs: Array<{ task: RunJobTask; post: (m: RunJobMessage) => void; cancelled: boolean }> = [];
  const queue = new RunQueue({
    reportsDir: '/nonexistent-reports',
    now: () => new Date('2026-12-03T09:33:00.123Z'),
    startRun: (task, post) => {
      const run = { task, post, cancelled: false };
      runs.push(run);
      return { cancel: () => (run.cancelled = true) };
    },
    ...opts,
  });
  return { queue, runs };
}

describe('RunQueue', () => {
  it('runs jobs first in, first out, maxRunning at a time', () => {
    const { queue, runs } = harness({ maxRunning: 1 });
    const jobs = [1, 2, 3].map((s) => queue.submit(request(s)));
    expect(runs.map((r) => r.task.seed)).toEqual([1]);
    runs[0].post({ type: 'done', reportFile: 'x', traceHash: null, wallSeconds: 0 });
    expect(runs.map((r) => r.task.seed)).toEqual([1, 2]);
    runs[1].post({ type: 'failed', errorName: 'RunBudgetError', message: 'too many events' });
    expect(runs.map((r) => r.task.seed)).toEqual([1, 2, 3]);
    expect(queue.get(jobs[0].id)).toMatchObject({ status: 'done', percent: 100, report: 'runs/q-seed1-20261203-093300-123.json' });
    expect(queue.get(jobs[1].id)).toMatchObject({ status: 'failed', error: 'RunBudgetError: too many events', report: null });
    expect(queue.get(jobs[2].id)!.status).toBe('running');
  });

  it('runs two at a time with maxRunning 2', () => {
    const { queue, runs } = harness({ maxRunning: 2 });
    for (const s of [1, 2, 3]) queue.submit(request(s));
    expect(runs).toHaveLength(2);
  });

  it('refuses a job beyond maxQueued waiting ones with HttpError 429', () => {
    const { queue } = harness({ maxQueued: 2 });
    for (const s of [1, 2, 3]) queue.submit(request(s)); // one running, two waiting
    let err: unknown;
    try {
      queue.submit(request(4));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(429);
  });

  it('cancels a waiting job (it never starts) and a running one (its run is cancelled, the next starts)', () => {
    const { queue, runs } = harness();
    const [a, b, c] = [1, 2, 3].map((s) => queue.submit(request(s)));
    expect(queue.cancel(b.id)).toBe(true);
    expect(queue.cancel(a.id)).toBe(true);
    expect(runs[0].cancelled).toBe(true);
    expect(runs.map((r) => r.task.seed)).toEqual([1, 3]);
    expect(queue.get(c.id)!.status).toBe('running');
    expect(queue.cancel(a.id)).toBe(false); // already ended
    // A late message from the cancelled run changes nothing.
    runs[0].post({ type: 'done', reportFile: 'x', traceHash: null, wallSeconds: 0 });
    expect(queue.get(a.id)!.status).toBe('cancelled');
  });

  it('tells subscribers every change until the job ends', () => {
    const { queue, runs } = harness();
    const job = queue.submit(request(1));
    const seen: JobView[] = [];
    queue.subscribe(job.id, (j) => seen.push(j));
    runs[0].post({ type: 'progress', percent: 42.26, simulatedMs: 422, events: 10 });
    runs[0].post({ type: 'done', reportFile: 'x', traceHash: null, wallSeconds: 0 });
    expect(seen.map((j) => [j.status, j.percent])).toEqual([['running', 42.3], ['done', 100]]);
  });

  it('fileStamp is sortable and file-name safe', () => {
    expect(fileStamp(new Date('2026-12-03T09:33:00.123Z'))).toBe('20261203-093300-123');
  });
});
