/**
 * Conversation defaults. `ConversationService` takes `Partial<ConversationConfig>`; `resolveConversationConfig`
 * fills the rest from here and rejects impossible values, so a misconfiguration fails at construction.
 * Every buffer an outsider can make us fill has a limit here (design brief: "put a limit on everything").
 */

export interface ConversationConfig {
  /** Largest body `send` accepts; larger ones fail at once with 'too-large'. */
  readonly maxMessageBytes: number;
  /** A message not acknowledged this long after send() fails with 'timeout'. */
  readonly messageTimeoutMs: number;
  /** First retransmission timeout of a fragment; doubles on every resend up to maxRtoMs. */
  readonly initialRtoMs: number;
  readonly maxRtoMs: number;
  /** Wait this long for the handshake's next message before resending the same bytes. */
  readonly handshakeTimeoutMs: number;
  /** Resends after the first attempt (init, or confirm); then the session fails. */
  readonly handshakeRetries: number;
  /** An init's timestamp must be within this many ms of the responder's clock; its ephemeral is remembered 2x this. */
  readonly handshakeMaxSkewMs: number;
  /** Init ephemerals remembered for replay detection; when full, new inits are refused until entries expire. */
  readonly maxRecentHandshakes: number;
  /** Dropped payloads a channel may deliver before its handshake completes; then it is closed. */
  readonly maxHandshakeDrops: number;
  /** Channel opens (or handshakes) tried in a row for one peer before its pending messages fail. */
  readonly maxChannelAttempts: number;
  /** Wait before the second channel attempt; doubles for each later one. */
  readonly channelRetryMs: number;
  /** The receiver acknowledges this long after a data record arrives, coalescing acks. */
  readonly ackDelayMs: number;
  /** Unacknowledged messages in flight per conversation (send window) = the receive window in messages. */
  readonly windowMessages: number;
  /** Messages queued or in flight over all peers; more fail at once with 'queue-full'. */
  readonly maxPendingMessages: number;
  /** Peer accounts with state (either direction); a new peer evicts an idle one or is refused. */
  readonly maxConversations: number;
  /** Channels with a session (handshaking or open) at once; more incoming channels are closed. */
  readonly maxSessions: number;
  /** Bytes held in reassembly and out-of-order buffers over all conversations. */
  readonly maxBufferedBytes: number;
  /** Anti-replay window per receive direction, in records (multiple of 32). */
  readonly replayWindow: number;
  /** A session with no authentic record this long is closed (keys erased). */
  readonly idleSessionMs: number;
  /** A conversation with nothing pending, no session and no traffic this long may be evicted. */
  readonly idleConversationMs: number;
  /** With an offline mailbox: our mailbox is fetched this often (the first time 1 ms after construction). */
  readonly offlinePollMs: number;
  /** A stored message with no end-to-end ack this long after it was stored fails with 'expired' (mailbox expiry + margin). */
  readonly offlineExpiryMs: number;
  /** Offline messages remembered per receiver for exactly-once delivery (oldest forgotten first). */
  readonly offlineSeenMax: number;
  /**
   * openChannel failure reasons that mean "the account is not online" (protocol/account ConnectFailure: no descriptor
   * published, or none of its intro points answers): its messages go to the mailbox at once. Other failures retry
   * up to maxChannelAttempts; a message never transmitted when those end, or when messageTimeoutMs fires, goes too.
   */
  readonly offlineReasons: readonly string[];
}

export const DEFAULT_CONVERSATION_CONFIG: ConversationConfig = Object.freeze({
  maxMessageBytes: 65_536,
  messageTimeoutMs: 60_000,
  initialRtoMs: 1_000,
  maxRtoMs: 16_000,
  handshakeTimeoutMs: 2_000,
  handshakeRetries: 4,
  handshakeMaxSkewMs: 120_000,
  maxRecentHandshakes: 1_024,
  maxHandshakeDrops: 16,
  maxChannelAttempts: 6,
  channelRetryMs: 1_000,
  ackDelayMs: 20,
  windowMessages: 16,
  maxPendingMessages: 1_024,
  maxConversations: 256,
  maxSessions: 64,
  maxBufferedBytes: 8 * 1024 * 1024,
  replayWindow: 1_024,
  idleSessionMs: 120_000,
  idleConversationMs: 600_000,
  offlinePollMs: 120_000,
  offlineExpiryMs: 7 * 24 * 60 * 60_000 + 60 * 60_000,
  offlineSeenMax: 8_192,
  offlineReasons: Object.freeze(['no-descriptor', 'intro-failed']),
});

const POSITIVE = [
  'maxMessageBytes', 'messageTimeoutMs', 'initialRtoMs', 'maxRtoMs', 'handshakeTimeoutMs', 'handshakeMaxSkewMs',
  'maxRecentHandshakes', 'maxHandshakeDrops', 'maxChannelAttempts', 'channelRetryMs', 'windowMessages', 'maxPendingMessages',
  'maxConversations', 'maxSessions', 'maxBufferedBytes', 'idleSessionMs', 'idleConversationMs',
  'offlinePollMs', 'offlineExpiryMs', 'offlineSeenMax',
] as const;

export function resolveConversationConfig(init: Partial<ConversationConfig> = {}): ConversationConfig {
  const config: ConversationConfig = { ...DEFAULT_CONVERSATION_CONFIG, ...init };
  for (const name of POSITIVE) {
    const v = config[name];
    if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`ConversationConfig.${name} must be a positive integer, got ${v}`);
  }
  for (const name of ['handshakeRetries', 'ackDelayMs'] as const) {
    const v = config[name];
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`ConversationConfig.${name} must be a non-negative integer, got ${v}`);
  }
  if (config.maxMessageBytes > 2 ** 24) throw new RangeError('ConversationConfig.maxMessageBytes must be <= 16 MiB');
  if (config.windowMessages > 255) throw new RangeError('ConversationConfig.windowMessages must be <= 255');
  if (config.maxRtoMs < config.initialRtoMs) throw new RangeError('ConversationConfig.maxRtoMs must be >= initialRtoMs');
  if (!Number.isSafeInteger(config.replayWindow) || config.replayWindow <= 0 || config.replayWindow % 32 !== 0) {
    throw new RangeError(`ConversationConfig.replayWindow must be a positive multiple of 32, got ${config.replayWindow}`);
  }
  return config;
}
