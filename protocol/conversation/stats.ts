/** Counters a ConversationService keeps; every channel payload it drops is counted under exactly one reason. */

/** Why a payload received on a channel (or a frame inside an authentic record) was not used. */
export type ConversationDropReason =
  /** Not a well-formed payload: unknown kind, truncated, lengths that do not add up, bad field values. */
  | 'malformed'
  /** AEAD (record) or ECIES (init) authentication failed: tampered, injected, or not for our account key. */
  | 'auth-failed'
  /** A record counter already accepted in this direction. */
  | 'replay'
  /** A record counter older than the anti-replay window. */
  | 'too-old'
  /** An init whose ephemeral key was seen before on another channel (a replayed init). */
  | 'replayed-init'
  /** An init whose timestamp is outside ±handshakeMaxSkewMs. */
  | 'stale-handshake'
  /** The replay cache of recent inits is full: new inits are refused until entries expire. */
  | 'handshake-overload'
  /** A key in a handshake message is not a valid P-256 point (or MQV gave the point at infinity). */
  | 'bad-handshake'
  /** A key-confirmation tag (SP 800-56A §5.9.1) did not match: wrong key or a man in the middle. */
  | 'bad-confirmation'
  /** A well-formed payload that this session's state does not expect (a response sent to a responder, ...). */
  | 'unexpected'
  /** A fragment whose message seq is beyond the receive window. */
  | 'beyond-window'
  /** A fragment that would exceed maxBufferedBytes. */
  | 'buffer-full'
  /** A fragment that disagrees with earlier fragments of the same message (id, count, length). */
  | 'inconsistent-fragment'
  /** An incoming channel refused because maxSessions sessions exist. */
  | 'session-limit'
  /** A new peer refused because maxConversations conversations are busy. */
  | 'conversation-limit'
  /** Received after stop() or after its session closed. */
  | 'closed'
  /** An offline letter whose payload does not decode. */
  | 'bad-offline-payload'
  /** An offline message already delivered (by id, per sender). */
  | 'duplicate-offline'
  /** An offline ack for no message we stored for that account (late, forged by nobody: only the recipient can seal it). */
  | 'unexpected-offline-ack'
  /** An exception escaped a decoder: a bug, counted instead of crashing the node; tests assert it stays 0. */
  | 'internal';

/** Why a message's outcome is 'failed'. */
export type FailureReason =
  | 'timeout'
  | 'handshake-failed'
  | 'channel-closed'
  | 'stopped'
  | 'too-large'
  | 'queue-full'
  | 'bad-peer-key'
  | 'conversation-limit'
  /** Offline: a mailbox holder refused it (mailbox, sender or holder quota). */
  | 'quota'
  /** Offline: stored, but no end-to-end ack came back before the mailbox expiry (it may have been read). */
  | 'expired'
  /** Offline: no channel, and storing it failed otherwise (no holders, timeout, refused, too large). */
  | 'offline-store-failed';

export interface ConversationStats {
  /** Messages accepted by send() (every one ends in exactly one outcome). */
  messagesSent: number;
  /** Sender side: outcomes reported. */
  messagesAcked: number;
  messagesFailed: Partial<Record<FailureReason, number>>;
  /** Receiver side: messages delivered to 'message' listeners (each (sender, stream, seq) once). */
  messagesDelivered: number;
  /** Receiver side: messages the sender gave up on (skipped, never delivered). */
  messagesAbandoned: number;
  fragmentsSent: number;
  fragmentRetransmits: number;
  /** Fragments received again after they were already held or delivered (suppressed). */
  duplicateFragments: number;
  recordsSent: number;
  recordsReceived: number;
  acksSent: number;
  handshakesStarted: number;
  handshakesAccepted: number;
  handshakesCompleted: number;
  handshakesFailed: number;
  handshakeRetransmits: number;
  channelsOpened: number;
  channelOpenFailures: number;
  channelsAccepted: number;
  channelsClosed: number;
  /** Sessions held now, in any state (handshaking or open). */
  sessionsOpen: number;
  conversations: number;
  conversationsEvicted: number;
  bufferedBytes: number;
  /** Channel payloads that channel.send refused (closed or too large). */
  channelSendRefused: number;
  /** Sender side: messages sealed and stored in the recipient's mailbox ('stored' events). */
  messagesStoredOffline: number;
  /** Sender side: outcomes 'delivered-offline'. */
  deliveredOffline: number;
  /** Receiver side: messages delivered from our mailbox (protection pfs: false). */
  offlineMessagesReceived: number;
  /** Receiver side: end-to-end acks of offline messages stored into senders' mailboxes (and failed stores). */
  offlineAcksSent: number;
  offlineAcksFailed: number;
  /** Mailbox fetches started. */
  offlineFetches: number;
  dropped: Partial<Record<ConversationDropReason, number>>;
}

export function emptyConversationStats(): ConversationStats {
  return {
    messagesSent: 0,
    messagesAcked: 0,
    messagesFailed: {},
    messagesDelivered: 0,
    messagesAbandoned: 0,
    fragmentsSent: 0,
    fragmentRetransmits: 0,
    duplicateFragments: 0,
    recordsSent: 0,
    recordsReceived: 0,
    acksSent: 0,
    handshakesStarted: 0,
    handshakesAccepted: 0,
    handshakesCompleted: 0,
    handshakesFailed: 0,
    handshakeRetransmits: 0,
    channelsOpened: 0,
    channelOpenFailures: 0,
    channelsAccepted: 0,
    channelsClosed: 0,
    sessionsOpen: 0,
    conversations: 0,
    conversationsEvicted: 0,
    bufferedBytes: 0,
    channelSendRefused: 0,
    messagesStoredOffline: 0,
    deliveredOffline: 0,
    offlineMessagesReceived: 0,
    offlineAcksSent: 0,
    offlineAcksFailed: 0,
    offlineFetches: 0,
    dropped: {},
  };
}

export function totalDrops(stats: ConversationStats): number {
  return Object.values(stats.dropped).reduce((a, b) => a + (b ?? 0), 0);
}
