import { basename } from 'node:path';
import { loadScenario } from '../sim/scenario/load-scenario.ts';
import { runScenario } from '../sim/scenario/run-scenario.ts';
import type { Report } from '../sim/report/report.ts';
import { summaryMarkdown, summaryPathOf } from '../sim/report/summary-markdown.ts';
import { UsageError } from './errors.ts';
import { checkOutputs, writeOrRescue } from './output-paths.ts';
import { progressReporter } from './progress.ts';

export interface RunCommandOptions {
  seed?: number;
  out?: string;
  tap?: string;
  quiet?: boolean;
}

function fmt(n: number | null, digits = 1): string {
  return n === null ? 'n/a' : n.toFixed(digits);
}

export function summarise(report: Report, outFile: string): string {
  const { sim, traffic } = report;
  const lat = traffic.latencyMs;
  return [
    `scenario   ${report.scenario.name} (seed ${report.seed})`,
    `sim        ${sim.nodes} nodes, ${sim.simulatedSeconds} s simulated, ${sim.events} events in ${sim.wallSeconds} s wall${sim.cpuSeconds === undefined ? '' : ` / ${sim.cpuSeconds.toFixed(1)} s CPU`} (${sim.eventsPerWallSecond} ev/s), peak RSS ${(sim.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    `messages   ${traffic.messagesDelivered}/${traffic.messagesSent} delivered (${fmt(traffic.deliveryRatio === null ? null : traffic.deliveryRatio * 100)} %), latency p50 ${fmt(lat.p50)} / p95 ${fmt(lat.p95)} / p99 ${fmt(lat.p99)} ms`,
    ...(report.warnings ?? []).map((w) => `warning    ${w}`),
    `wire       ${traffic.wirePackets} packets, ${traffic.wireBytes} bytes, sizes [${traffic.packetSizes.slice(0, 8).join(', ')}${traffic.packetSizes.length > 8 ? ', ...' : ''}]`,
    `traceHash  ${report.traceHash ?? 'trace off (scenario trace.enabled: false)'}`,
    `report     ${outFile}`,
    `reproduce  ${report.reproduce}`,
  ].join('\n');
}

/** Default report path: reports/runs/<scenario file name without .json/.yaml/.yml>-seed<n>.json. */
export function defaultOut(file: string, seed: number): string {
  return `reports/runs/${basename(file).replace(/\.(json|ya?ml)$/i, '')}-seed${seed}.json`;
}

export function runCommand(file: string, opts: RunCommandOptions): void {
  const scenario = loadScenario(file);
  const seed = opts.seed ?? scenario.seed;
  const out = opts.out ?? defaultOut(file, seed);
  // Every output is checked before minutes of simulation, not after.
  checkOutputs(
    { '--out': out, '--out summary (Markdown)': summaryPathOf(out), '--tap': opts.tap, '--tap truth file': opts.tap && `${opts.tap}.truth.json` },
    { 'the scenario file': file },
  );
  const progress = progressReporter(`${scenario.name} seed ${seed}`, opts.quiet ?? false);
  let report: Report;
  try {
    report = runScenario(scenario, { seed, tapFile: opts.tap, onProgress: progress.update, scenarioFile: file });
  } finally {
    progress.done();
  }
  const written = writeOrRescue(out, `${JSON.stringify(report, null, 2)}\n`);
  // The readable summary goes beside the report (beside the fallback file when the report was rescued).
  const summary = writeOrRescue(summaryPathOf(written.path), summaryMarkdown(report, written.path));
  process.stdout.write(`${summarise(report, written.path)}\n`);
  process.stdout.write(`summary    ${summary.path}\n`);
  if (opts.tap) process.stdout.write(`tap        ${opts.tap} (+ ${opts.tap}.truth.json)\n`);
  if (written.rescued ?? summary.rescued) throw new UsageError((written.rescued ?? summary.rescued)!);
}
