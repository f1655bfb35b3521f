/**
 * The sending half of a conversation: messages numbered per conversation (seq, under a random `stream`),
 * cut into fragments that fit the current channel, retransmitted with exponential backoff until the
 * receiver's acknowledgements cover every fragment. Only seqs in [floor, floor + window) are in flight, so the
 * receiver needs at most `window` messages of buffer per conversation. Knows nothing of channels or crypto:
 * the service asks it for due fragments and hands it acks.
 */
import type { TimerId } from '../runtime/clock.ts';
import { FRAG_HEADER_BYTES, MAX_FRAGMENTS, RECORD_OVERHEAD_BYTES, type AckFrame, type FragFrame } from './wire.ts';

export interface OutMessage {
  readonly id: string;
  readonly idBytes: Uint8Array;
  readonly seq: number;
  readonly body: Uint8Array;
  readonly sentAtMs: number;
  timeoutTimer?: TimerId;
  /** Fragment size the fragments were cut for (0: not cut yet). */
  chunk: number;
  count: number;
  /** held[i]: the receiver acknowledged fragment i. */
  held: boolean[];
  rtoMs: number;
  dueAtMs: number;
  transmissions: number;
}

/** Data bytes per fragment on a channel of `maxPayloadBytes` (0 when nothing fits). */
export function chunkFor(maxPayloadBytes: number): number {
  return Math.max(0, maxPayloadBytes - RECORD_OVERHEAD_BYTES - FRAG_HEADER_BYTES);
}

/** Smallest chunk that cuts `maxMessageBytes` into at most MAX_FRAGMENTS fragments. */
export function minChunk(maxMessageBytes: number): number {
  return Math.max(1, Math.ceil(maxMessageBytes / MAX_FRAGMENTS));
}

export class Outbox {
  private nextSeq = 0;
  /** Unresolved messages by seq (a Map keeps insertion = seq order). */
  private readonly messages = new Map<number, OutMessage>();

  constructor(
    readonly stream: Uint8Array,
    private readonly window: number,
    private readonly initialRtoMs: number,
    private readonly maxRtoMs: number,
  ) {}

  size(): number {
    return this.messages.size;
  }

  all(): OutMessage[] {
    return [...this.messages.values()];
  }

  /** Returns false when the 32-bit seq space is used up (a conversation would need 4 billion messages). */
  add(m: Omit<OutMessage, 'seq' | 'chunk' | 'count' | 'held' | 'rtoMs' | 'dueAtMs' | 'transmissions'>): OutMessage | null {
    if (this.nextSeq > 0xffff_ffff) return null;
    const msg: OutMessage = { ...m, seq: this.nextSeq++, chunk: 0, count: 0, held: [], rtoMs: this.initialRtoMs, dueAtMs: 0, transmissions: 0 };
    this.messages.set(msg.seq, msg);
    return msg;
  }

  remove(seq: number): OutMessage | undefined {
    const m = this.messages.get(seq);
    this.messages.delete(seq);
    return m;
  }

  /** Lowest unresolved seq (every lower one was acknowledged or given up). */
  floor(): number {
    for (const seq of this.messages.keys()) return seq;
    return this.nextSeq;
  }

  private inWindow(): OutMessage[] {
    const limit = this.floor() + this.window;
    const out: OutMessage[] = [];
    for (const m of this.messages.values()) {
      if (m.seq >= limit) break;
      out.push(m);
    }
    return out;
  }

  /** A new session: every in-flight message is due now with a fresh RTO; recut if the channel's size differs. */
  restart(chunk: number, nowMs: number): void {
    for (const m of this.messages.values()) {
      if (m.chunk !== chunk) this.cut(m, chunk);
      m.rtoMs = this.initialRtoMs;
      m.dueAtMs = nowMs;
    }
  }

  private cut(m: OutMessage, chunk: number): void {
    m.chunk = chunk;
    m.count = Math.max(1, Math.ceil(m.body.length / chunk));
    m.held = new Array<boolean>(m.count).fill(false);
  }

  /**
   * Fragments due at `nowMs` on a channel with fragment size `chunk` (unacknowledged ones of every in-window
   * message whose timer expired), with backoff applied. `retransmits` counts fragments sent before.
   */
  due(chunk: number, nowMs: number): { frames: Omit<FragFrame, 'type'>[]; retransmits: number } {
    const frames: Omit<FragFrame, 'type'>[] = [];
    let retransmits = 0;
    const floor = this.floor();
    for (const m of this.inWindow()) {
      if (m.chunk !== chunk) this.cut(m, chunk);
      if (m.dueAtMs > nowMs) continue;
      const missing = m.held.flatMap((held, i) => (held ? [] : [i]));
      // All held but not yet released in order: probe with the last fragment, which carries our floor (so
      // the receiver can skip what we gave up) and makes it ack again.
      for (const i of missing.length > 0 ? missing : [m.count - 1]) {
        const data = m.body.subarray(i * chunk, Math.min(m.body.length, (i + 1) * chunk));
        frames.push({ stream: this.stream, seq: m.seq, floor, messageId: m.idBytes, index: i, count: m.count, total: m.body.length, data });
        if (m.transmissions > 0) retransmits++;
      }
      if (m.transmissions > 0) m.rtoMs = Math.min(this.maxRtoMs, m.rtoMs * 2);
      m.transmissions++;
      m.dueAtMs = nowMs + m.rtoMs;
    }
    return { frames, retransmits };
  }

  /** Earliest time an in-window message is due again, or undefined when nothing is in flight. */
  nextDueMs(): number | undefined {
    let next: number | undefined;
    for (const m of this.inWindow()) if (next === undefined || m.dueAtMs < next) next = m.dueAtMs;
    return next;
  }

  /**
   * Applies an ack for this stream; returns the messages now delivered (removed): those below the receiver's
   * cumulative seq, i.e. released to its application in order. Entries (fragments held, or a whole message
   * held but waiting for an earlier seq) only stop retransmission. Entries for unknown seqs or another
   * fragmentation are ignored: an ack can only help, never hurt.
   */
  applyAck(ack: AckFrame, nowMs: number): OutMessage[] {
    const done: OutMessage[] = [];
    for (const m of [...this.messages.values()]) {
      if (m.seq < ack.cumulative) done.push(m);
    }
    for (const e of ack.entries) {
      const m = this.messages.get(e.seq);
      if (!m || m.seq < ack.cumulative || e.count !== m.count) continue;
      let progress = false;
      const hold = (i: number) => {
        progress ||= !m.held[i];
        m.held[i] = true;
      };
      for (let i = 0; i < e.first; i++) hold(i);
      for (let i = 0; i < e.bits; i++) if ((e.bitmap[i >> 3] >> (i & 7)) & 1) hold(e.first + i);
      // New fragments got through: the path works, so the backoff restarts (as TCP resets it on a new ack).
      if (progress) {
        m.rtoMs = this.initialRtoMs;
        m.dueAtMs = Math.min(m.dueAtMs, nowMs + this.initialRtoMs);
      }
    }
    for (const m of done) this.messages.delete(m.seq);
    return done;
  }
}
