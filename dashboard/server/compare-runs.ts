/**
 * Two runs side by side with `paratox compare`'s rules (sim/compare: tolerances, verdicts, regressions). The
 * CLI refuses runs of different experiments; the dashboard shows them anyway (two seeds, two noise settings are
 * what one wants to look at side by side) unless `strict`: the differing scenario fields are allowed and listed
 * in the answer, so the page can say what differs.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CompareError } from '../../sim/compare/compare-error.ts';
import { parseCompareInput } from '../../sim/compare/compare-input.ts';
import { compareInputs, type Comparison } from '../../sim/compare/compare-metrics.ts';
import { scenarioDifferences } from '../../sim/compare/scenario-diff.ts';
import { loadTolerances, type ToleranceTable } from '../../sim/compare/tolerances.ts';
import { badRequest } from './http-error.ts';
import { readJsonFile } from './read-json-file.ts';

/** The committed tolerances, used when the reports directory has none of its own. */
export const REPO_TOLERANCES = fileURLToPath(new URL('../../reports/tolerances.json', import.meta.url));

export function tolerancesFor(file: string | undefined, reportsDir: string): ToleranceTable {
  const own = `${reportsDir}/tolerances.json`;
  return loadTolerances(file ?? (existsSync(own) ? own : REPO_TOLERANCES));
}

export interface RunComparison extends Comparison {
  /** Scenario fields (top-level prefixes) the dashboard allowed to differ (empty in strict mode). */
  allowedDifferences: string[];
}

/** `a` and `b` are real paths of report files; `names` the relative paths shown in messages. */
export function compareRuns(a: string, b: string, names: [string, string], table: ToleranceTable, strict: boolean): RunComparison {
  try {
    const readInput = (file: string, name: string) => {
      let json: unknown;
      try {
        json = readJsonFile(file);
      } catch (err) {
        throw new CompareError(`${name}: ${(err as Error).message}`);
      }
      return parseCompareInput(json, name);
    };
    const baseline = readInput(a, names[0]);
    const candidate = readInput(b, names[1]);
    const allowed = strict ? [] : [...new Set(scenarioDifferences(baseline, candidate, []).map((d) => d.path.split('.')[0]))];
    return { ...compareInputs(baseline, candidate, table, { allowScenarioDiff: allowed }), allowedDifferences: allowed };
  } catch (err) {
    if (err instanceof CompareError) throw badRequest(err.message);
    throw err;
  }
}
