/**
 * `paratox compare <baseline> <candidate>`: two run reports (`paratox run --out`) or two multi-seed results
 * (`paratox seeds --out`) of the same scenario, checked metric by metric against reports/tolerances.json
 * (sim/compare/README.md). Exit 0: no regression; 1: a regression (or a metric that lost its value); 2: bad input,
 * one line naming the file and the field (including scenarios that differ outside --allow-scenario-diff).
 */
import { CompareError } from '../sim/compare/compare-error.ts';
import { readCompareInput } from '../sim/compare/compare-input.ts';
import { compareInputs, type Comparison } from '../sim/compare/compare-metrics.ts';
import { formatComparison } from '../sim/compare/format-comparison.ts';
import { loadTolerances } from '../sim/compare/tolerances.ts';
import { UsageError } from './errors.ts';

/** The committed tolerance file, relative to the working directory (the repository root in CI and npm scripts). */
export const DEFAULT_TOLERANCES = 'reports/tolerances.json';

export interface CompareCommandOptions {
  tolerances?: string;
  json?: boolean;
  /** Dot-path prefixes of scenario fields that may differ (comma-separated, repeatable). */
  allowScenarioDiff?: string[];
}

/** "a,b" "c" -> ["a", "b", "c"] (commander argParser for a repeatable comma list). */
export function collectList(value: string, previous: string[] = []): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`--allow-scenario-diff: empty field name in ${JSON.stringify(value)}`);
  return [...previous, ...items];
}

export function runCompare(baselineFile: string, candidateFile: string, opts: CompareCommandOptions): Comparison {
  try {
    const table = loadTolerances(opts.tolerances ?? DEFAULT_TOLERANCES);
    return compareInputs(readCompareInput(baselineFile), readCompareInput(candidateFile), table, { allowScenarioDiff: opts.allowScenarioDiff });
  } catch (err) {
    if (err instanceof CompareError) throw new UsageError(err.message);
    throw err;
  }
}

/** Prints the comparison; returns the exit code (1 on a regression). */
export function compareCommand(baselineFile: string, candidateFile: string, opts: CompareCommandOptions): number {
  const comparison = runCompare(baselineFile, candidateFile, opts);
  process.stdout.write(opts.json ? `${JSON.stringify(comparison, null, 2)}\n` : `${formatComparison(comparison)}\n`);
  return comparison.regressions.length > 0 ? 1 : 0;
}
