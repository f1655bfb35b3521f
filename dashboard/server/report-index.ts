/**
 * The Runs list: every run report under the reports directory (except sweeps/ and tune/, whose cells the Sweeps
 * view shows), with its head and key figures. Parsing a report is the expensive part, so heads are cached by
 * (path, mtime, size): a second listing of 1,000 reports only stats the files. Files that do not parse, or
 * claim to be reports but lack a part, are listed as broken with the reason; JSON that is not a report at all
 * (tolerances.json, bench results, sweep manifests) is left out. Symlinks are not followed while walking.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { readJsonFile } from './read-json-file.ts';
import { looksLikeReport, runHead, type RunHead } from './run-summary.ts';

export interface RunEntry extends Partial<RunHead> {
  /** Relative to the reports directory, with '/' separators: the id in /api/runs/<path>. */
  path: string;
  /** File modification time, ISO 8601. */
  date: string;
  sizeBytes: number;
  /** Why the file cannot be shown (parse error, missing part); absent for a good report. */
  broken?: string;
}

interface Cached {
  mtimeMs: number;
  size: number;
  entry: RunEntry | null;
}

/** Directories under the root not listed as runs. */
const SKIPPED_TOP_DIRS = new Set(['sweeps', 'tune']);
const MAX_DEPTH = 6;

export class ReportIndex {
  private readonly cache = new Map<string, Cached>();
  private readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** Every run, newest first. */
  list(): RunEntry[] {
    const seen = new Set<string>();
    const entries: RunEntry[] = [];
    for (const file of this.jsonFiles(this.root, 0)) {
      seen.add(file);
      const entry = this.entryOf(file);
      if (entry !== null) entries.push(entry);
    }
    for (const key of this.cache.keys()) if (!seen.has(key)) this.cache.delete(key);
    return entries.sort((a, b) => b.date.localeCompare(a.date) || a.path.localeCompare(b.path));
  }

  private entryOf(file: string): RunEntry | null {
    let st;
    try {
      st = statSync(file);
    } catch {
      return null; // removed between readdir and stat
    }
    const hit = this.cache.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.entry;
    const base: RunEntry = { path: relative(this.root, file).split(sep).join('/'), date: st.mtime.toISOString(), sizeBytes: st.size };
    let entry: RunEntry | null;
    try {
      const json = readJsonFile(file);
      entry = looksLikeReport(json) ? { ...base, ...runHead(json) } : null;
    } catch (err) {
      entry = { ...base, broken: (err as Error).message };
    }
    this.cache.set(file, { mtimeMs: st.mtimeMs, size: st.size, entry });
    return entry;
  }

  private *jsonFiles(dir: string, depth: number): Generator<string> {
    let dirents;
    try {
      dirents = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of dirents) {
      const full = join(dir, d.name);
      if (d.isDirectory()) {
        if (depth === 0 && SKIPPED_TOP_DIRS.has(d.name)) continue;
        if (depth < MAX_DEPTH) yield* this.jsonFiles(full, depth + 1);
      } else if (d.isFile() && d.name.toLowerCase().endsWith('.json') && !d.name.includes('.tmp-')) {
        yield full;
      }
    }
  }
}
