/**
 * One hole-punch exchange with one peer, in either role. Both sides run the same schedule once the rendezvous
 * has told them about each other: a punch datagram to the peer's observed address every punchIntervalMs, up
 * to punchAttempts, until an authentic punch or ack arrives. Each outbound punch opens (or keeps open) our
 * NAT towards that address; the first authentic datagram tells us the address the peer's NAT actually uses
 * towards us (for a symmetric NAT a fresh one), and each punch heard is answered with an ack to its source,
 * so a side whose own punches were filtered still learns that the path is open.
 *
 * After the last punch the exchange lingers (answering late punches) for punchLingerMs, then ends. Datagram
 * counts are bounded: punchAttempts punches and punchAckLimit acks per exchange.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import type { Clock, TimerId } from '../runtime/clock.ts';
import type { Rng } from '../runtime/rng.ts';
import type { Address } from '../runtime/transport.ts';
import type { NatConfig } from './constants.ts';
import { buildPunch, verifyPunch, type PunchKeys, type PunchKind } from './punch-datagram.ts';
import type { PunchPort } from './punch-port.ts';
import { countNatDrop, type NatCounters } from './stats.ts';

export interface PunchExchangeComponents {
  port: PunchPort;
  suite: CryptoSuite;
  rng: Rng;
  clock: Clock;
  config: NatConfig;
  counters: NatCounters;
  /** Size of every datagram (the session's wire size). */
  wireSize: number;
}

export interface PunchExchangeInit {
  keys: PunchKeys;
  /** Where the rendezvous saw the peer. */
  peerAddress: Address;
  /** The first authentic datagram from the peer arrived from `address`. */
  onHeard: (address: Address) => void;
  /** The exchange is over; `heard` tells whether the peer was ever heard. */
  onEnd: (heard: boolean) => void;
}

export class PunchExchange {
  private readonly removers: (() => void)[] = [];
  private timer: TimerId | undefined;
  private sent: Record<PunchKind, number> = { punch: 0, ack: 0 };
  private heardFrom: Address | undefined;
  private ended = false;

  constructor(
    private readonly c: PunchExchangeComponents,
    private readonly init: PunchExchangeInit,
  ) {}

  get heard(): Address | undefined {
    return this.heardFrom;
  }

  start(): void {
    const { port } = this.c;
    const { receive } = this.init.keys;
    for (const id of receive.punch) this.removers.push(port.expect(id, (from, bytes) => this.onDatagram('punch', from, bytes)));
    for (const id of receive.ack) this.removers.push(port.expect(id, (from, bytes) => this.onDatagram('ack', from, bytes)));
    this.round();
  }

  /** Ends at once without calling onEnd (the owner gave up on it). */
  cancel(): void {
    if (this.ended) return;
    this.ended = true;
    this.release();
  }

  private round(): void {
    this.timer = undefined;
    if (this.ended) return;
    const { config } = this.c;
    if (this.heardFrom === undefined && this.sent.punch < config.punchAttempts) {
      this.send('punch', this.init.peerAddress);
      this.timer = this.c.clock.setTimer(config.punchIntervalMs, () => this.round());
      return;
    }
    // Done punching (heard, or out of attempts): linger for late punches, then end.
    const rest = this.heardFrom === undefined ? config.punchIntervalMs + config.punchLingerMs : config.punchLingerMs;
    this.timer = this.c.clock.setTimer(rest, () => this.end());
  }

  private end(): void {
    this.timer = undefined;
    if (this.ended) return;
    this.ended = true;
    this.release();
    this.init.onEnd(this.heardFrom !== undefined);
  }

  private release(): void {
    if (this.timer !== undefined) this.c.clock.cancelTimer(this.timer);
    this.timer = undefined;
    for (const remove of this.removers.splice(0)) remove();
  }

  private send(kind: PunchKind, to: Address): void {
    const { suite, rng, port, wireSize, counters } = this.c;
    port.sendRaw(to, buildPunch(suite, rng, this.init.keys, kind, this.sent[kind]++, wireSize));
    if (kind === 'punch') counters.punchesSent++;
    else counters.punchAcksSent++;
  }

  private onDatagram(kind: PunchKind, from: Address, bytes: Uint8Array): void {
    if (this.ended) return;
    if (!verifyPunch(this.c.suite, this.init.keys.macKey, bytes)) return countNatDrop(this.c.counters, 'bad-punch-auth');
    this.c.counters.punchesHeard++;
    if (kind === 'punch' && this.sent.ack < this.c.config.punchAckLimit) this.send('ack', from);
    if (this.heardFrom !== undefined) return;
    this.heardFrom = from;
    this.init.onHeard(from);
  }
}
