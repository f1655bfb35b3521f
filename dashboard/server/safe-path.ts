/**
 * Resolves a client-given relative path under a root directory, or refuses it. The checks are layered so one
 * missed case does not open the file system: the text first (NUL bytes, absolute paths, `..` and `.` segments,
 * backslashes, only .json), then the real path after following symlinks must still lie inside the root's real
 * path (a symlink in reports/ pointing at /etc is refused). Callers answer 400 for a malformed path and 404
 * for one that does not name a file inside the root, never a file outside.
 */
import { realpathSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { badRequest, notFound } from './http-error.ts';

const MAX_PATH_CHARS = 1000;

/** Why `rel` is not an acceptable relative path, or null. */
export function relativePathProblem(rel: string): string | null {
  if (rel.length === 0) return 'empty path';
  if (rel.length > MAX_PATH_CHARS) return `path longer than ${MAX_PATH_CHARS} characters`;
  if (rel.includes('\0')) return 'NUL byte in path';
  if (rel.includes('\\')) return 'backslash in path';
  if (rel.startsWith('/') || /^[A-Za-z]:/.test(rel)) return 'absolute paths are not accepted';
  if (rel.split('/').some((s) => s === '..' || s === '.' || s === '')) return 'path segments "..", "." and empty ones are not accepted';
  return null;
}

/** The real path of `root` itself (resolved once per request: the root may be a symlink, e.g. a temp dir). */
export function realRoot(root: string): string {
  return realpathSync(resolve(root));
}

/** True when `real` (already a real path) is `rootReal` or inside it. */
export function isInside(rootReal: string, real: string): boolean {
  return real === rootReal || real.startsWith(rootReal + sep);
}

/**
 * The real path of an existing file `rel` under `root` (kind 'file', must end in `ext` when given) or directory
 * (kind 'dir'); throws HttpError 400 for a malformed path, 404 for a missing one or one resolving outside.
 */
export function resolveUnder(root: string, rel: string, kind: 'file' | 'dir', ext?: string): string {
  const problem = relativePathProblem(rel);
  if (problem !== null) throw badRequest(problem);
  if (ext !== undefined && !rel.toLowerCase().endsWith(ext)) throw badRequest(`only ${ext} files are served`);
  const rootReal = realRoot(root);
  let real: string;
  try {
    real = realpathSync(resolve(rootReal, rel));
  } catch {
    throw notFound(`${rel}: no such ${kind === 'file' ? 'file' : 'directory'}`);
  }
  // A symlink (or anything else) leading out of the root is answered like a missing file: nothing about the
  // outside is revealed.
  if (!isInside(rootReal, real)) throw notFound(`${rel}: no such ${kind === 'file' ? 'file' : 'directory'}`);
  const st = statSync(real);
  if (kind === 'file' ? !st.isFile() : !st.isDirectory()) throw notFound(`${rel}: not a ${kind === 'file' ? 'file' : 'directory'}`);
  return real;
}
