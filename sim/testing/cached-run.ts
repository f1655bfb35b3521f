/**
 * One simulation per (scenario, seed, tap file) per test file: tests that assert different things about the same
 * run share it instead of simulating it again (a messenger run costs seconds to minutes of CPU, mostly real
 * handshakes). Vitest runs each test file in its own process, so the cache never crosses files and every report
 * comes from the code under test. Reports are shared objects: callers read them, never change them.
 */
import type { Report } from '../report/report.ts';
import { runScenario, type RunOptions } from '../scenario/run-scenario.ts';
import type { Scenario } from '../scenario/schema.ts';

export type CachedRunOptions = Pick<RunOptions, 'seed' | 'tapFile'>;

const runs = new Map<string, Report>();

/** runScenario(scenario, opts), run once and remembered for the rest of the test file. */
export function cachedRun(scenario: Scenario, opts: CachedRunOptions = {}): Report {
  const key = JSON.stringify([scenario, opts.seed ?? null, opts.tapFile ?? null]);
  let report = runs.get(key);
  if (!report) runs.set(key, (report = runScenario(scenario, opts)));
  return report;
}
