/**
 * One of a hosted account's introduction points, kept alive (rend-spec-v3 §3.1): a circuit to the intro relay,
 * ESTABLISH_INTRO signed by this slot's auth key, and INTRODUCE2 cells handed to the host.
 *
 * Circuits expire (the onion layer closes them after its lifetime) or die; the slot then rebuilds a circuit to
 * the same relay and re-establishes with the same keys, a fresh issuedAtMs proving the takeover, so the published
 * descriptor stays valid. After `maxSameRelayFailures` failed attempts in a row it rotates to another relay with
 * new keys and tells the host, which republishes the descriptor.
 */
import type { KeyPair } from '../crypto/suite.ts';
import type { MessengerPeer, Unsubscribe } from '../messenger/messenger.ts';
import type { TimerId } from '../runtime/clock.ts';
import { circuitPath, type AccountContext } from './context.ts';
import { RelayCommand } from './constants.ts';
import type { IntroPointInfo } from './intro-list.ts';
import { decodeStatus, encodeEstablishIntro, establishIntroSigningBytes } from './messages.ts';
import type { Circuit } from './onion-api.ts';

/** Failed attempts in a row at one relay before the slot moves to another relay. */
const MAX_SAME_RELAY_FAILURES = 2;

export interface IntroSlotEvents {
  /** The slot's relay or keys changed, or it became ready / stopped being ready. */
  changed(slot: IntroSlot): void;
  introduce(slot: IntroSlot, body: Uint8Array): void;
  /** nodePubs the slot must not pick as its relay (the other slots' relays). */
  otherRelays(slot: IntroSlot): Uint8Array[];
}

export class IntroSlot {
  relay: MessengerPeer | undefined;
  authKey: KeyPair | undefined;
  encKey: KeyPair | undefined;
  /** ESTABLISH_INTRO acknowledged on the current circuit. */
  ready = false;
  /** Established at least once with the current relay and keys: fit to publish. */
  published = false;
  private circuit: Circuit | undefined;
  private subscriptions: Unsubscribe[] = [];
  private timer: TimerId | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly ctx: AccountContext,
    private readonly events: IntroSlotEvents,
  ) {}

  /** Descriptor entry, once established. */
  get info(): IntroPointInfo | undefined {
    if (!this.published || this.relay === undefined || this.authKey === undefined || this.encKey === undefined) return undefined;
    return { relay: this.relay, authKey: this.authKey.publicKey, encKey: this.encKey.publicKey };
  }

  start(): void {
    this.rotate();
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.ctx.timers.cancel(this.timer);
    this.dropCircuit('stopped');
  }

  /** A new relay and new keys (rend-spec-v3 §3.1: a fresh auth key per intro point). */
  private rotate(): void {
    const { rng, suite } = this.ctx.components;
    const [relay] = this.ctx.components.pickRelays(1, this.events.otherRelays(this));
    const wasPublished = this.published;
    this.relay = relay;
    this.authKey = suite.generateKeyPair(rng);
    this.encKey = suite.generateKeyPair(rng);
    this.published = false;
    this.failures = 0;
    if (wasPublished) {
      this.ctx.counters.service.introRelaysRotated++;
      this.events.changed(this);
    }
  }

  private open(): void {
    if (this.stopped) return;
    if (this.relay === undefined) return this.retry(); // no relay known yet
    const path = circuitPath(this.ctx, this.relay, this.events.otherRelays(this));
    if (path === null) return this.retry();
    const relay = this.relay;
    this.ctx.components.onion.buildCircuit(path, (r) => {
      if (this.stopped || relay !== this.relay || this.circuit !== undefined) {
        if (r.ok) r.circuit.close('closed');
        return;
      }
      if (!r.ok) return this.fail();
      this.attach(r.circuit);
    });
  }

  private attach(circuit: Circuit): void {
    this.circuit = circuit;
    this.subscriptions = [
      circuit.onCell((command, body) => this.onCell(command, body)),
      circuit.onClose(() => this.onCircuitClosed(circuit)),
    ];
    const { clock, suite } = this.ctx.components;
    const authKey = this.authKey!;
    const issuedAtMs = Math.floor(clock.now()); // simulated clocks are fractional; the wire carries whole ms
    const signature = suite.sign(authKey.privateKey, establishIntroSigningBytes(authKey.publicKey, issuedAtMs));
    circuit.send(RelayCommand.ESTABLISH_INTRO, encodeEstablishIntro({ authKey: authKey.publicKey, issuedAtMs, signature }));
    this.timer = this.ctx.timers.set(this.ctx.config.stepTimeoutMs, () => {
      this.timer = undefined;
      if (!this.ready) this.fail();
    });
  }

  private onCell(command: number, body: Uint8Array): void {
    if (command === RelayCommand.INTRODUCE2) {
      if (this.ready) this.events.introduce(this, body);
      else this.ctx.counters.drop('unexpected-cell');
      return;
    }
    if (command !== RelayCommand.INTRO_ESTABLISHED || this.ready) {
      this.ctx.counters.drop('unexpected-cell');
      return;
    }
    const status = decodeStatus(body);
    if (status === null) this.ctx.counters.drop('malformed');
    if (status !== 'ok') return this.fail();
    this.ctx.timers.cancel(this.timer);
    this.timer = undefined;
    this.ready = true;
    this.failures = 0;
    this.ctx.counters.service.introsEstablished++;
    const first = !this.published;
    this.published = true;
    if (first) this.events.changed(this);
  }

  private onCircuitClosed(circuit: Circuit): void {
    if (circuit !== this.circuit || this.stopped) return;
    const wasReady = this.ready;
    this.dropCircuit('closed');
    if (wasReady) this.open(); // expired or died: re-establish at once, same relay and keys
    else this.fail();
  }

  private fail(): void {
    this.dropCircuit('closed');
    if (++this.failures >= MAX_SAME_RELAY_FAILURES) this.rotate();
    this.retry();
  }

  private retry(): void {
    if (this.stopped) return;
    this.ctx.timers.cancel(this.timer);
    this.timer = this.ctx.timers.set(this.ctx.config.introRetryDelayMs, () => {
      this.timer = undefined;
      if (this.relay === undefined) this.rotate();
      this.open();
    });
  }

  private dropCircuit(reason: string): void {
    this.ctx.timers.cancel(this.timer);
    this.timer = undefined;
    for (const u of this.subscriptions) u();
    this.subscriptions = [];
    this.ready = false;
    const c = this.circuit;
    this.circuit = undefined;
    if (c?.isOpen) c.close(reason);
  }
}
