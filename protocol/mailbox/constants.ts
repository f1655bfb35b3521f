/**
 * Mailbox command numbers, labels and defaults. Relay commands 0x40-0x4f are ours (onion core < 0x10, accounts
 * 0x30-0x3f). Every queue, map and retry here has a limit (design brief: "put a limit on everything").
 */

export const MailboxCmd = {
  /** client -> holder: reqId(4) | mailboxKey(32) | senderTag(16) | item. */
  APPEND: 0x40,
  /** holder -> client: reqId(4) | status(1). */
  APPEND_REPLY: 0x41,
  /** owner -> holder: reqId(4) | mailboxKey(32) | blindedPub(33) | timestampMs(8) | signature(64). */
  LIST: 0x42,
  /** holder -> owner, one per item: reqId(4) | storedAtMs(8) | senderTag(16) | item. */
  LIST_ITEM: 0x43,
  /** holder -> owner after the items: reqId(4) | status(1) | items(2). */
  LIST_END: 0x44,
  /** owner -> holder: reqId(4) | mailboxKey(32) | blindedPub(33) | timestampMs(8) | n(1) | itemId(16)*n | signature(64). */
  DELETE: 0x45,
  /** holder -> owner: reqId(4) | status(1) | deleted(2). */
  DELETE_REPLY: 0x46,
  /** holder -> holder: reqId(4) | mailboxKey(32) | senderTag(16) | storedAtMs(8) | item. Answered by APPEND_REPLY. */
  REPLICATE: 0x47,
} as const;

/** Answers a holder gives. */
export const MailboxStatus = {
  STORED: 0,
  /** Already held (same item bytes): counts as stored. */
  DUPLICATE: 1,
  /** The mailbox is at maxItemsPerMailbox or maxBytesPerMailbox. */
  MAILBOX_FULL: 2,
  /** This sender tag is at maxItemsPerSender in this mailbox. */
  SENDER_QUOTA: 3,
  /** The holder is at its global limits (mailboxes or bytes). */
  HOLDER_FULL: 4,
  /** Deleted by its owner (tombstone) or already expired: not stored again. */
  GONE: 5,
  /** Ownership proof did not verify, or its timestamp is outside the skew window. */
  BAD_PROOF: 6,
  OK: 7,
} as const;
export type MailboxStatusCode = (typeof MailboxStatus)[keyof typeof MailboxStatus];

export const MAILBOX_KEY_LABEL = 'paratox/v1/mailbox';
export const SENDER_TAG_LABEL = 'paratox/v1/mailbox-sender';
export const LIST_PROOF_LABEL = 'paratox/v1/mailbox-list';
export const DELETE_PROOF_LABEL = 'paratox/v1/mailbox-delete';
export const OFFLINE_SEAL_LABEL = 'paratox/v1/offline-mqv';
export const OFFLINE_HIDE_LABEL = 'paratox/v1/offline-hide';

export const MAILBOX_KEY_BYTES = 32;
export const SENDER_TAG_BYTES = 16;
export const ITEM_ID_BYTES = 16;
export const REQ_ID_BYTES = 4;

export interface MailboxConfig {
  /** Holders per mailbox key (the k closest nodes). */
  readonly replicas: number;
  /** Holder acks needed before store() reports ok. */
  readonly minReplicas: number;
  /** Circuit length to a holder, the holder being the last hop. */
  readonly hopsPerCircuit: number;
  /** Blinding period; equal to the account layer's (protocol/account PERIOD_MS). */
  readonly periodMs: number;
  /** Periods fetch() looks at: the current one and periods-1 before it (covers expiryMs). */
  readonly fetchPeriods: number;
  /** An item is deleted this long after it was first stored, fetched or not. */
  readonly expiryMs: number;
  readonly maxItemsPerMailbox: number;
  readonly maxBytesPerMailbox: number;
  readonly maxItemsPerSender: number;
  /** Mailbox keys one holder keeps at once. */
  readonly maxMailboxes: number;
  /** Item bytes one holder keeps over all mailboxes. */
  readonly maxHolderBytes: number;
  /** Tombstones (deleted item ids) kept per holder, so re-replication does not resurrect deleted items. */
  readonly maxTombstones: number;
  /** Ownership proofs carry a timestamp; it must be within this many ms of the holder's clock. */
  readonly proofSkewMs: number;
  /** Expired items are swept this often. */
  readonly sweepMs: number;
  /** Each holder re-replicates its mailboxes this often (first round after a random part of it). */
  readonly replicateMs: number;
  /** Items pushed per re-replication round, over all mailboxes. */
  readonly maxPushesPerRound: number;
  /** Once minReplicas holders acknowledged a store, the others get this long before store() reports. */
  readonly storeGraceMs: number;
  /** One request (circuit build + reply) is given up after this long. */
  readonly requestTimeoutMs: number;
  /** Requests (store/fetch/delete/replicate circuits) in flight per client or holder. */
  readonly maxInFlight: number;
}

export const DEFAULT_MAILBOX_CONFIG: MailboxConfig = Object.freeze({
  replicas: 3,
  minReplicas: 2,
  hopsPerCircuit: 3,
  periodMs: 24 * 60 * 60_000,
  fetchPeriods: 8,
  expiryMs: 7 * 24 * 60 * 60_000,
  maxItemsPerMailbox: 256,
  maxBytesPerMailbox: 256 * 1024,
  maxItemsPerSender: 32,
  maxMailboxes: 4_096,
  maxHolderBytes: 64 * 1024 * 1024,
  maxTombstones: 65_536,
  proofSkewMs: 120_000,
  sweepMs: 60_000,
  replicateMs: 10 * 60_000,
  maxPushesPerRound: 512,
  storeGraceMs: 2_000,
  requestTimeoutMs: 20_000,
  maxInFlight: 64,
});

export function resolveMailboxConfig(init: Partial<MailboxConfig> = {}): MailboxConfig {
  const c: MailboxConfig = { ...DEFAULT_MAILBOX_CONFIG, ...init };
  for (const [name, v] of Object.entries(c)) {
    // >= 1 everywhere: a timer re-armed with 0 ms would spin forever in virtual time.
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`MailboxConfig.${name} must be a positive integer, got ${v}`);
  }
  if (c.minReplicas > c.replicas) throw new RangeError('MailboxConfig.minReplicas must be <= replicas');
  if (c.maxItemsPerSender > c.maxItemsPerMailbox) throw new RangeError('MailboxConfig.maxItemsPerSender must be <= maxItemsPerMailbox');
  return c;
}
