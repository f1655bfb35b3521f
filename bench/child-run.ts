/**
 * `paratox run <scenario>` in a child process, for benches whose peak RSS must be the scenario's alone
 * (not the bench runner's): returns the report and the 1-minute load average before and after.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Report } from '../sim/report/report.ts';

export function runScenarioInChild(
  scenarioFile: string,
  options: { progress?: boolean } = {},
): { report: Report; loadAverage1mBefore: number; loadAverage1mAfter: number } {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'paratox-bench-')), 'report.json');
  const loadAverage1mBefore = os.loadavg()[0];
  // progress: the run's own progress lines (every 10 % off a terminal) on our stderr, for runs of many minutes.
  const args = ['--import', 'tsx', 'cli/main.ts', 'run', scenarioFile, '--out', out, ...(options.progress ? [] : ['--quiet'])];
  execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  return { report, loadAverage1mBefore, loadAverage1mAfter: os.loadavg()[0] };
}
