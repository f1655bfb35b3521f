/**
 * The rendezvous role (R): nodes register with it ("you may coordinate punches for me"); when A asks for B,
 * R tells each the other's address as R observes it (the session's source address, i.e. the outside of
 * their NATs) under one fresh nonce; it relays sealed payloads for pairs that cannot be punched. R never
 * learns the punch MAC key (punch-datagram.ts) nor a relayed body (relay-seal.ts).
 * Everything is bounded: registrations, per-requester request and relay budgets per window.
 */
import { equalBytes } from '../packet/bytes.ts';
import { hexKey } from '../runtime/hex-key.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Rng } from '../runtime/rng.ts';
import type { Peer } from '../session/session.ts';
import { BoundedMap, RateLimiter } from './bounded-map.ts';
import { NONCE_BYTES, type NatConfig } from './constants.ts';
import type { MappingBehaviour, NatMessage, NatMessageOf, RefusalReason } from './messages.ts';
import type { NatCounters } from './stats.ts';

export interface RendezvousComponents {
  clock: Clock;
  rng: Rng;
  config: NatConfig;
  counters: NatCounters;
  /** Sends a NAT message to a peer over its session. */
  send: (to: Peer, msg: NatMessage) => void;
  /** Where to find a target that did not register (e.g. the DHT routing table); default: nowhere. */
  knownPeer?: (nodePub: Uint8Array) => Peer | undefined;
}

interface Client {
  readonly peer: Peer;
  readonly mapping: MappingBehaviour;
}

export class Rendezvous {
  private readonly registered: BoundedMap<string, Client>;
  /** Recent requesters: a target may relay back to them without registering. */
  private readonly recent: BoundedMap<string, Client>;
  private readonly requestLimit: RateLimiter;
  private readonly relayLimit: RateLimiter;

  constructor(private readonly c: RendezvousComponents) {
    const { config } = c;
    this.registered = new BoundedMap(config.maxRegistrations);
    this.recent = new BoundedMap(config.maxRegistrations);
    this.requestLimit = new RateLimiter(config.maxRequestsPerWindow, config.rateWindowMs, config.maxRegistrations);
    this.relayLimit = new RateLimiter(config.maxRelaysPerWindow, config.rateWindowMs, config.maxRegistrations);
  }

  get registrations(): number {
    return this.registered.size;
  }

  onRegister(from: Peer, m: NatMessageOf<'register'>): void {
    const now = this.c.clock.now();
    const ttlMs = this.c.config.registrationTtlMs;
    this.registered.set(hexKey(from.nodePub), { peer: from, mapping: m.mapping }, now + ttlMs);
    this.c.counters.registrationsServed++;
    this.c.send(from, { kind: 'registered', requestId: m.requestId, ttlMs, observedAddress: from.address });
  }

  onPunchRequest(from: Peer, m: NatMessageOf<'punch-request'>): void {
    const now = this.c.clock.now();
    const refusal = this.check(from, m.targetPub, this.requestLimit, now);
    if (refusal !== undefined) return this.refuse(from, m.requestId, refusal);
    const target = this.locate(m.targetPub, now)!;
    this.recent.set(hexKey(from.nodePub), { peer: from, mapping: m.mapping }, now + this.c.config.registrationTtlMs);
    const nonce = this.c.rng.bytes(NONCE_BYTES);
    this.c.counters.punchRequestsServed++;
    this.c.counters.notifiesSent++;
    this.c.send(target.peer, {
      kind: 'punch-notify',
      nonce,
      requesterPub: from.nodePub,
      requesterAddress: from.address,
      requesterMapping: m.mapping,
    });
    this.c.send(from, {
      kind: 'punch-ready',
      requestId: m.requestId,
      targetPub: m.targetPub,
      nonce,
      targetAddress: target.peer.address,
      targetMapping: target.mapping,
      observedAddress: from.address,
    });
  }

  onRelay(from: Peer, m: NatMessageOf<'relay'>): void {
    const now = this.c.clock.now();
    if (!this.c.config.relay) return this.refuse(from, m.requestId, 'relay-disabled');
    const refusal = this.check(from, m.targetPub, this.relayLimit, now);
    if (refusal !== undefined) return this.refuse(from, m.requestId, refusal);
    const target = this.locate(m.targetPub, now)!;
    this.recent.set(hexKey(from.nodePub), { peer: from, mapping: 'unknown' }, now + this.c.config.registrationTtlMs);
    this.c.counters.relaysForwarded++;
    this.c.send(target.peer, { kind: 'relayed', sourcePub: from.nodePub, sealed: m.sealed });
  }

  private check(from: Peer, targetPub: Uint8Array, limit: RateLimiter, now: number): RefusalReason | undefined {
    if (equalBytes(from.nodePub, targetPub)) return 'self';
    if (!limit.allow(hexKey(from.nodePub), now)) return 'rate-limited';
    if (this.locate(targetPub, now) === undefined) return 'unknown-target';
    return undefined;
  }

  private locate(pub: Uint8Array, now: number): Client | undefined {
    const hex = hexKey(pub);
    const found = this.registered.get(hex, now) ?? this.recent.get(hex, now);
    if (found !== undefined) return found;
    const known = this.c.knownPeer?.(pub);
    return known === undefined ? undefined : { peer: known, mapping: 'unknown' };
  }

  private refuse(to: Peer, requestId: Uint8Array, reason: RefusalReason): void {
    this.c.counters.refusalsSent++;
    this.c.send(to, { kind: 'refused', requestId, reason });
  }
}
