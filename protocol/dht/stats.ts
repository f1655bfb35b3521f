/**
 * Counters a DhtNode keeps: traffic, lookups, and every dropped input by reason, so tests and the simulator's
 * reports can tell an attack that was repelled from one that never happened.
 */
import { STORE_REFUSALS, type DecodeErrorCode } from './messages.ts';
import type { StoreRejection } from './record-store.ts';

export const DROP_REASONS = [
  /** Undecodable message (see decodeErrors for the codec's reason) or undecodable record. */
  'malformed',
  /** Message type byte the codec does not know. */
  'unknown-type',
  /** Known request type this node does not serve yet (GET_ONLINE, CONFIRM: later issues). */
  'unsupported',
  /** Reply matching no request of ours to that peer, or of the wrong kind (late honest replies are not counted). */
  'unexpected-reply',
  ...STORE_REFUSALS,
  /** Refused by the DhtPolicy hook. */
  'policy',
  /** Too many requests pending: new ones fail at once. */
  'overloaded',
  /** Contacts of one NODES reply beyond the per-host cap (a reply listing many NodeIDs at one IP). */
  'reply-host-cap',
  /** A first contact (not in our table at that address) refused: its host had too many from us lately. */
  'first-contact-rate',
  /** A CONFIRM refused: its requester (NodeID or host) sent too many lately (dht/entry/confirm-handler.ts). */
  'confirm-rate',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** Compile-time guard: every store rejection is a drop reason. */
const _drops: readonly DropReason[] = [] as StoreRejection[];
void _drops;

const DECODE_ERRORS: readonly DecodeErrorCode[] = ['truncated', 'bad-length', 'bad-address', 'bad-pub', 'bad-field', 'unknown-type', 'oversize'];

export interface DhtStats {
  messagesSent: number;
  messagesReceived: number;
  requestsSent: number;
  requestsReceived: number;
  repliesSent: number;
  repliesReceived: number;
  /** Requests that timed out after all retries. */
  timeouts: number;
  /** Requests sent again after a timeout. */
  retransmissions: number;
  /** Replies from the right peer to a request already answered or timed out (duplicates, slow links): not drops. */
  lateReplies: number;
  lookups: number;
  /** Requests sent by lookups (FIND_NODE / FIND_VALUE). */
  lookupMessages: number;
  storesAccepted: number;
  /** Held records dropped to make room for a record closer to us (store full; farthest from our key first). */
  recordsEvicted: number;
  drops: Record<DropReason, number>;
  decodeErrors: Record<DecodeErrorCode, number>;
  routingTableSize: number;
  records: number;
  pendingRequests: number;
}

export type Counter = Exclude<keyof DhtStats, 'drops' | 'decodeErrors' | 'routingTableSize' | 'records' | 'pendingRequests'>;

/** Mutable counters shared by a node's parts; `snapshot` copies them for callers. */
export class StatsCounter {
  private readonly counts: Record<Counter, number> = {
    messagesSent: 0,
    messagesReceived: 0,
    requestsSent: 0,
    requestsReceived: 0,
    repliesSent: 0,
    repliesReceived: 0,
    timeouts: 0,
    retransmissions: 0,
    lateReplies: 0,
    lookups: 0,
    lookupMessages: 0,
    storesAccepted: 0,
    recordsEvicted: 0,
  };
  private readonly drops = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  private readonly decodeErrors = Object.fromEntries(DECODE_ERRORS.map((r) => [r, 0])) as Record<DecodeErrorCode, number>;

  inc(counter: Counter, n = 1): void {
    this.counts[counter] += n;
  }

  drop(reason: DropReason): void {
    this.drops[reason]++;
  }

  decodeError(code: DecodeErrorCode): void {
    this.decodeErrors[code]++;
  }

  snapshot(gauges: Pick<DhtStats, 'routingTableSize' | 'records' | 'pendingRequests'>): DhtStats {
    return { ...this.counts, drops: { ...this.drops }, decodeErrors: { ...this.decodeErrors }, ...gauges };
  }
}
