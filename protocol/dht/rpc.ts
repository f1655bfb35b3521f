/**
 * Request/reply over the DhtMessenger (the "network" module of kad-dht). Requests carry a random 8-byte id; a
 * reply is accepted only from the peer the request went to (the session layer authenticates `from.nodePub`),
 * only with a reply kind the request allows, and only once. Anything else is an 'unexpected-reply' drop, so a
 * third party cannot answer on someone else's behalf. Each request has a timeout on the injected Clock; a request
 * that times out is sent again, with the same id, up to `requestRetries` times (datagrams get lost; the operations
 * are idempotent, and a late reply to an earlier attempt still counts) before the peer counts as unresponsive.
 */
import { byteKey } from '../runtime/hex-key.ts';
import type { Clock, TimerId } from '../runtime/clock.ts';
import type { Rng } from '../runtime/rng.ts';
import { DHT_PAYLOAD_TYPE, MAX_PENDING_REQUESTS, REQUEST_ID_BYTES, REQUEST_RETRIES, REQUEST_TIMEOUT_MS } from './constants.ts';
import { bytesEqual } from './keys.ts';
import { REPLY_KINDS, type DhtMessage, type MessageCodec, type MessageKind, type ReplyKind, type RequestId, type RequestKind } from './messages.ts';
import type { StatsCounter } from './stats.ts';
import type { DhtMessenger, PeerRef } from './types.ts';

/** A request as callers build it; the id is filled in here. */
export type OutgoingRequest = DistributiveOmit<Extract<DhtMessage, { kind: RequestKind }>, 'requestId'>;
export type OutgoingReply = DistributiveOmit<Extract<DhtMessage, { kind: ReplyKind }>, 'requestId'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** 'rate-limited': never sent, the DHT's first-contact gate refused the peer (DhtNode.request, contact-limits.ts). */
export type RpcOutcome = { ok: true; reply: DhtMessage } | { ok: false; reason: 'timeout' | 'overloaded' | 'rate-limited' };

export interface RpcComponents {
  messenger: DhtMessenger;
  clock: Clock;
  rng: Rng;
  codec: MessageCodec;
  stats: StatsCounter;
}

export interface RpcInit {
  payloadType?: number;
  requestTimeoutMs?: number;
  requestRetries?: number;
  maxPendingRequests?: number;
}

/** How many finished request ids are remembered for recognising late replies. */
const FINISHED_MEMORY = 1024;

interface Pending {
  peer: PeerRef;
  accepts: readonly MessageKind[];
  timer: TimerId;
  cb: (outcome: RpcOutcome) => void;
}

export class Rpc {
  readonly payloadType: number;
  private readonly requestTimeoutMs: number;
  private readonly requestRetries: number;
  private readonly maxPending: number;
  /** Keyed by byteKey of the request id (8 chars; ids are only compared, never shown), as is `finished`. */
  private readonly pending = new Map<string, Pending>();
  /** Recently finished request ids -> peer nodePub, so a duplicate or late honest reply is not taken for a spoof. */
  private readonly finished = new Map<string, Uint8Array>();
  private stopped = false;

  constructor(
    private readonly components: RpcComponents,
    init: RpcInit = {},
  ) {
    this.payloadType = init.payloadType ?? DHT_PAYLOAD_TYPE;
    this.requestTimeoutMs = init.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.requestRetries = init.requestRetries ?? REQUEST_RETRIES;
    this.maxPending = init.maxPendingRequests ?? MAX_PENDING_REQUESTS;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Sends `request` to `peer`; `cb` runs exactly once (reply or timeout), never synchronously, never after stop. */
  request(peer: PeerRef, request: OutgoingRequest, cb: (outcome: RpcOutcome) => void): void {
    if (this.stopped) return;
    const { clock, rng, stats } = this.components;
    if (this.pending.size >= this.maxPending) {
      stats.drop('overloaded');
      clock.setTimer(0, () => cb({ ok: false, reason: 'overloaded' }));
      return;
    }
    let requestId = rng.bytes(REQUEST_ID_BYTES);
    while (this.pending.has(byteKey(requestId))) requestId = rng.bytes(REQUEST_ID_BYTES);
    const id = byteKey(requestId);
    const body = this.components.codec.encode({ ...request, requestId } as DhtMessage);
    let retriesLeft = this.requestRetries;
    const onTimeout = (): void => {
      const p = this.pending.get(id);
      if (p === undefined) return;
      if (retriesLeft-- > 0) {
        stats.inc('retransmissions');
        p.timer = clock.setTimer(this.requestTimeoutMs, onTimeout);
        this.sendBody(peer, body);
        return;
      }
      this.finish(id, p);
      stats.inc('timeouts');
      cb({ ok: false, reason: 'timeout' });
    };
    const timer = clock.setTimer(this.requestTimeoutMs, onTimeout);
    this.pending.set(id, { peer, accepts: REPLY_KINDS[request.kind], timer, cb });
    stats.inc('requestsSent');
    this.sendBody(peer, body);
  }

  /** Answers request `requestId` from `peer`. */
  reply(peer: PeerRef, requestId: RequestId, reply: OutgoingReply): void {
    if (this.stopped) return;
    this.components.stats.inc('repliesSent');
    this.send(peer, { ...reply, requestId } as DhtMessage);
  }

  /** Routes an inbound reply to its pending request. Returns false (and counts a drop) if none matches. */
  handleReply(from: PeerRef, reply: DhtMessage): boolean {
    const id = byteKey(reply.requestId);
    const p = this.pending.get(id);
    if (p === undefined || !bytesEqual(p.peer.nodePub, from.nodePub) || !p.accepts.includes(reply.kind)) {
      const done = p === undefined ? this.finished.get(id) : undefined;
      if (done !== undefined && bytesEqual(done, from.nodePub)) this.components.stats.inc('lateReplies');
      else this.components.stats.drop('unexpected-reply');
      return false;
    }
    this.finish(id, p);
    this.components.clock.cancelTimer(p.timer);
    this.components.stats.inc('repliesReceived');
    p.cb({ ok: true, reply });
    return true;
  }

  private finish(id: string, p: Pending): void {
    this.pending.delete(id);
    this.finished.set(id, p.peer.nodePub);
    // Bounded like everything else: forget the oldest (Map iterates in insertion order).
    if (this.finished.size > FINISHED_MEMORY) this.finished.delete(this.finished.keys().next().value!);
  }

  /** Cancels every pending request without calling back. */
  stop(): void {
    this.stopped = true;
    for (const p of this.pending.values()) this.components.clock.cancelTimer(p.timer);
    this.pending.clear();
  }

  private send(peer: PeerRef, msg: DhtMessage): void {
    this.sendBody(peer, this.components.codec.encode(msg));
  }

  private sendBody(peer: PeerRef, body: Uint8Array): void {
    this.components.stats.inc('messagesSent');
    this.components.messenger.send({ address: peer.address, nodePub: peer.nodePub }, this.payloadType, body);
  }
}
