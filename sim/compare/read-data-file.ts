/**
 * A JSON (or, for tolerance files, YAML) file -> value, with one-line CompareErrors naming the file: missing,
 * a directory, too large, not valid JSON/YAML, or holding a number too large to be finite.
 */
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { echo } from '../scenario/echo.ts';
import { lineColumn } from '../scenario/json-text.ts';
import { CompareError } from './compare-error.ts';

/** Reports with Eve's ROC curves and target samples are ~100 KB; a multi-seed result grows with seeds. */
export const MAX_COMPARE_FILE_BYTES = 64 * 1024 * 1024;

function readText(file: string): string {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new CompareError(`${file}: is a directory, not a file`);
    size = st.size;
  } catch (err) {
    if (err instanceof CompareError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new CompareError(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(err)})`}`);
  }
  if (size > MAX_COMPARE_FILE_BYTES) throw new CompareError(`${file}: ${size} bytes, more than the ${MAX_COMPARE_FILE_BYTES} a comparison reads`);
  return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
}

function parseJson(text: string, file: string): unknown {
  try {
    // JSON.parse turns 1e999 into Infinity; the reviver refuses it instead of comparing against Infinity.
    return JSON.parse(text, (key, value: unknown) => {
      if (typeof value === 'number' && !Number.isFinite(value)) throw new CompareError(`${file}: field ${echo(key)}: number out of range`);
      return value;
    });
  } catch (err) {
    if (err instanceof CompareError) throw err;
    const message = (err as Error).message;
    const at = / at position (\d+)/.exec(message);
    throw new CompareError(`${file}: invalid JSON${at ? ` at ${lineColumn(text, Number(at[1]))}` : ''}`);
  }
}

/** Reads JSON; `.yaml`/`.yml` files as YAML when `allowYaml`. */
export function readDataFile(file: string, allowYaml = false): unknown {
  const text = readText(file);
  if (allowYaml && /\.ya?ml$/i.test(file)) {
    try {
      return parseYaml(text, { maxAliasCount: 100 });
    } catch (err) {
      const pos = (err as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
      throw new CompareError(`${file}: invalid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}`);
    }
  }
  return parseJson(text, file);
}
