/**
 * Eve's input: the global observer's tap as columns of typed arrays (design.md, `--tap`), read from a CSV file
 * (ours, or one a user made from a packet capture) or built in memory by the simulator, plus the ground truth.
 *
 * Every malformed line or truth field ends in a `TapFormatError` whose message is one line:
 * `tap.csv:LINE: problem` or `truth.json: conversations[2].startMs: problem`.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { GroundTruth } from '../tap/tap-writer.ts';

export const TAP_COLUMNS = 'time_ms,source,target,bytes';
const MAX_BYTES = 0xffffffff;
/** A plain non-negative decimal (exponent allowed): no hex, no sign, no spaces. */
const TIME_PATTERN = /^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A problem with a tap or truth file: printed as one line by the CLI. */
export class TapFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TapFormatError';
  }
}

/** One row per datagram, sorted by time (stable), addresses interned as dense ids. */
export interface TapColumns {
  rows: number;
  timeMs: Float64Array;
  source: Uint32Array;
  target: Uint32Array;
  bytes: Uint32Array;
  /** id -> address. */
  addresses: string[];
  /** address -> id. */
  idOf: Map<string, number>;
}

/** Accumulates rows into growing typed arrays; `build()` sorts by time if the rows came out of order. */
export class TapBuilder {
  private n = 0;
  private timeMs = new Float64Array(1024);
  private source = new Uint32Array(1024);
  private target = new Uint32Array(1024);
  private bytes = new Uint32Array(1024);
  private sorted = true;
  readonly addresses: string[] = [];
  readonly idOf = new Map<string, number>();

  /** The dense id of an address, interning it on first sight. */
  id(address: string): number {
    let id = this.idOf.get(address);
    if (id === undefined) {
      id = this.addresses.length;
      this.addresses.push(address);
      this.idOf.set(address, id);
    }
    return id;
  }

  add(timeMs: number, source: string, target: string, bytes: number): void {
    this.addIds(timeMs, this.id(source), this.id(target), bytes);
  }

  addIds(timeMs: number, sourceId: number, targetId: number, bytes: number): void {
    if (this.n === this.timeMs.length) this.grow();
    if (this.n > 0 && timeMs < this.timeMs[this.n - 1]) this.sorted = false;
    this.timeMs[this.n] = timeMs;
    this.source[this.n] = sourceId;
    this.target[this.n] = targetId;
    this.bytes[this.n] = bytes;
    this.n++;
  }

  private grow(): void {
    const cap = this.timeMs.length * 2;
    const t = new Float64Array(cap);
    t.set(this.timeMs);
    this.timeMs = t;
    const s = new Uint32Array(cap);
    s.set(this.source);
    this.source = s;
    const d = new Uint32Array(cap);
    d.set(this.target);
    this.target = d;
    const b = new Uint32Array(cap);
    b.set(this.bytes);
    this.bytes = b;
  }

  build(): TapColumns {
    const n = this.n;
    let timeMs = this.timeMs.slice(0, n);
    let source = this.source.slice(0, n);
    let target = this.target.slice(0, n);
    let bytes = this.bytes.slice(0, n);
    if (!this.sorted) {
      const sortedOrder = new Uint32Array(n);
      for (let i = 0; i < n; i++) sortedOrder[i] = i;
      // Ties keep file order: the comparator falls back to the row index.
      const t = timeMs;
      sortedOrder.sort((a, b) => t[a] - t[b] || a - b);
      const t2 = new Float64Array(n);
      const s2 = new Uint32Array(n);
      const d2 = new Uint32Array(n);
      const b2 = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const k = sortedOrder[i];
        t2[i] = timeMs[k];
        s2[i] = source[k];
        d2[i] = target[k];
        b2[i] = bytes[k];
      }
      [timeMs, source, target, bytes] = [t2, s2, d2, b2];
    }
    return { rows: n, timeMs, source, target, bytes, addresses: this.addresses.slice(), idOf: new Map(this.idOf) };
  }
}

/** Parses CSV text line by line; `file` names the input in errors. Lines are numbered from 1 (the header). */
class TapLineParser {
  private line = 0;
  private pendingBlank = 0;
  readonly builder = new TapBuilder();

  constructor(private readonly file: string) {}

  private fail(line: number, problem: string): never {
    throw new TapFormatError(`${this.file}:${line}: ${problem}`);
  }

  push(raw: string): void {
    this.line++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.line === 1) {
      const header = text.replace(/^\uFEFF/, '').trim();
      if (header !== TAP_COLUMNS) this.fail(1, `header must be "${TAP_COLUMNS}", got "${clip(header)}"`);
      return;
    }
    if (text.length === 0) {
      if (!this.pendingBlank) this.pendingBlank = this.line;
      return;
    }
    if (this.pendingBlank) this.fail(this.pendingBlank, 'empty line inside the tap');
    const c1 = text.indexOf(',');
    const c2 = c1 < 0 ? -1 : text.indexOf(',', c1 + 1);
    const c3 = c2 < 0 ? -1 : text.indexOf(',', c2 + 1);
    if (c3 < 0 || text.indexOf(',', c3 + 1) >= 0) {
      const fields = text.split(',').length;
      this.fail(this.line, `expected 4 fields (${TAP_COLUMNS}), got ${fields}: "${clip(text)}"`);
    }
    const timeText = text.slice(0, c1);
    const time = Number(timeText);
    if (!TIME_PATTERN.test(timeText) || !Number.isFinite(time)) {
      this.fail(this.line, `time_ms must be a finite number >= 0, got "${clip(timeText)}"`);
    }
    const source = text.slice(c1 + 1, c2);
    const target = text.slice(c2 + 1, c3);
    if (source.trim() === '') this.fail(this.line, 'source is empty');
    if (target.trim() === '') this.fail(this.line, 'target is empty');
    const bytesText = text.slice(c3 + 1);
    const bytes = Number(bytesText);
    if (!/^\d+$/.test(bytesText) || bytes > MAX_BYTES) {
      this.fail(this.line, `bytes must be an integer in [0, ${MAX_BYTES}], got "${clip(bytesText)}"`);
    }
    this.builder.add(time, source, target, bytes);
  }

  finish(): TapColumns {
    if (this.line === 0) this.fail(1, `empty file, expected the header "${TAP_COLUMNS}"`);
    return this.builder.build();
  }
}

function clip(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

/** Parses a whole CSV held in memory. */
export function parseTap(text: string, file = 'tap.csv'): TapColumns {
  const parser = new TapLineParser(file);
  let start = 0;
  while (start <= text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    if (nl < 0 && end === start) break; // text ends with a newline (or is empty)
    parser.push(text.slice(start, end));
    start = end + 1;
  }
  return parser.finish();
}

/** Streams a CSV file in 1 MiB chunks, so a 10^7-row tap never exists as one string. */
export async function readTapFile(path: string): Promise<TapColumns> {
  const parser = new TapLineParser(path);
  let carry = '';
  try {
    const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = carry + chunk;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        parser.push(text.slice(start, nl));
        start = nl + 1;
      }
      carry = text.slice(start);
    }
  } catch (err) {
    if (err instanceof TapFormatError) throw err;
    throw new TapFormatError(`${path}: ${fsProblem(err)}`);
  }
  if (carry.length > 0) parser.push(carry);
  return parser.finish();
}

function fsProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  return (err as Error).message.split('\n')[0];
}

const conversationSchema = z
  .object({
    source: z.string().min(1),
    target: z.string().min(1),
    startMs: z.number().min(0),
    endMs: z.number().min(0),
  })
  .refine((c) => c.endMs >= c.startMs, { message: 'endMs must be >= startMs', path: ['endMs'] })
  .refine((c) => c.source !== c.target, { message: 'source and target must differ', path: ['target'] });

const truthSchema = z.object({
  conversations: z.array(conversationSchema),
  malicious: z.array(z.string()).default([]),
  nodes: z.array(z.string().min(1)).optional(),
});

/** Validates parsed truth JSON; `file` names the input in errors. */
export function parseTruth(json: unknown, file = 'truth.json'): GroundTruth {
  const parsed = truthSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.reduce<string>(
      (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
      '',
    );
    throw new TapFormatError(`${file}: ${where || '(top level)'}: ${issue.message.split('\n')[0]}`);
  }
  return parsed.data;
}

export function readTruthFile(path: string): GroundTruth {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TapFormatError(`${path}: ${fsProblem(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TapFormatError(`${path}: invalid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  return parseTruth(json, path);
}
