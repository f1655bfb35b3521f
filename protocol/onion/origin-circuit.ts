/**
 * A circuit this node builds and uses (Tor's "origin circuit"). Built hop by hop: CREATE/CREATED with the
 * first hop, then EXTEND/EXTENDED through the circuit so far; each step has its own timeout and no retry.
 * Once open it lives for circuitLifetimeMs, sends a DROP cell when idle for keepaliveMs (relays tear down
 * idle circuits), and ends with close(): DESTROY to the first hop, which propagates it. With
 * config.loopRatePerS it also sends LOOP cells to its last hop at exponential gaps, which come back (loop
 * cover, Loopix): a circuit then carries cells both ways whether or not its user talks.
 */
import { keyHintOf } from './cell.ts';
import type { KeyPair } from '../crypto/suite.ts';
import type { MessengerPeer, Unsubscribe } from '../messenger/messenger.ts';
import type { TimerId } from '../runtime/clock.ts';
import { CellCmd, RELAY_BODY_MAX, RelayCmd, destroyReasonCode, destroyReasonName } from './constants.ts';
import { createdFields, destroyFields, relayFields } from './cell.ts';
import { unwrapBackward, wrapForward } from './layers.ts';
import { ntorFinish, type HopKeys } from './ntor.ts';
import { ReplaySet } from './replay-set.ts';
import { decodeExtended, encodeExtend, openRelayPlaintext } from './relay-payload.ts';
import { bump } from './stats.ts';
import { checkServiceCell, type BuildResult, type Circuit, type LinkRef, type OnionHost } from './types.ts';

export class OriginCircuit implements Circuit {
  readonly createdAtMs: number;
  private readonly hops: HopKeys[] = [];
  private readonly link: LinkRef;
  private readonly replay: ReplaySet;
  private readonly cellHandlers: ((command: number, body: Uint8Array) => void)[] = [];
  private readonly closeHandlers: ((reason: string) => void)[] = [];
  /** The handshake in flight (hop index = hops.length) while building. */
  private pending: { x: KeyPair; timer: TimerId } | null = null;
  private buildCb: ((r: BuildResult) => void) | null;
  private lifetimeTimer: TimerId | null = null;
  private keepaliveTimer: TimerId | null = null;
  private loopTimer: TimerId | null = null;
  private lastSentMs = 0;
  private closed = false;

  constructor(
    private readonly host: OnionHost,
    readonly id: string,
    readonly path: readonly MessengerPeer[],
    cb: (r: BuildResult) => void,
  ) {
    this.createdAtMs = host.components.clock.now();
    this.buildCb = cb;
    this.replay = new ReplaySet(host.config.replayWindow);
    this.link = host.newLink(path[0]);
  }

  /** Sends CREATE to the first hop. Separate from the constructor so the owner has registered us first. */
  start(): void {
    const { suite, rng } = this.host.components;
    this.host.bind(this.link, (cmd, payload) => this.onLinkCell(cmd, payload));
    const x = suite.generateKeyPair(rng);
    this.pending = { x, timer: this.armHopTimer() };
    this.host.sendCell(this.link, CellCmd.CREATE, x.publicKey, keyHintOf(suite.sha256, this.path[0].nodePub));
  }

  get isOpen(): boolean {
    return !this.closed && this.buildCb === null;
  }

  send(command: number, body: Uint8Array): boolean {
    if (!checkServiceCell(command, body.length, RELAY_BODY_MAX) || !this.isOpen) return false;
    this.sendRelay(this.hops.length - 1, command, body);
    return true;
  }

  onCell(handler: (command: number, body: Uint8Array) => void): Unsubscribe {
    return subscribe(this.cellHandlers, handler);
  }

  onClose(handler: (reason: string) => void): Unsubscribe {
    return subscribe(this.closeHandlers, handler);
  }

  close(reason = 'closed'): void {
    this.end(reason, true);
  }

  /** stop(): a build in progress fails with 'stopped', an open circuit closes with it. */
  stop(): void {
    if (this.buildCb) this.fail('stopped');
    else this.close('stopped');
  }

  private onLinkCell(cmd: number, payload: Uint8Array): void {
    if (cmd === CellCmd.CREATED) return this.onCreated(payload);
    if (cmd === CellCmd.RELAY) return this.onRelay(payload);
    if (cmd === CellCmd.DESTROY) {
      const reason = destroyReasonName(destroyFields(payload).reason);
      return this.buildCb ? this.fail(reason, false) : this.end(reason, false);
    }
    this.host.drop('unexpected'); // CREATE on a link we picked the id of
  }

  private onCreated(payload: Uint8Array): void {
    if (!this.pending || this.hops.length !== 0) return this.host.drop('unexpected');
    const { Y, auth } = createdFields(payload);
    this.completeHop(Y, auth);
  }

  private onRelay(payload: Uint8Array): void {
    const cell = relayFields(payload);
    if (!this.replay.add(cell.nonce)) return this.host.drop('replay');
    const { suite } = this.host.components;
    const found = unwrapBackward(suite, this.hops, cell);
    if (!found) return this.host.drop('bad-mac');
    const opened = openRelayPlaintext(found.plaintext);
    if (!opened) return this.host.drop('malformed');
    const fromLast = found.hop === this.hops.length - 1;
    const { command, body } = opened;
    if (command === RelayCmd.DROP) return void this.host.counters.noise++;
    if (command === RelayCmd.LOOP) {
      if (!fromLast) return this.host.drop('unexpected');
      this.host.counters.noise++;
      return void this.host.counters.loopsReturned++;
    }
    if (command === RelayCmd.EXTENDED || command === RelayCmd.TRUNCATED) {
      if (!this.pending || !fromLast) return this.host.drop('unexpected');
      if (command === RelayCmd.TRUNCATED) return this.fail(destroyReasonName(body[0] ?? 1));
      const ext = decodeExtended(body);
      return ext ? this.completeHop(ext.Y, ext.auth) : this.host.drop('malformed');
    }
    if (command < 0x10) return this.host.drop(command === RelayCmd.EXTEND ? 'unexpected' : 'unknown-command');
    if (!this.isOpen || !fromLast) return this.host.drop(this.isOpen ? 'not-last-hop' : 'unexpected');
    if (this.cellHandlers.length === 0) return this.host.drop('no-handler');
    this.host.counters.cellsDelivered++;
    for (const h of [...this.cellHandlers]) h(command, body);
  }

  /** ntor for hop hops.length: verify auth against that hop's NodeID, then extend or open. */
  private completeHop(Y: Uint8Array, auth: Uint8Array): void {
    const { suite, clock, rng } = this.host.components;
    const hop = this.hops.length;
    const keys = ntorFinish(suite, this.pending!.x, this.path[hop].nodePub, Y, auth);
    clock.cancelTimer(this.pending!.timer);
    this.pending = null;
    if (!keys) {
      this.host.drop('bad-handshake');
      return this.fail('bad-handshake');
    }
    this.hops.push(keys);
    if (this.hops.length < this.path.length) {
      const x = suite.generateKeyPair(rng);
      this.pending = { x, timer: this.armHopTimer() };
      this.sendRelay(hop, RelayCmd.EXTEND, encodeExtend(this.path[hop + 1], x.publicKey));
      return;
    }
    this.open();
  }

  private open(): void {
    const { clock } = this.host.components;
    const cb = this.buildCb!;
    this.buildCb = null;
    this.host.counters.circuitsBuilt++;
    const lifeLeft = Math.max(0, this.createdAtMs + this.host.config.circuitLifetimeMs - clock.now());
    this.lifetimeTimer = clock.setTimer(lifeLeft, () => {
      this.lifetimeTimer = null;
      this.close('expired');
    });
    this.lastSentMs = clock.now();
    this.scheduleKeepalive();
    this.scheduleLoop();
    cb({ ok: true, circuit: this });
  }

  private scheduleKeepalive(): void {
    const { clock } = this.host.components;
    // At least 1 ms ahead, and "due" with 1 ms of slack: with fractional virtual times, last + interval - now can
    // come out a rounding error above 0 forever, which would re-arm a zero-length timer without time advancing.
    const dueMs = Math.max(1, this.lastSentMs + this.host.config.keepaliveMs - clock.now());
    this.keepaliveTimer = clock.setTimer(dueMs, () => {
      this.keepaliveTimer = null;
      if (clock.now() - this.lastSentMs >= this.host.config.keepaliveMs - 1) this.sendRelay(this.hops.length - 1, RelayCmd.DROP, new Uint8Array(0));
      this.scheduleKeepalive();
    });
  }

  /** Loop cover: LOOP cells at exponential gaps (mean 1/loopRatePerS, at least 1 ms); off at 0, no rng draw. */
  private scheduleLoop(): void {
    const rate = this.host.config.loopRatePerS;
    if (!(rate > 0)) return;
    const { clock, rng } = this.host.components;
    this.loopTimer = clock.setTimer(Math.max(1, rng.exponential(1000 / rate)), () => {
      this.loopTimer = null;
      this.host.counters.loopsSent++;
      this.sendRelay(this.hops.length - 1, RelayCmd.LOOP, new Uint8Array(0));
      this.scheduleLoop();
    });
  }

  private sendRelay(target: number, command: number, body: Uint8Array): void {
    const { suite, rng, clock } = this.host.components;
    const cell = wrapForward(suite, rng, this.hops, target, command, body, this.host.config.cellPadding === 'fixed');
    this.lastSentMs = clock.now();
    this.host.counters.cellsSent++;
    this.host.sendCell(this.link, CellCmd.RELAY, cell.nonce, cell.layered);
  }

  private armHopTimer(): TimerId {
    return this.host.components.clock.setTimer(this.host.config.hopTimeoutMs, () => {
      if (this.pending) this.pending = null;
      this.fail('timeout');
    });
  }

  /** Build failure at hop hops.length: no retry; DESTROY so the hops built so far free their state. */
  private fail(reason: string, sendDestroy = true): void {
    const cb = this.buildCb;
    if (!cb || this.closed) return;
    this.buildCb = null;
    const hop = this.hops.length;
    this.host.counters.circuitsFailed++;
    bump(this.host.counters.buildFailures, reason);
    this.teardown(reason, sendDestroy);
    cb({ ok: false, reason, hop });
  }

  private end(reason: string, sendDestroy: boolean): void {
    if (this.closed) return;
    if (this.buildCb) return this.fail(reason, sendDestroy);
    this.host.counters.circuitsClosed++;
    bump(this.host.counters.closeReasons, reason);
    this.teardown(reason, sendDestroy);
    for (const h of [...this.closeHandlers]) h(reason);
    this.closeHandlers.length = 0;
    this.cellHandlers.length = 0;
  }

  private teardown(reason: string, sendDestroy: boolean): void {
    const { clock } = this.host.components;
    this.closed = true;
    for (const t of [this.pending?.timer, this.lifetimeTimer, this.keepaliveTimer, this.loopTimer]) if (t !== undefined && t !== null) clock.cancelTimer(t);
    this.pending = null;
    this.lifetimeTimer = this.keepaliveTimer = this.loopTimer = null;
    this.host.unbind(this.link);
    if (sendDestroy) this.host.sendCell(this.link, CellCmd.DESTROY, Uint8Array.of(destroyReasonCode(reason)));
    this.host.release(this);
  }
}

export function subscribe<H>(list: H[], handler: H): Unsubscribe {
  list.push(handler);
  return () => {
    const i = list.indexOf(handler);
    if (i >= 0) list.splice(i, 1);
  };
}
