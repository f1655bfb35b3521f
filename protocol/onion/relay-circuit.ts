/**
 * A circuit as a relay carries it: a link circuit to the previous hop, at most one to the next, and this
 * hop's keys. The relay knows only those two neighbours. When nothing follows it, it is the circuit's last
 * hop and the RelayEndpoint services talk through. Torn down on DESTROY from either side (propagated to
 * the other), on close(), or after relayIdleMs without a cell.
 *
 * Mixing (config.mixDelayMeanMs > 0, Loopix's per-mix delay): every relay cell that passes the replay check
 * is held for an exponential time before it is peeled, passed on or delivered, so cells leave a relay in
 * another order and at other times than they came. Cells this hop originates (replies, EXTENDED) are not
 * held: their input was. Held cells are bounded per circuit and die with it (counted 'mix-closed').
 */
import { keyHintOf } from './cell.ts';
import type { Unsubscribe } from '../messenger/messenger.ts';
import type { TimerId } from '../runtime/clock.ts';
import { compareKeys } from './circ-id.ts';
import { CellCmd, RELAY_BODY_MAX, RelayCmd, destroyReasonCode, destroyReasonName } from './constants.ts';
import { createdFields, destroyFields, relayFields } from './cell.ts';
import { addBackward, originateBackward, peelForward, type LayeredCell } from './layers.ts';
import type { HopKeys } from './ntor.ts';
import { subscribe } from './origin-circuit.ts';
import { ReplaySet } from './replay-set.ts';
import { decodeExtend, openRelayPlaintext } from './relay-payload.ts';
import { checkServiceCell, type LinkRef, type OnionHost, type RelayEndpoint } from './types.ts';

export class RelayCircuit implements RelayEndpoint {
  private next: LinkRef | null = null;
  private extending: { link: LinkRef; timer: TimerId } | null = null;
  private readonly replayForward: ReplaySet;
  private readonly replayBackward: ReplaySet;
  private readonly closeHandlers: ((reason: string) => void)[] = [];
  private readonly createdAtMs: number;
  private lastActivityMs: number;
  private idleTimer: TimerId | null = null;
  /** Cells held for mixing, by their release timer. */
  private readonly held = new Set<TimerId>();
  private closed = false;

  constructor(
    private readonly host: OnionHost,
    readonly key: string,
    private readonly prev: LinkRef,
    private readonly keys: HopKeys,
  ) {
    this.replayForward = new ReplaySet(host.config.replayWindow);
    this.replayBackward = new ReplaySet(host.config.replayWindow);
    this.createdAtMs = this.lastActivityMs = host.components.clock.now();
    host.bind(prev, (cmd, payload) => this.onPrevCell(cmd, payload));
    this.armIdleTimer();
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  reply(command: number, body: Uint8Array): boolean {
    if (!checkServiceCell(command, body.length, RELAY_BODY_MAX) || this.closed) return false;
    this.sendBackward(command, body);
    return true;
  }

  onClose(handler: (reason: string) => void): Unsubscribe {
    return subscribe(this.closeHandlers, handler);
  }

  close(reason = 'closed'): void {
    this.teardown(reason, true, true);
  }

  private onPrevCell(cmd: number, payload: Uint8Array): void {
    if (cmd === CellCmd.RELAY) return this.onForward(relayFields(payload));
    if (cmd === CellCmd.DESTROY) return this.teardown(destroyReasonName(destroyFields(payload).reason), false, true);
    this.host.drop('unexpected'); // CREATE on a live id is caught by the service; CREATED never comes from prev
  }

  private onNextCell(cmd: number, payload: Uint8Array): void {
    if (cmd === CellCmd.CREATED && this.extending) return this.onCreated(payload);
    if (cmd === CellCmd.RELAY && this.next) return this.onBackward(relayFields(payload));
    if (cmd === CellCmd.DESTROY) {
      const reason = destroyReasonName(destroyFields(payload).reason);
      if (this.next) return this.teardown(reason, true, false);
      return this.abandonExtend(reason, false); // the next hop refused: tell the origin, keep the circuit
    }
    this.host.drop('unexpected');
  }

  /** Forward cell from prev: replay check, (mixing delay,) peel our layer, then take it or pass it on. */
  private onForward(cell: LayeredCell): void {
    if (!this.replayForward.add(cell.nonce)) return this.host.drop('replay');
    this.touch();
    this.mix(() => this.handleForward(cell));
  }

  private handleForward(cell: LayeredCell): void {
    const { suite } = this.host.components;
    const { plaintext, recognized, next } = peelForward(suite, this.keys, cell);
    if (recognized) return this.onRecognized(plaintext);
    if (!this.next) return this.host.drop('unrecognized');
    this.host.counters.cellsRelayed++;
    this.host.sendCell(this.next, CellCmd.RELAY, next.nonce, next.layered);
  }

  /** Backward cell from next: (mixing delay,) add our layer and pass it to prev. */
  private onBackward(cell: LayeredCell): void {
    if (!this.replayBackward.add(cell.nonce)) return this.host.drop('replay');
    this.touch();
    this.mix(() => this.handleBackward(cell));
  }

  /** Runs `handle` now, or after an exponential mixing delay (config.mixDelayMeanMs; 0: now, no rng draw). */
  private mix(handle: () => void): void {
    const { mixDelayMeanMs, mixMaxHeldCells } = this.host.config;
    if (!(mixDelayMeanMs > 0)) return handle();
    if (this.held.size >= mixMaxHeldCells) return this.host.drop('mix-overflow');
    const { clock, rng } = this.host.components;
    const delayMs = rng.exponential(mixDelayMeanMs);
    this.host.counters.cellsMixed++;
    this.host.counters.mixDelaySumMs += delayMs;
    // A one-shot timer per cell (never re-armed), so a delay near 0 cannot spin.
    const timer = clock.setTimer(delayMs, () => {
      this.held.delete(timer);
      handle();
    });
    this.held.add(timer);
  }

  private handleBackward(cell: LayeredCell): void {
    const out = addBackward(this.host.components.suite, this.keys, cell);
    this.host.counters.cellsRelayed++;
    this.host.sendCell(this.prev, CellCmd.RELAY, out.nonce, out.layered);
  }

  private onRecognized(plaintext: Uint8Array): void {
    const opened = openRelayPlaintext(plaintext);
    if (!opened) return this.host.drop('malformed');
    const { command, body } = opened;
    if (command === RelayCmd.DROP) return void this.host.counters.noise++;
    if (command === RelayCmd.LOOP) return this.echoLoop();
    if (command === RelayCmd.EXTEND) return this.extend(body);
    if (command < 0x10) return this.host.drop(command === RelayCmd.EXTENDED || command === RelayCmd.TRUNCATED ? 'unexpected' : 'unknown-command');
    if (this.next || this.extending) return this.host.drop('not-last-hop');
    const handlers = this.host.serviceHandlers(command);
    if (handlers.length === 0) return this.host.drop('no-handler');
    this.host.counters.cellsDelivered++;
    for (const h of handlers) h(this, body);
  }

  /** Loop cover: the last hop counts the LOOP as noise and sends one back (origin-circuit.ts sends them). */
  private echoLoop(): void {
    if (this.next || this.extending) return this.host.drop('not-last-hop');
    this.host.counters.noise++;
    this.host.counters.loopsEchoed++;
    this.sendBackward(RelayCmd.LOOP, new Uint8Array(0));
  }

  /** EXTEND: CREATE towards the named next hop; its CREATED goes back to the origin as EXTENDED. */
  private extend(body: Uint8Array): void {
    const ext = decodeExtend(body);
    const self = this.host.components.identity().publicKey;
    if (!ext || this.next || this.extending || compareKeys(ext.next.nodePub, self) === 0 || compareKeys(ext.next.nodePub, this.prev.peer.nodePub) === 0) {
      return this.host.drop('bad-extend');
    }
    const link = this.host.newLink(ext.next);
    this.host.bind(link, (cmd, payload) => this.onNextCell(cmd, payload));
    const timer = this.host.components.clock.setTimer(this.host.config.hopTimeoutMs, () => this.abandonExtend('timeout', true));
    this.extending = { link, timer };
    this.host.sendCell(link, CellCmd.CREATE, ext.X, keyHintOf(this.host.components.suite.sha256, ext.next.nodePub));
  }

  private onCreated(payload: Uint8Array): void {
    const { link, timer } = this.extending!;
    this.host.components.clock.cancelTimer(timer);
    this.extending = null;
    this.next = link;
    const { Y, auth } = createdFields(payload);
    this.sendBackward(RelayCmd.EXTENDED, Uint8Array.from([...Y, ...auth]));
  }

  /** The extension failed (timeout or DESTROY from the would-be next hop): TRUNCATED to the origin. */
  private abandonExtend(reason: string, sendDestroy: boolean): void {
    if (!this.extending) return;
    const { link, timer } = this.extending;
    this.host.components.clock.cancelTimer(timer);
    this.extending = null;
    this.host.unbind(link);
    if (sendDestroy) this.host.sendCell(link, CellCmd.DESTROY, Uint8Array.of(destroyReasonCode(reason)));
    this.sendBackward(RelayCmd.TRUNCATED, Uint8Array.of(destroyReasonCode(reason)));
  }

  private sendBackward(command: number, body: Uint8Array): void {
    const { suite, rng } = this.host.components;
    const cell = originateBackward(suite, rng, this.keys, command, body, this.host.config.cellPadding === 'fixed');
    this.host.counters.cellsSent++;
    this.touch();
    this.host.sendCell(this.prev, CellCmd.RELAY, cell.nonce, cell.layered);
  }

  private touch(): void {
    this.lastActivityMs = this.host.components.clock.now();
  }

  /**
   * One timer per circuit for both limits, re-armed lazily: a cell only moves lastActivityMs, the timer
   * checks it when it fires (no timer churn per cell).
   */
  private armIdleTimer(): void {
    const { clock } = this.host.components;
    const { relayIdleMs, relayLifetimeMs } = this.host.config;
    const endMs = this.createdAtMs + relayLifetimeMs;
    // >= 1 ms and 1 ms of slack: fractional virtual times must not re-arm a zero-length timer forever.
    const dueMs = Math.max(1, Math.min(this.lastActivityMs + relayIdleMs, endMs) - clock.now());
    this.idleTimer = clock.setTimer(dueMs, () => {
      this.idleTimer = null;
      if (clock.now() >= endMs - 1) this.teardown('expired', true, true);
      else if (clock.now() - this.lastActivityMs >= relayIdleMs - 1) this.teardown('idle', true, true);
      else this.armIdleTimer();
    });
  }

  /** Frees everything; DESTROY goes to whichever sides did not send us one. */
  teardown(reason: string, toPrev: boolean, toNext: boolean): void {
    if (this.closed) return;
    this.closed = true;
    const { clock } = this.host.components;
    if (this.idleTimer !== null) clock.cancelTimer(this.idleTimer);
    if (this.extending) clock.cancelTimer(this.extending.timer);
    for (const timer of this.held) clock.cancelTimer(timer);
    for (let i = 0; i < this.held.size; i++) this.host.drop('mix-closed');
    this.held.clear();
    const code = Uint8Array.of(destroyReasonCode(reason));
    this.host.unbind(this.prev);
    if (toPrev) this.host.sendCell(this.prev, CellCmd.DESTROY, code);
    for (const link of [this.next, this.extending?.link]) {
      if (!link) continue;
      this.host.unbind(link);
      if (toNext) this.host.sendCell(link, CellCmd.DESTROY, code);
    }
    this.next = null;
    this.extending = null;
    this.host.counters.relayCircuitsClosed++;
    this.host.release(this);
    for (const h of [...this.closeHandlers]) h(reason);
    this.closeHandlers.length = 0;
  }
}
