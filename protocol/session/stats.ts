/** Counters a SessionManager keeps; every dropped datagram or message is counted under exactly one reason. */
import type { PacketErrorCode } from '../packet/errors.ts';

/** Why an inbound datagram (or a frame inside one) was not delivered. */
export type DropReason =
  | PacketErrorCode
  /** Authentic frame for a responder session whose initiator has not confirmed yet, and the buffer is full. */
  | 'unconfirmed'
  /** Authentic frame of a type nobody registered a handler for. */
  | 'no-handler'
  /** Authentic session-control frame in the wrong role (an ACK sent to a responder, ...). */
  | 'unexpected-type'
  /** A copy of a handshake message this node already handled (retransmission or replay). */
  | 'duplicate-handshake'
  /** Replay set or half-open table full: the responder refuses new inits until entries expire. */
  | 'handshake-overload'
  /** Init while the responder is under load, without a valid mac2: answered with a cookie reply, no ECDH. */
  | 'handshake-needs-cookie'
  /** Under load, the init's source address used up its allowance (of mac2 inits, or of cookie replies). */
  | 'handshake-rate-limited'
  /**
   * A msg2 whose envelope opens (anyone who saw msg1 can seal one) but whose key-confirmation tag is wrong:
   * a forger or a man in the middle. The handshake keeps waiting for the real msg2.
   */
  | 'forged-handshake-reply'
  /** A msg2 for a handshake this node already gave up on or completed (a late cookie reply names no handshake: unknown-session). */
  | 'late-handshake-reply'
  /**
   * An in-session rekey offer this node will not answer: the session already answered another (or was rekeyed
   * by us), it is younger than minRekeyIntervalMs, or it runs under a NodeID key we rotated out. The offerer falls
   * back to a full handshake.
   */
  | 'rekey-refused'
  /** Both sides offered a rekey of one session at once: the session's initiator keeps its own offer. */
  | 'rekey-collision'
  /** Received after close(). */
  | 'closed'
  /** An exception escaped a decoder: a bug, counted instead of crashing the node; tests assert it stays 0. */
  | 'internal';

/** Why a handshake replaced a working send key (see SessionConfig.rekeyAfterMs / rekeyAfterPackets). */
export type RekeyCause = 'key-exhausted' | 'time' | 'packets';

export const REKEY_COUNTER = {
  'key-exhausted': 'rekeysKeyExhausted',
  time: 'rekeysTime',
  packets: 'rekeysPackets',
} as const satisfies Record<RekeyCause, keyof SessionStats>;

/** Why an outbound message given to send() never left. */
export type SendDropReason = 'queue-overflow' | 'handshake-failed' | 'bad-peer-key' | 'closed';

export interface SessionStats {
  /** Datagrams handed to / received from the transport (every kind, handshakes included). */
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /** Application messages sealed and sent, and delivered to a handler. */
  messagesSent: number;
  messagesDelivered: number;
  /** Handshakes this node initiated / accepted as responder (msg2 sent). */
  handshakesStarted: number;
  /**
   * handshakesStarted by what needed the session: the payload type of the first message for a peer without one
   * ('DHT', 'ONION', 'NAT', ...), or 'rekey' (a key that ran out, a rekey by handshake, an in-session rekey's
   * fallback). Sums to handshakesStarted; tells which layer pays for the link handshakes of a run.
   */
  handshakesByTrigger: Partial<Record<string, number>>;
  handshakesAccepted: number;
  /** Of those accepted, inits addressed to a previous NodeID key still in its grace period (liveIdentities). */
  handshakesOnPreviousKey: number;
  /** Bilateral key confirmation finished (either role). */
  handshakesCompleted: number;
  /** Timed out, bad confirmation, invalid peer key (either role). */
  handshakesFailed: number;
  /** Handshake messages sent again (msg1 on timeout or with a new cookie, msg2 for a retransmitted msg1, msg3 until acked). */
  handshakeRetransmits: number;
  /** Responder under load: cookie replies sent instead of doing ECDH work (see 'handshake-needs-cookie'). */
  cookieRepliesSent: number;
  /** Initiator: authentic cookie replies received, each followed by msg1 with a mac2. */
  cookieRepliesReceived: number;
  /**
   * Rekeys started to replace a send key that reached its packet limit, its age or its soft packet count: a full
   * handshake, or an in-session rekey (rekeyMethod; a key that ran out always takes a handshake).
   */
  rekeys: number;
  /** rekeys by cause (flat, so reports can sum every numeric counter). */
  rekeysKeyExhausted: number;
  rekeysTime: number;
  rekeysPackets: number;
  /** In-session rekeys (rekey.ts): offers this node made, offers it answered, successors confirmed (either side), and
   * rekeys that failed (offer unanswered after the retries, or the successor never confirmed; the offerer then
   * falls back to a full handshake). */
  rekeysOffered: number;
  rekeysAnswered: number;
  rekeysCompleted: number;
  rekeysFailed: number;
  /**
   * One-shot queries (one-shot.ts, SessionConfig.oneShotTypes): queries this node sent to peers without a session,
   * queries it accepted and delivered, replies it sent on their reply channels, replies it received, and queries
   * that met a responder under load (a cookie reply) and went on as a full handshake instead.
   */
  oneShotsSent: number;
  oneShotsAccepted: number;
  oneShotRepliesSent: number;
  oneShotRepliesReceived: number;
  oneShotFallbacks: number;
  /**
   * Cover traffic (PayloadType.NOISE, sealed by sealNoise for the link shaper): sent, and received and
   * discarded (authentic, so neither a drop nor an error; any body is ignored).
   */
  noiseSent: number;
  noiseReceived: number;
  /**
   * Wire bytes of datagrams sealing an application frame (real payload) and of noise datagrams; the rest of
   * bytesSent is handshakes and session control. bandwidthOverhead = bytesSent / realBytesSent.
   */
  realBytesSent: number;
  noiseBytesSent: number;
  /** Sessions erased after idleSessionMs without authenticated traffic, or a grace period after an in-session rekey replaced them. */
  sessionsExpired: number;
  /** Sessions currently held (any state). */
  sessionsOpen: number;
  dropped: Partial<Record<DropReason, number>>;
  sendDropped: Partial<Record<SendDropReason, number>>;
}

export function emptyStats(): SessionStats {
  return {
    packetsSent: 0,
    packetsReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    messagesSent: 0,
    messagesDelivered: 0,
    handshakesStarted: 0,
    handshakesByTrigger: {},
    handshakesAccepted: 0,
    handshakesOnPreviousKey: 0,
    handshakesCompleted: 0,
    handshakesFailed: 0,
    handshakeRetransmits: 0,
    cookieRepliesSent: 0,
    cookieRepliesReceived: 0,
    rekeys: 0,
    rekeysKeyExhausted: 0,
    rekeysTime: 0,
    rekeysPackets: 0,
    rekeysOffered: 0,
    rekeysAnswered: 0,
    rekeysCompleted: 0,
    rekeysFailed: 0,
    oneShotsSent: 0,
    oneShotsAccepted: 0,
    oneShotRepliesSent: 0,
    oneShotRepliesReceived: 0,
    oneShotFallbacks: 0,
    noiseSent: 0,
    noiseReceived: 0,
    realBytesSent: 0,
    noiseBytesSent: 0,
    sessionsExpired: 0,
    sessionsOpen: 0,
    dropped: {},
    sendDropped: {},
  };
}

export function countDrop<K extends string>(table: Partial<Record<K, number>>, reason: K, n = 1): void {
  table[reason] = (table[reason] ?? 0) + n;
}

/** Sum of all drop counters in a table. */
export function totalDrops(table: Partial<Record<string, number>>): number {
  let sum = 0;
  for (const v of Object.values(table)) sum += v ?? 0;
  return sum;
}
