/** Reads a JSON file with a size cap; every failure is an Error with a one-line message (no stack to the client). */
import { readFileSync, statSync } from 'node:fs';

/** Reports with Eve's samples are ~100 KB, a 10,000-node report a few hundred KB; anything this big is a mistake. */
export const MAX_JSON_FILE_BYTES = 64 * 1024 * 1024;

export function readJsonFile(file: string, maxBytes = MAX_JSON_FILE_BYTES): unknown {
  const size = statSync(file).size;
  if (size > maxBytes) throw new Error(`${size} bytes, more than the ${maxBytes} the dashboard reads`);
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`invalid JSON (${(err as Error).message.split('\n')[0].slice(0, 200)})`);
  }
}
