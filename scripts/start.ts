/**
 * `npm start`: runs the default scenarios (ping-small, dht-small, messenger-small and the tiny noisy messenger
 * scenarios/sweeps/messenger-noise-tiny.json) two at a time on worker threads into reports/runs/ (the paths
 * `paratox run` uses), then serves the dashboard over reports/ and prints its URL.
 * Options: --port P (default 8080; 0 = any free port), --host H (default 127.0.0.1), --skip-runs.
 */
import { performance } from 'node:perf_hooks';
import { defaultOut } from '../cli/run-command.ts';
import { startServer } from '../dashboard/server/start-server.ts';
import { startWorkerRun } from '../dashboard/server/worker-runner.ts';
import type { RunJobMessage } from '../dashboard/server/run-job.ts';
import { loadScenario } from '../sim/scenario/load-scenario.ts';

/** Longest first, so the two lanes finish together (dht-small is about as long as the other three). */
export const DEFAULT_SCENARIOS = ['scenarios/dht-small.json', 'scenarios/messenger-small.json', 'scenarios/ping-small.json', 'scenarios/sweeps/messenger-noise-tiny.json'];
const PARALLEL = 2;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function runOne(file: string): Promise<string> {
  const scenario = loadScenario(file);
  const reportFile = defaultOut(file, scenario.seed);
  const start = performance.now();
  return new Promise((resolve, reject) => {
    startWorkerRun({ scenario, seed: scenario.seed, scenarioFile: file, reportFile }, (m: RunJobMessage) => {
      if (m.type === 'done') resolve(`${file} -> ${reportFile} (${((performance.now() - start) / 1000).toFixed(1)} s)`);
      else if (m.type === 'failed') reject(new Error(`${file}: ${m.errorName}: ${m.message}`));
    });
  });
}

async function runDefaults(): Promise<void> {
  const start = performance.now();
  const queue = [...DEFAULT_SCENARIOS];
  const lane = async (): Promise<void> => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) process.stdout.write(`ran ${await runOne(file)}\n`);
  };
  process.stdout.write(`running ${DEFAULT_SCENARIOS.length} default scenarios, ${PARALLEL} at a time...\n`);
  await Promise.all(Array.from({ length: PARALLEL }, lane));
  process.stdout.write(`default scenarios done in ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
}

async function main(): Promise<void> {
  if (!process.argv.includes('--skip-runs')) await runDefaults();
  const port = Number(option('--port') ?? process.env.PORT ?? 8080);
  const running = await startServer({ reportsDir: 'reports', host: option('--host') ?? '127.0.0.1', port });
  process.stdout.write(`paratox dashboard at ${running.url} (Ctrl-C stops)\n`);
  const stop = (): void => void running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`npm start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
