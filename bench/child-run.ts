/**
 * `paratox run <scenario>` in a child process, for benches whose peak RSS must be the scenario's alone
 * (not the bench runner's): returns the report and the 1-minute load average before and after.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Report } from '../sim/report/report.ts';

/** How far a child run got when its wall budget ran out (Linux /proc figures; null where unavailable). */
export interface PartialRun {
  /** From the run's last progress line (one every 10 % of simulated time); null when it printed none yet. */
  readonly fractionDone: number | null;
  readonly simulatedSeconds: number | null;
  readonly events: number | null;
  readonly wallSeconds: number;
  /** user + system CPU of the child (/proc/<pid>/stat, at USER_HZ = 100). */
  readonly cpuSeconds: number | null;
  /** The child's peak resident set (/proc/<pid>/status VmHWM). */
  readonly peakRssBytes: number | null;
}

export type BudgetedRun =
  | { readonly complete: true; readonly report: Report; readonly loadAverage1mBefore: number; readonly loadAverage1mAfter: number }
  | { readonly complete: false; readonly partial: PartialRun; readonly loadAverage1mBefore: number; readonly loadAverage1mAfter: number };

const PROGRESS_LINE = /: (\d+)% \(sim ([\d.]+) s, (\d+) events\)$/;

/** The figures of one `paratox run` progress line ("name seed 1: 10% (sim 60.0 s, 1900514 events)"), or null. */
export function parseProgressLine(line: string): { fractionDone: number; simulatedSeconds: number; events: number } | null {
  const m = PROGRESS_LINE.exec(line.trim());
  return m ? { fractionDone: Number(m[1]) / 100, simulatedSeconds: Number(m[2]), events: Number(m[3]) } : null;
}

/** CPU seconds and peak RSS of a live process from /proc (Linux); nulls elsewhere or once it is gone. */
function procFigures(pid: number): { cpuSeconds: number | null; peakRssBytes: number | null } {
  try {
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis): utime, stime
    // are the 12th and 13th of them.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / 100;
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpuSeconds, peakRssBytes: hwm ? Number(hwm[1]) * 1024 : null };
  } catch {
    return { cpuSeconds: null, peakRssBytes: null };
  }
}

/**
 * Runs the scenario in a child. `progress`: the run's own progress lines (every 10 % off a terminal) pass through to
 * our stderr as they come, for runs of many minutes. `maxWallS`: a wall-clock budget, for node counts whose full run
 * takes hours on the bench machine; past it the child is stopped and what it reached is returned (its progress, CPU
 * and peak RSS sampled just before), so the bench records a measured partial point instead of nothing. Without a
 * budget the run is always complete.
 */
export function runScenarioInChild(scenarioFile: string, options: { progress?: boolean; maxWallS?: number } = {}): Promise<BudgetedRun> {
  const { maxWallS } = options;
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'paratox-bench-')), 'report.json');
  const loadAverage1mBefore = os.loadavg()[0];
  const started = performance.now();
  const args = ['--import', 'tsx', 'cli/main.ts', 'run', scenarioFile, '--out', out, ...(options.progress ? [] : ['--quiet'])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let last: ReturnType<typeof parseProgressLine> = null;
  let tail = '';
  child.stderr.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    const lines = (tail + chunk.toString('utf8')).split('\n');
    tail = lines.pop() ?? '';
    for (const line of lines) last = parseProgressLine(line) ?? last;
  });
  let stopped: PartialRun | undefined;
  // No budget: no timer (and setTimeout cannot wait past 2^31 - 1 ms anyway).
  const timer = maxWallS === undefined ? undefined : setTimeout(() => {
    stopped = {
      fractionDone: last?.fractionDone ?? null,
      simulatedSeconds: last?.simulatedSeconds ?? null,
      events: last?.events ?? null,
      wallSeconds: (performance.now() - started) / 1000,
      ...procFigures(child.pid!),
    };
    child.kill('SIGTERM');
  }, Math.min(maxWallS * 1000, 2 ** 31 - 1));
  return new Promise((resolve, reject) => {
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      const loadAverage1mAfter = os.loadavg()[0];
      if (stopped) return resolve({ complete: false, partial: stopped, loadAverage1mBefore, loadAverage1mAfter });
      if (code !== 0) return reject(new Error(`bench: paratox run ${scenarioFile} exited with code ${code}`));
      resolve({ complete: true, report: JSON.parse(readFileSync(out, 'utf8')) as Report, loadAverage1mBefore, loadAverage1mAfter });
    });
  });
}
