/**
 * `paratox merge DIR1 DIR2 ... --out DIR`: joins a sharded sweep's output directories (sim/sweep/merge.ts) and
 * writes summary.json and summary.csv; refuses parts of different sweeps.
 */
import { describeCell, mergeSweeps } from '../sim/sweep/merge.ts';
import { UsageError } from './errors.ts';
import { formatSummary } from './sweep-command.ts';

export function mergeCommand(dirs: string[], opts: { out: string }): void {
  const m = mergeSweeps(dirs, opts.out);
  process.stderr.write(`merged ${dirs.length} part${dirs.length > 1 ? 's' : ''}: ${m.copied} cells copied, ${m.finished}/${m.total} cells in ${opts.out}\n`);
  if (m.summary === null) {
    throw new UsageError(`${m.missing.length} of ${m.total} cells are missing (first: ${describeCell(m.missing[0])}); run the missing shards, then merge again`);
  }
  process.stdout.write(`${m.summary.summary.name}: mean ±95 % CI over seeds per grid point\n${formatSummary(m.summary.summary)}\n`);
  process.stdout.write(`summary    ${m.summary.files.join(', ')}\n`);
}
