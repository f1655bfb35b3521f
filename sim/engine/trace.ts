import { createHash, type Hash } from 'node:crypto';

/**
 * The run's ordered semantic event trace. Its SHA-256 is the report's `traceHash`: equal seed and scenario
 * must give an equal hash, and any difference in what components recorded (or in the bytes they delivered)
 * must change it. The engine does not record every event; components record what they consider meaningful.
 *
 * Encoding (what is hashed), a self-delimiting binary stream, so distinct record sequences give distinct input:
 *   record  = 0x01 string(kind) field*        field = 0x02 string | 0x03 float64
 *   bytes   = 0x04 uint32(length) raw bytes   string = uint32(length in UTF-16 units) units as uint16 LE
 * Numbers are written as their IEEE-754 bits (little-endian), with -0 folded into 0 and one canonical NaN:
 * lossless, identical on every machine, and about 50x cheaper than formatting them as decimal text (V8 needs
 * ~300 ns to print a double, which dominated the simulator's per-datagram cost).
 * Everything goes through one 64 KiB buffer that is hashed when full, so a record costs no allocation.
 * The optional sink gets a readable tab-separated line per record, formatted only when a sink is set.
 */

export type TraceField = string | number;

export interface TraceOptions {
  /** When false, `record` and `recordBytes` are no-ops and the hash is that of an empty trace. Default true. */
  enabled?: boolean;
  /** Receives a readable line per record (without newline), e.g. to write the trace to a file. */
  sink?: (line: string) => void;
}

const BLOCK = 64 * 1024;
const TAG_RECORD = 0x01;
const TAG_STRING = 0x02;
const TAG_NUMBER = 0x03;
const TAG_BYTES = 0x04;
const DOMAIN = 'paratox-trace-v1\n';

export class Trace {
  readonly enabled: boolean;
  sink: ((line: string) => void) | undefined;
  private readonly sha: Hash = createHash('sha256').update(DOMAIN);
  private readonly buf = new Uint8Array(BLOCK);
  private readonly view = new DataView(this.buf.buffer);
  private pos = 0;
  private records = 0;

  constructor(opts: TraceOptions = {}) {
    this.enabled = opts.enabled ?? true;
    this.sink = opts.sink;
  }

  /** Number of records (record and recordBytes calls) so far. */
  get count(): number {
    return this.records;
  }

  /** Appends one record: `kind` and its fields. Fields must be deterministic values (no wall time, no ids of objects). */
  record(kind: string, ...fields: TraceField[]): void {
    if (!this.enabled) return;
    this.records++;
    this.room(1);
    this.buf[this.pos++] = TAG_RECORD;
    this.writeString(kind);
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      if (typeof f === 'number') this.writeNumber(f);
      else {
        this.room(1);
        this.buf[this.pos++] = TAG_STRING;
        this.writeString(f);
      }
    }
    if (this.sink !== undefined) this.sink(formatLine(kind, fields));
  }

  /** Mixes raw bytes (e.g. a delivered packet) into the hash, in order with the records. */
  recordBytes(bytes: Uint8Array): void {
    if (!this.enabled) return;
    this.records++;
    this.room(5);
    this.buf[this.pos] = TAG_BYTES;
    this.view.setUint32(this.pos + 1, bytes.length, true);
    this.pos += 5;
    this.writeRaw(bytes);
    if (this.sink !== undefined) this.sink(`#bytes\t${bytes.length}`);
  }

  /** SHA-256 (hex) of everything recorded so far. Does not end the trace: recording may continue. */
  hash(): string {
    this.flush();
    return this.sha.copy().digest('hex');
  }

  private writeNumber(v: number): void {
    this.room(9);
    this.buf[this.pos] = TAG_NUMBER;
    // Fold -0 into 0 and every NaN into one bit pattern: equal values must hash equally.
    this.view.setFloat64(this.pos + 1, v === 0 ? 0 : v === v ? v : NaN, true);
    this.pos += 9;
  }

  private writeString(s: string): void {
    const n = s.length;
    this.room(4);
    this.view.setUint32(this.pos, n, true);
    this.pos += 4;
    if (2 * n > BLOCK - this.pos) {
      this.writeRaw(Buffer.from(s, 'utf16le'));
      return;
    }
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      buf[p++] = c;
      buf[p++] = c >>> 8;
    }
    this.pos = p;
  }

  private writeRaw(bytes: Uint8Array): void {
    if (bytes.length > BLOCK - this.pos) {
      this.flush();
      if (bytes.length > BLOCK) {
        this.sha.update(bytes);
        return;
      }
    }
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Makes room for `n` (<= BLOCK) more bytes in the buffer. */
  private room(n: number): void {
    if (this.pos + n > BLOCK) this.flush();
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.sha.update(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }
}

/**
 * Readable text of a record for the sink: tab-separated; numbers in ECMAScript's shortest round-trip form;
 * tabs, newlines and backslashes in strings escaped so one record stays one line.
 */
export function formatLine(kind: string, fields: readonly TraceField[]): string {
  let line = escapeText(kind);
  for (const f of fields) line += '\t' + (typeof f === 'number' ? String(f) : escapeText(f));
  return line;
}

function escapeText(s: string): string {
  if (!/[\t\n\\]/.test(s)) return s;
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
}
