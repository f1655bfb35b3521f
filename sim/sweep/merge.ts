/**
 * `paratox merge`: joins the output directories of a sweep's shards (or of interrupted runs on several machines)
 * into one, then writes the summary. Parts must come from the same sweep (equal sweep hash: same sweep file and
 * base scenario), or the merge is refused before anything is copied.
 */
import { readFileSync } from 'node:fs';
import { cellFile, finishedCells, prepareOutDir, readManifest, writeFileAtomic, type SweepManifest } from './out-dir.ts';
import { describeParams } from './plan.ts';
import { SweepError } from './sweep-error.ts';
import { writeSummary, type SweepSummary } from './summary.ts';

export interface MergeOutcome {
  total: number;
  copied: number;
  finished: number;
  summary: { summary: SweepSummary; files: string[] } | null;
  missing: SweepManifest['cells'];
}

export function mergeSweeps(inputs: readonly string[], out: string): MergeOutcome {
  if (inputs.length === 0) throw new SweepError('merge: give at least one sweep output directory');
  const manifests = inputs.map((dir) => {
    const m = readManifest(dir);
    if (m === null) throw new SweepError(`${dir}: not a sweep output directory (no sweep.json)`);
    return m;
  });
  const first = manifests[0];
  manifests.forEach((m, i) => {
    if (m.sweepHash !== first.sweepHash) {
      throw new SweepError(
        `${inputs[i]} is from another sweep than ${inputs[0]} (hash ${m.sweepHash.slice(0, 12)} vs ${first.sweepHash.slice(0, 12)}: a different sweep file or base scenario); refusing to merge`,
      );
    }
  });
  prepareOutDir(out, first);
  let have = finishedCells(out);
  let copied = 0;
  for (const dir of inputs) {
    const theirs = finishedCells(dir);
    for (const cell of first.cells) {
      if (have.has(cell.cellId) || !theirs.has(cell.cellId)) continue;
      writeFileAtomic(cellFile(out, cell.cellId), readFileSync(cellFile(dir, cell.cellId), 'utf8'));
      copied++;
    }
    have = finishedCells(out);
  }
  const missing = first.cells.filter((c) => !have.has(c.cellId));
  const finished = first.cells.length - missing.length;
  return { total: first.cells.length, copied, finished, missing, summary: missing.length === 0 ? writeSummary(out, first) : null };
}

/** "cell #3 (seed 2, noise.ratePerS=5)" for messages. */
export function describeCell(cell: SweepManifest['cells'][number]): string {
  return `cell #${cell.index} (seed ${cell.seed}, ${describeParams(cell.params)})`;
}
