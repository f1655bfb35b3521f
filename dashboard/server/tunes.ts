/**
 * `paratox tune` results under <reports>/tune/<name>/tune.json (sim/tune/README.md): the list, and one tune with
 * every setting's estimate, the chosen setting and the Pareto frontier (computed by the tune itself, with
 * sim/tune/pareto.ts). A tune directory is a sweep directory too; its cell reports stay out of the Runs list.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TuneResult } from '../../sim/tune/run-tune.ts';
import { badRequest, HttpError } from './http-error.ts';
import { readJsonFile } from './read-json-file.ts';
import { resolveUnder } from './safe-path.ts';

export interface TuneListEntry {
  name: string;
  candidates: number | null;
  runs: number | null;
  gridRuns: number | null;
  /** The chosen setting's index, null when none met the targets. */
  best: number | null;
  date: string;
  broken?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The fields the views read, checked: a file that lacks them is broken, not a crash. */
function checkTune(json: unknown): TuneResult {
  if (!isRecord(json) || typeof json.paratoxTune !== 'number') throw new Error('not a tune result (no paratoxTune field)');
  if (!Array.isArray(json.candidates) || !Array.isArray(json.frontier)) throw new Error('candidates and frontier must be lists');
  if (typeof json.cost !== 'string' || typeof json.benefit !== 'string') throw new Error('cost and benefit must name metrics');
  return json as unknown as TuneResult;
}

export function listTunes(reportsDir: string): TuneListEntry[] {
  const root = join(reportsDir, 'tune');
  if (!existsSync(root)) return [];
  const out: TuneListEntry[] = [];
  for (const d of readdirSync(root, { withFileTypes: true })) {
    const file = join(root, d.name, 'tune.json');
    if (!d.isDirectory() || !existsSync(file)) continue;
    const entry: TuneListEntry = { name: d.name, candidates: null, runs: null, gridRuns: null, best: null, date: statSync(file).mtime.toISOString() };
    try {
      const t = checkTune(readJsonFile(file));
      Object.assign(entry, { candidates: t.candidates.length, runs: t.runs, gridRuns: t.gridRuns, best: t.best });
    } catch (err) {
      entry.broken = `tune.json: ${(err as Error).message}`;
    }
    out.push(entry);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

const TUNE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export function loadTune(reportsDir: string, name: string): TuneResult {
  if (!TUNE_NAME.test(name) || name.includes('..')) throw badRequest('tune name: letters, digits, ".", "_" and "-" only');
  const file = resolveUnder(reportsDir, `tune/${name}/tune.json`, 'file', '.json'); // 404 when absent
  try {
    return checkTune(readJsonFile(file));
  } catch (err) {
    // A broken file is an answer about that file (as for runs), not a server failure.
    throw new HttpError(422, `tune ${name}: tune.json: ${(err as Error).message}`);
  }
}
