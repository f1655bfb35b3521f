/**
 * Scenario file -> text, refusing what is not a scenario before anything is parsed: not a regular file (a
 * directory, a FIFO or /dev/zero would hang or fill memory), larger than MAX_SCENARIO_FILE_BYTES, UTF-16, binary
 * or invalid UTF-8. A UTF-8 byte order mark (Windows editors write one) is accepted and stripped.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { MAX_SCENARIO_FILE_BYTES } from './limits.ts';
import { ScenarioError } from './scenario-error.ts';

function readBounded(file: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ScenarioError(`${file}: no such file`);
    if (code === 'EISDIR') throw new ScenarioError(`${file}: is a directory, not a scenario file`);
    throw new ScenarioError(`${file}: cannot read (${code ?? String(err)})`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new ScenarioError(`${file}: is a directory, not a scenario file`);
    if (!stat.isFile()) throw new ScenarioError(`${file}: not a regular file (a device, pipe or socket cannot be a scenario)`);
    if (stat.size > MAX_SCENARIO_FILE_BYTES) {
      throw new ScenarioError(`${file}: file is ${stat.size} bytes, more than the ${MAX_SCENARIO_FILE_BYTES}-byte limit of a scenario file`);
    }
    // Read at most one byte past the limit, so a file that grows while we read is still refused.
    const buf = Buffer.alloc(MAX_SCENARIO_FILE_BYTES + 1);
    let n = 0;
    for (let got = -1; got !== 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, null);
    return buf.subarray(0, n);
  } catch (err) {
    if (err instanceof ScenarioError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ScenarioError(`${file}: cannot read (${code ?? String(err)})`);
  } finally {
    closeSync(fd);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes a scenario's bytes as UTF-8 text, or says in one line why they are not. */
export function decodeScenarioBytes(bytes: Uint8Array, file: string): string {
  if (bytes.length > MAX_SCENARIO_FILE_BYTES) {
    throw new ScenarioError(`${file}: file is ${bytes.length} bytes, more than the ${MAX_SCENARIO_FILE_BYTES}-byte limit of a scenario file`);
  }
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new ScenarioError(`${file}: file is UTF-16 text (byte order mark ${bytes[0].toString(16)} ${bytes[1].toString(16)}); save it as UTF-8`);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    // "{" then 0 (or 0 then "{"): every other byte zero is UTF-16 without a byte order mark.
    const utf16 = bytes.length >= 4 && (bytes[1] === 0 || bytes[0] === 0) && (bytes[3] === 0 || bytes[2] === 0);
    throw new ScenarioError(
      utf16 ? `${file}: file looks like UTF-16 text (zero bytes between characters); save it as UTF-8` : `${file}: binary data, not a JSON text (zero byte at offset ${nul})`,
    );
  }
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  try {
    return utf8.decode(bytes.subarray(start));
  } catch {
    throw new ScenarioError(`${file}: not valid UTF-8 text (at byte offset ${firstInvalidUtf8(bytes, start)}); save it as UTF-8`);
  }
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (for the error message). */
function firstInvalidUtf8(bytes: Uint8Array, from: number): number {
  let lo = from;
  let hi = bytes.length;
  // The longest valid prefix, by bisection on whole-prefix decodes (at most ~20 decodes of <= 1 MiB); `stream`
  // lets a prefix end inside a multi-byte character.
  const valid = (end: number): boolean => {
    try {
      new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(from, end), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (valid(mid)) lo = mid;
    else hi = mid - 1;
  }
  // A valid prefix may end inside a character whose next byte is wrong: the error is at that character's lead.
  for (let p = lo - 1; p >= Math.max(from, lo - 3); p--) {
    if (bytes[p] >= 0xc0) return p + (bytes[p] >= 0xf0 ? 4 : bytes[p] >= 0xe0 ? 3 : 2) > lo ? p : lo;
    if ((bytes[p] & 0xc0) !== 0x80) break;
  }
  return lo;
}

/** A scenario file's bytes, at most MAX_SCENARIO_FILE_BYTES + 1 of them (decodeScenarioBytes refuses that many). */
export function readScenarioBytes(file: string): Uint8Array {
  return readBounded(file);
}
