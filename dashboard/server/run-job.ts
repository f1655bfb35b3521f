/**
 * One dashboard run, executed inside a worker thread (run-worker.mjs), never on the request thread: the scenario
 * through the same runScenario as `paratox run`, progress posted about 100 times, the report written atomically
 * (temporary file, then rename: the Runs list never sees half a report). Failures come back as a message, not an
 * exception: an error's class does not survive the thread boundary.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { runScenario } from '../../sim/scenario/run-scenario.ts';
import type { Scenario } from '../../sim/scenario/schema.ts';
import { writeFileAtomic } from '../../sim/sweep/out-dir.ts';
import { reproduceCell } from '../../sim/sweep/run-cell.ts';

export interface RunJobTask {
  scenario: Scenario;
  seed: number;
  scenarioFile: string;
  reportFile: string;
  /** The form's `--set` overrides (field path -> value), for the report's `reproduce` line. */
  overrides?: Record<string, unknown>;
}

export type RunJobMessage =
  | { type: 'progress'; percent: number; simulatedMs: number; events: number }
  | { type: 'done'; reportFile: string; traceHash: string | null; wallSeconds: number }
  | { type: 'failed'; errorName: string; message: string };

export function runJob(task: RunJobTask, post: (m: RunJobMessage) => void): void {
  try {
    const report = runScenario(task.scenario, {
      seed: task.seed,
      scenarioFile: task.scenarioFile,
      onProgress: (p) => post({ type: 'progress', percent: p.durationMs > 0 ? Math.min(100, (100 * p.simulatedMs) / p.durationMs) : 0, simulatedMs: p.simulatedMs, events: p.events }),
    });
    // With overrides, `paratox run` cannot reproduce it; `paratox seeds --seeds 1 --set ...` can (as for sweep cells).
    const overrides = task.overrides ?? {};
    const reproduce = Object.keys(overrides).length === 0 ? report.reproduce : reproduceCell({ scenarioFile: task.scenarioFile, seed: task.seed, params: overrides });
    mkdirSync(dirname(task.reportFile), { recursive: true });
    writeFileAtomic(task.reportFile, `${JSON.stringify({ ...report, reproduce }, null, 2)}\n`);
    post({ type: 'done', reportFile: task.reportFile, traceHash: report.traceHash, wallSeconds: report.sim.wallSeconds });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    post({ type: 'failed', errorName: e.name, message: e.message.split('\n')[0].slice(0, 500) });
  }
}
