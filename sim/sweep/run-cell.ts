/**
 * One sweep cell, run inside a worker thread (cell-worker.mjs): the scenario through the same runScenario as
 * `paratox run`, the report written atomically to the sweep's cells/ directory. Failures come back as values,
 * not exceptions: an error's class does not survive the thread boundary, and the sweep goes on with other cells.
 */
import { threadId } from 'node:worker_threads';
import { runScenario } from '../scenario/run-scenario.ts';
import type { Scenario } from '../scenario/schema.ts';
import { writeFileAtomic } from './out-dir.ts';

export interface CellTask {
  scenario: Scenario;
  seed: number;
  reportFile: string;
  /** The base scenario file (for the report's `reproduce` line). */
  scenarioFile: string;
  sweepHash: string;
  cellId: string;
  index: number;
  params: Record<string, unknown>;
}

export type CellResult =
  | { ok: true; cellId: string; traceHash: string | null; wallSeconds: number; /** The worker thread that ran it. */ threadId: number }
  | { ok: false; cellId: string; errorName: string; message: string };

function shellWord(text: string): string {
  return /^[A-Za-z0-9._=/:-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The command that reruns this cell alone: `paratox seeds` with the grid point as --set overrides. */
export function reproduceCell(task: Pick<CellTask, 'scenarioFile' | 'seed' | 'params'>): string {
  const sets = Object.entries(task.params).map(([k, v]) => ` --set ${shellWord(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)}`);
  return `npx paratox seeds ${shellWord(task.scenarioFile)} --seeds 1 --first ${task.seed}${sets.join('')}`;
}

export function runCell(task: CellTask): CellResult {
  try {
    const report = runScenario(task.scenario, { seed: task.seed, scenarioFile: task.scenarioFile });
    const cellReport = {
      ...report,
      reproduce: reproduceCell(task),
      // Extension (design.md: extend, never rename): which sweep and cell this report belongs to.
      sweepCell: { sweepHash: task.sweepHash, cellId: task.cellId, index: task.index, params: task.params },
    };
    writeFileAtomic(task.reportFile, `${JSON.stringify(cellReport, null, 2)}\n`);
    return { ok: true, cellId: task.cellId, traceHash: report.traceHash, wallSeconds: report.sim.wallSeconds, threadId };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return { ok: false, cellId: task.cellId, errorName: e.name, message: e.message };
  }
}

export default runCell;
