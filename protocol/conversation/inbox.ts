/**
 * The receiving half of a conversation with one peer: reassembles fragments, suppresses duplicates by
 * (stream, seq), and releases messages strictly in seq order. Seqs below the sender's `floor` not yet
 * released were given up by the sender (it reported them failed) and are skipped, even if held complete:
 * the sender counts a message delivered only once our cumulative ack passes it. Bounded three ways: only seqs in
 * [cumulative, cumulative + window) are buffered, total size <= maxMessageBytes per message, and every byte
 * held is charged to a budget shared by all conversations.
 */
import { equalBytes, toHex } from '../packet/bytes.ts';
import { ACK_ENTRY_HEADER_BYTES, ACK_HEADER_BYTES, type AckEntry, type AckFrame, type FragFrame } from './wire.ts';
import type { ConversationDropReason } from './stats.ts';

/** Bytes buffered over all conversations, against one limit. */
export interface ByteBudget {
  used: number;
  readonly max: number;
}

interface Assembly {
  readonly idBytes: Uint8Array;
  readonly count: number;
  readonly total: number;
  readonly parts: (Uint8Array | undefined)[];
  held: number;
  bytes: number;
}

export interface Delivery {
  readonly messageId: string;
  readonly body: Uint8Array;
}

export type FragVerdict =
  | { readonly kind: 'accepted'; readonly deliveries: Delivery[]; readonly skipped: number }
  | { readonly kind: 'duplicate'; readonly deliveries: Delivery[]; readonly skipped: number }
  | { readonly kind: 'dropped'; readonly reason: ConversationDropReason; readonly deliveries: Delivery[]; readonly skipped: number };

export class Inbox {
  private stream: Uint8Array | undefined;
  private cumulative = 0;
  private readonly partial = new Map<number, Assembly>();
  private readonly complete = new Map<number, { assembly: Assembly; body: Uint8Array }>();

  constructor(
    private readonly window: number,
    private readonly maxMessageBytes: number,
    private readonly budget: ByteBudget,
  ) {}

  /** Releases every buffered byte (conversation evicted or service stopped). */
  clear(): void {
    for (const a of this.partial.values()) this.budget.used -= a.bytes;
    for (const c of this.complete.values()) this.budget.used -= c.assembly.bytes;
    this.partial.clear();
    this.complete.clear();
  }

  currentStream(): Uint8Array | undefined {
    return this.stream;
  }

  receive(f: FragFrame): FragVerdict {
    if (f.total > this.maxMessageBytes) return { kind: 'dropped', reason: 'malformed', deliveries: [], skipped: 0 };
    if (!this.stream || !equalBytes(this.stream, f.stream)) {
      // A sender's first fragment, or it restarted with a new stream: nothing older can be resent under it.
      this.clear();
      this.stream = f.stream;
      this.cumulative = f.floor;
    }
    const deliveries: Delivery[] = [];
    const skipped = this.advanceTo(f.floor);
    if (f.seq < this.cumulative || this.complete.has(f.seq)) return { kind: 'duplicate', deliveries: this.release(deliveries), skipped };
    if (f.seq >= this.cumulative + this.window) return { kind: 'dropped', reason: 'beyond-window', deliveries: this.release(deliveries), skipped };
    let a = this.partial.get(f.seq);
    if (a && (a.count !== f.count || a.total !== f.total || !equalBytes(a.idBytes, f.messageId))) {
      // The sender recut the message for a new channel (or is inconsistent): start this seq over.
      this.budget.used -= a.bytes;
      this.partial.delete(f.seq);
      a = undefined;
    }
    if (a?.parts[f.index]) return { kind: 'duplicate', deliveries: this.release(deliveries), skipped };
    if (this.budget.used + f.data.length > this.budget.max) return { kind: 'dropped', reason: 'buffer-full', deliveries: this.release(deliveries), skipped };
    if (!a) {
      a = { idBytes: f.messageId, count: f.count, total: f.total, parts: new Array(f.count), held: 0, bytes: 0 };
      this.partial.set(f.seq, a);
    }
    a.parts[f.index] = f.data;
    a.held++;
    a.bytes += f.data.length;
    this.budget.used += f.data.length;
    if (a.held === a.count) {
      this.partial.delete(f.seq);
      const body = joinParts(a);
      if (!body) {
        this.budget.used -= a.bytes;
        return { kind: 'dropped', reason: 'inconsistent-fragment', deliveries: this.release(deliveries), skipped };
      }
      this.complete.set(f.seq, { assembly: a, body });
    }
    return { kind: 'accepted', deliveries: this.release(deliveries), skipped };
  }

  /**
   * Moves `cumulative` up to `floor`: every seq below it not yet released was given up by the sender and is
   * skipped (its buffers freed). Walks buffered seqs only, so a huge floor costs nothing.
   */
  private advanceTo(floor: number): number {
    if (floor <= this.cumulative) return 0;
    let skipped = 0;
    const below = [...this.partial.keys(), ...this.complete.keys()].filter((s) => s < floor).sort((x, y) => x - y);
    for (const seq of below) {
      skipped += seq - this.cumulative;
      // Held (even complete) below the floor: the sender gave it up and reported it failed, so delivering it
      // now would contradict that outcome.
      this.budget.used -= (this.complete.get(seq)?.assembly ?? this.partial.get(seq)!).bytes;
      this.complete.delete(seq);
      this.partial.delete(seq);
      skipped++;
      this.cumulative = seq + 1;
    }
    skipped += floor - this.cumulative;
    this.cumulative = floor;
    return skipped;
  }

  private release(out: Delivery[]): Delivery[] {
    for (;;) {
      const c = this.complete.get(this.cumulative);
      if (!c) return out;
      this.complete.delete(this.cumulative);
      this.budget.used -= c.assembly.bytes;
      this.cumulative++;
      out.push({ messageId: toHex(c.assembly.idBytes), body: c.body });
    }
  }

  /** The ack for the current stream, at most `maxBytes` long (entries that do not fit are left out). */
  ack(maxBytes: number): AckFrame | undefined {
    if (!this.stream) return undefined;
    const entries: AckEntry[] = [];
    let size = ACK_HEADER_BYTES;
    const seqs = [...this.partial.keys(), ...this.complete.keys()].sort((x, y) => x - y);
    for (const seq of seqs) {
      if (entries.length === 255) break;
      const room = maxBytes - size - ACK_ENTRY_HEADER_BYTES;
      if (room < 0) break;
      const entry = this.complete.has(seq) ? completeEntry(seq, this.complete.get(seq)!.assembly.count) : partialEntry(seq, this.partial.get(seq)!, room * 8);
      entries.push(entry);
      size += ACK_ENTRY_HEADER_BYTES + Math.ceil(entry.bits / 8);
    }
    return { type: 0x11, stream: this.stream, cumulative: this.cumulative, entries };
  }

  bufferedMessages(): number {
    return this.partial.size + this.complete.size;
  }
}

function completeEntry(seq: number, count: number): AckEntry {
  return { seq, count, first: count, bits: 0, bitmap: new Uint8Array(0) };
}

function partialEntry(seq: number, a: Assembly, maxBits: number): AckEntry {
  let first = 0;
  while (first < a.count && a.parts[first]) first++;
  const bits = Math.min(a.count - first, maxBits);
  const bitmap = new Uint8Array(Math.ceil(bits / 8));
  for (let i = 0; i < bits; i++) if (a.parts[first + i]) bitmap[i >> 3] |= 1 << (i & 7);
  return { seq, count: a.count, first, bits, bitmap };
}

/** Concatenates a complete assembly; undefined if the parts do not add up to the announced total. */
function joinParts(a: Assembly): Uint8Array | undefined {
  if (a.bytes !== a.total) return undefined;
  const body = new Uint8Array(a.total);
  let o = 0;
  for (const p of a.parts) {
    body.set(p!, o);
    o += p!.length;
  }
  return body;
}
