/**
 * Rotates a node's temporary NodeID on a Clock timer. After a rotation the previous key stays usable for
 * a grace period (so in-flight packets addressed to it still decrypt), then is dropped.
 *
 * Dropping a key only releases our reference; JS cannot guarantee that the bytes are erased from memory.
 */
import type { Clock, TimerId } from '../runtime/clock.ts';
import type { Rng } from '../runtime/rng.ts';
import { DEFAULT_NODE_ID_GRACE_MS } from './constants.ts';
import { createNodeId, formatId, type NodeId } from './identity.ts';
import type { CryptoSuite, KeyPair } from './suite.ts';

export interface NodeIdRotatorComponents {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly suite: CryptoSuite;
}

export interface NodeIdRotatorInit {
  /** Lifetime of each NodeID (> 0). */
  readonly rotationPeriodMs: number;
  /** How long the previous key stays valid, in [0, rotationPeriodMs]; default min(2 min, period). */
  readonly graceMs?: number;
  /**
   * The first NodeID's key pair (e.g. one a node already runs under); absent: drawn from `rng` like every later
   * one. Given, the rng is first drawn from at the first rotation.
   */
  readonly initial?: KeyPair;
}

export interface NodeIdRotation {
  readonly current: NodeId;
  readonly previous: NodeId;
}

export type RotateListener = (rotation: NodeIdRotation) => void;

export class NodeIdRotator {
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly suite: CryptoSuite;
  readonly rotationPeriodMs: number;
  readonly graceMs: number;
  private currentId: NodeId;
  private previousId: NodeId | null = null;
  private rotateTimer: TimerId | null = null;
  private graceTimer: TimerId | null = null;
  private readonly listeners = new Set<RotateListener>();

  constructor(components: NodeIdRotatorComponents, init: NodeIdRotatorInit) {
    const { rotationPeriodMs } = init;
    if (!Number.isFinite(rotationPeriodMs) || rotationPeriodMs <= 0) {
      throw new RangeError(`rotationPeriodMs must be a positive number, got ${rotationPeriodMs}`);
    }
    const graceMs = init.graceMs ?? Math.min(DEFAULT_NODE_ID_GRACE_MS, rotationPeriodMs);
    // grace <= period guarantees at most one previous key is ever live.
    if (!(graceMs >= 0 && graceMs <= rotationPeriodMs)) {
      throw new RangeError(`graceMs must be in [0, rotationPeriodMs], got ${graceMs}`);
    }
    this.clock = components.clock;
    this.rng = components.rng;
    this.suite = components.suite;
    this.rotationPeriodMs = rotationPeriodMs;
    this.graceMs = graceMs;
    this.currentId = init.initial
      ? { kind: 'node', keyPair: init.initial, text: formatId('node', init.initial.publicKey), createdAtMs: this.clock.now() }
      : createNodeId(this.suite, this.rng, this.clock.now());
  }

  /** The NodeID to announce and sign with now. */
  current(): NodeId {
    return this.currentId;
  }

  /** The NodeID replaced by the last rotation, while its grace period lasts; otherwise null. */
  previous(): NodeId | null {
    return this.previousId;
  }

  /** Every NodeID that may still receive packets: current first, then previous. Try them in this order. */
  liveIds(): readonly NodeId[] {
    return this.previousId ? [this.currentId, this.previousId] : [this.currentId];
  }

  /** Calls `listener` after each rotation. Returns a function that unsubscribes it. */
  onRotate(listener: RotateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts periodic rotation (idempotent): the first rotation is one period after start. */
  start(): void {
    if (this.rotateTimer === null) this.scheduleRotation();
  }

  /** Stops rotating. Keeps the current key; a previous key in its grace period is kept until it ends. */
  stop(): void {
    if (this.rotateTimer !== null) this.clock.cancelTimer(this.rotateTimer);
    this.rotateTimer = null;
  }

  /**
   * Stops rotating and drops the previous key now (its grace timer too), so no timer of this rotator is left;
   * for a node shutting down. The current key stays readable.
   */
  close(): void {
    this.stop();
    if (this.graceTimer !== null) this.clock.cancelTimer(this.graceTimer);
    this.graceTimer = null;
    this.previousId = null;
  }

  /** Rotates immediately (e.g. on suspected compromise); a running schedule restarts from now. */
  rotateNow(): void {
    const running = this.rotateTimer !== null;
    this.stop();
    this.rotate();
    if (running) this.scheduleRotation();
  }

  private scheduleRotation(): void {
    this.rotateTimer = this.clock.setTimer(this.rotationPeriodMs, () => {
      this.rotate();
      this.scheduleRotation();
    });
  }

  private rotate(): void {
    const previous = this.currentId;
    this.currentId = createNodeId(this.suite, this.rng, this.clock.now());
    if (this.graceTimer !== null) this.clock.cancelTimer(this.graceTimer);
    this.previousId = this.graceMs > 0 ? previous : null;
    this.graceTimer =
      this.graceMs > 0
        ? this.clock.setTimer(this.graceMs, () => {
            this.previousId = null;
            this.graceTimer = null;
          })
        : null;
    const rotation = { current: this.currentId, previous };
    for (const listener of [...this.listeners]) listener(rotation);
  }
}
