/**
 * In-test network for onion tests: Messengers joined by a synchronous queue over the session tests'
 * ManualClock. A message is delivered after `latencyMs` when its target exists, is online and has the
 * nodePub the sender named (a real session would fail otherwise); `from` is the sender's true identity, as
 * an authenticated session guarantees. Every message passes the `tap`, which tests use to see what each
 * node sent and received. Each node's clock is a view that counts the node's own live timers.
 */
import { HandlerTable } from '../../messenger/event-bus.ts';
import type { InboundHandler, Messenger, MessengerPeer } from '../../messenger/messenger.ts';
import type { Clock, TimerId } from '../../runtime/clock.ts';
import { SeededRng } from '../../runtime/seeded-rng.ts';
import type { Rng } from '../../runtime/rng.ts';
import type { CryptoSuite, KeyPair } from '../../crypto/suite.ts';
import { nodeSuite } from '../../crypto/node-suite.ts';
import { ManualClock } from '../../session/testing/loopback.ts';
import { compareKeys } from '../circ-id.ts';
import { CELL_BYTES } from '../constants.ts';
import { OnionService } from '../onion-service.ts';
import type { OnionConfig } from '../constants.ts';

export interface Message {
  readonly from: MessengerPeer;
  readonly to: MessengerPeer;
  readonly type: number;
  readonly body: Uint8Array;
}

/** A Clock that remembers which of its timers are still pending. */
export class OwnedClock implements Clock {
  private readonly live = new Set<TimerId>();
  constructor(private readonly clock: ManualClock) {}
  now(): number {
    return this.clock.now();
  }
  setTimer(delayMs: number, fn: () => void): TimerId {
    const id: TimerId = this.clock.setTimer(delayMs, () => {
      this.live.delete(id);
      fn();
    });
    this.live.add(id);
    return id;
  }
  cancelTimer(id: TimerId): void {
    this.live.delete(id);
    this.clock.cancelTimer(id);
  }
  get pending(): number {
    return this.live.size;
  }
}

export interface TestNode {
  readonly name: string;
  readonly peer: MessengerPeer;
  readonly identity: KeyPair;
  readonly clock: OwnedClock;
  readonly rng: Rng;
  readonly onion: OnionService;
  readonly messenger: Messenger;
}

export class OnionNet {
  readonly clock = new ManualClock();
  readonly log: Message[] = [];
  /** Sees every message when sent; return false to lose it (tests that drop, tamper or replay). */
  tap: ((m: Message) => boolean | void) | undefined;
  private readonly handlers = new Map<string, HandlerTable<InboundHandler>>();
  private readonly peers = new Map<string, MessengerPeer>();
  private readonly offline = new Set<string>();
  delivered = 0;
  lost = 0;

  constructor(
    private readonly seed = 'onion-net',
    private readonly latencyMs = 5,
  ) {}

  /**
   * A node named `name` with its own identity, rng stream, clock view and OnionService. An `impostor` holds
   * the session key its peers expect but answers CREATE with another NodeID key (one that sorts on the same
   * side of every existing node's key, so only the ntor handshake can tell).
   */
  add(name: string, config: Partial<OnionConfig> = {}, suite: CryptoSuite = nodeSuite, impostor = false): TestNode {
    const rng = new SeededRng(`${this.seed}/${name}`);
    const identity = suite.generateKeyPair(rng.fork('identity'));
    let answerAs: KeyPair | undefined;
    if (impostor) {
      const side = (k: Uint8Array) => [...this.peers.values()].map((p) => compareKeys(k, p.nodePub)).join();
      const fakeRng = rng.fork('fake');
      do answerAs = suite.generateKeyPair(fakeRng);
      while (side(answerAs.publicKey) !== side(identity.publicKey));
    }
    const peer: MessengerPeer = { address: `${name}:7000`, nodePub: identity.publicKey };
    const messenger = this.messenger(peer);
    const clock = new OwnedClock(this.clock);
    const onion = new OnionService({ messenger, clock, rng: rng.fork('onion'), suite, identity: () => answerAs ?? identity }, config);
    return { name, peer, identity, clock, rng, onion, messenger };
  }

  messenger(self: MessengerPeer): Messenger {
    const table = new HandlerTable<InboundHandler>();
    this.handlers.set(self.address, table);
    this.peers.set(self.address, self);
    return {
      send: (peer, type, body) => this.transmit(self, peer, type, body),
      onMessage: (type, handler) => table.add(type, handler),
    };
  }

  setOnline(address: string, online: boolean): void {
    if (online) this.offline.delete(address);
    else this.offline.add(address);
  }

  /** Delivers `body` to `to` as if an authenticated session with `from` carried it. */
  inject(from: MessengerPeer, to: MessengerPeer, type: number, body: Uint8Array): void {
    this.transmit(from, to, type, body);
  }

  private transmit(from: MessengerPeer, to: MessengerPeer, type: number, body: Uint8Array): void {
    // The session layer refuses bodies over maxBodyBytes(1232); an onion cell must fit exactly.
    if (body.length > CELL_BYTES) throw new Error(`OnionNet: body of ${body.length} bytes exceeds ${CELL_BYTES}`);
    const m: Message = { from, to, type, body: body.slice() };
    this.log.push(m);
    if (this.tap?.(m) === false || this.offline.has(from.address)) return void this.lost++;
    this.clock.setTimer(this.latencyMs, () => {
      const target = this.peers.get(to.address);
      if (!target || this.offline.has(to.address) || !sameBytes(target.nodePub, to.nodePub)) return void this.lost++;
      this.delivered++;
      for (const h of this.handlers.get(to.address)!.get(type)) h({ from, body: m.body });
    });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
