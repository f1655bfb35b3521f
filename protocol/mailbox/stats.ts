/** Counters of the mailbox layer; every relay cell a holder or client drops is counted under one reason. */

export type MailboxDropReason =
  /** Not a well-formed body for its command. */
  | 'malformed'
  /** A reply whose request id we are not waiting for (late, duplicated or injected). */
  | 'unexpected'
  /** An ownership proof that did not verify or whose timestamp is outside proofSkewMs. */
  | 'bad-proof'
  /** An item that did not open at its owner (tampered, wrong recipient, forged sender). */
  | 'auth-failed'
  /** An item whose E or hidden sender key is not a point. */
  | 'bad-point'
  /** An opened item whose (sender, id) was accepted before. */
  | 'replay'
  /** An opened item whose sender tag is not the one its sender would compute (a tag-forging flooder). */
  | 'bad-sender-tag'
  /** An opened item whose plaintext the upper layer could not parse. */
  | 'bad-payload'
  /** Received after stop(). */
  | 'closed'
  /** An exception escaped a handler: a bug, counted instead of crashing the node; tests assert it stays 0. */
  | 'internal';

export interface MailboxStats {
  // holder side
  itemsStored: number;
  itemsDuplicate: number;
  refusedMailboxFull: number;
  refusedSenderQuota: number;
  refusedHolderFull: number;
  refusedGone: number;
  itemsListed: number;
  itemsDeleted: number;
  itemsExpired: number;
  replicationRounds: number;
  replicationPushes: number;
  /** Pushes another holder stored as new: a replica restored after churn. */
  replicasRestored: number;
  /** Push requests to another holder that got no answer (the holder left: a replica lost until someone restores it). */
  replicationPushesFailed: number;
  /** Items received by REPLICATE and stored as new here. */
  replicasReceived: number;
  mailboxesHeld: number;
  itemsHeld: number;
  bytesHeld: number;
  // client side
  storesOk: number;
  storesFailed: Partial<Record<'quota' | 'refused' | 'no-holders' | 'timeout' | 'too-large', number>>;
  fetches: number;
  itemsFetched: number;
  requestsTimedOut: number;
  circuitsFailed: number;
  dropped: Partial<Record<MailboxDropReason, number>>;
}

export function emptyMailboxStats(): MailboxStats {
  return {
    itemsStored: 0,
    itemsDuplicate: 0,
    refusedMailboxFull: 0,
    refusedSenderQuota: 0,
    refusedHolderFull: 0,
    refusedGone: 0,
    itemsListed: 0,
    itemsDeleted: 0,
    itemsExpired: 0,
    replicationRounds: 0,
    replicationPushes: 0,
    replicasRestored: 0,
    replicationPushesFailed: 0,
    replicasReceived: 0,
    mailboxesHeld: 0,
    itemsHeld: 0,
    bytesHeld: 0,
    storesOk: 0,
    storesFailed: {},
    fetches: 0,
    itemsFetched: 0,
    requestsTimedOut: 0,
    circuitsFailed: 0,
    dropped: {},
  };
}

export function countDrop(stats: MailboxStats, reason: MailboxDropReason): void {
  stats.dropped[reason] = (stats.dropped[reason] ?? 0) + 1;
}
