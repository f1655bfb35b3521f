/**
 * Output paths checked before a run starts (issue 11 item 9): a run of minutes must not end in a stack trace
 * because --out names a directory, an unwritable place, or the same file as --tap. And if the report still
 * cannot be written at the end (disk full, directory removed meanwhile), it goes to a fallback file instead of
 * being lost.
 */
import { closeSync, existsSync, mkdirSync, openSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { echo } from '../sim/scenario/echo.ts';
import { UsageError } from './errors.ts';

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'not permitted',
    EROFS: 'read-only file system',
    ENOTDIR: 'a parent is a file, not a directory',
    // mkdir -p on a path whose directory part is an existing file
    EEXIST: 'a parent is a file, not a directory',
    ENOSPC: 'no space left on the device',
    EISDIR: 'is a directory',
    ENAMETOOLONG: 'name too long',
    ENOENT: 'no such directory',
  };
  return e.code ? `${words[e.code] ?? 'cannot write'} (${e.code})` : String(err);
}

/** Throws a one-line UsageError unless `file` can be created or overwritten; creates its directory if missing. */
export function checkWritable(flag: string, file: string): void {
  const what = `${flag} ${echo(file)}`;
  if (file.length === 0) throw new UsageError(`${flag}: empty path`);
  if (file.endsWith('/') || (existsSync(file) && statSync(file).isDirectory())) throw new UsageError(`${what}: is a directory; give a file name`);
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (err) {
    throw new UsageError(`${what}: cannot create its directory: ${reason(err)}`);
  }
  const existed = existsSync(file);
  try {
    // Opening for append proves we may write without truncating an existing file; a new empty file is removed.
    closeSync(openSync(file, 'a'));
    if (!existed) unlinkSync(file);
  } catch (err) {
    throw new UsageError(`${what}: cannot write: ${reason(err)}`);
  }
}

/**
 * Checks every output path of a run up front: each writable, none the same file as another or as an input.
 * `outputs` maps a flag (e.g. "--out") to its path; `inputs` maps a name to a file the run reads.
 */
export function checkOutputs(outputs: Record<string, string | undefined>, inputs: Record<string, string> = {}): void {
  const seen = new Map<string, string>(Object.entries(inputs).map(([name, file]) => [resolve(file), name]));
  for (const [flag, file] of Object.entries(outputs)) {
    if (file === undefined) continue;
    const other = seen.get(resolve(file));
    if (other !== undefined) throw new UsageError(`${flag} ${echo(file)}: same file as ${other}; give each output its own path`);
    seen.set(resolve(file), flag);
  }
  for (const [flag, file] of Object.entries(outputs)) if (file !== undefined) checkWritable(flag, file);
}

/**
 * Writes `text` to `file`; if that fails, to a fallback file in the system temp directory, and says so in the
 * returned line (the caller prints it and exits 2). Returns the path written.
 */
export function writeOrRescue(file: string, text: string): { path: string; rescued?: string } {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return { path: file };
  } catch (err) {
    const fallback = join(tmpdir(), `paratox-${process.pid}-${basename(file)}`);
    writeFileSync(fallback, text);
    return { path: fallback, rescued: `cannot write ${echo(file)}: ${reason(err)}; the report was saved to ${fallback} instead` };
  }
}
