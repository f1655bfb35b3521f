/**
 * `paratox run <scenario> --quiet` in a child process, for benches whose peak RSS must be the scenario's alone
 * (not the bench runner's): returns the report and the 1-minute load average before and after.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Report } from '../sim/report/report.ts';

export function runScenarioInChild(scenarioFile: string): { report: Report; loadAverage1mBefore: number; loadAverage1mAfter: number } {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'paratox-bench-')), 'report.json');
  const loadAverage1mBefore = os.loadavg()[0];
  execFileSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'run', scenarioFile, '--out', out, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  return { report, loadAverage1mBefore, loadAverage1mAfter: os.loadavg()[0] };
}
