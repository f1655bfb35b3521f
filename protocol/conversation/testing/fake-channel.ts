/**
 * A lossy in-test Channel pair over a ManualClock: what the rendezvous point and relays would carry between
 * Alice's and Bob's ends. Each payload is delivered after `latencyMs` unless the seeded loss draw or the
 * interceptor (the rendezvous point as attacker: drop, replay, modify, inject) says otherwise. `carried` keeps
 * every byte handed to the pair, the relay's whole view, so tests can check what it could learn.
 */
import type { Channel } from '../../messenger/channel.ts';
import type { Unsubscribe } from '../../messenger/messenger.ts';
import type { Rng } from '../../runtime/rng.ts';
import type { ManualClock } from '../../session/testing/loopback.ts';

export type Side = 'a' | 'b';
export interface Carried {
  readonly from: Side;
  readonly bytes: Uint8Array;
}

export interface FakeChannelOptions {
  readonly latencyMs?: number;
  readonly lossRate?: number;
  readonly maxPayloadBytes?: number;
  /** Extra uniform delay in [0, jitterMs): payloads overtake each other. */
  readonly jitterMs?: number;
  /** Probability that a payload is delivered twice. */
  readonly duplicateRate?: number;
  /** Draws losses, jitter and duplicates; required when any of them is set. */
  readonly rng?: Rng;
}

/** Returns the payloads to deliver instead of `bytes` ([] drops it; [b, b] duplicates it). */
export type ChannelInterceptor = (from: Side, bytes: Uint8Array) => readonly Uint8Array[];

class FakeEnd implements Channel {
  private readonly receivers: ((payload: Uint8Array) => void)[] = [];
  private readonly closers: ((reason: string) => void)[] = [];
  refusedSends = 0;

  constructor(
    private readonly pair: FakeChannelPair,
    readonly side: Side,
  ) {}

  get maxPayloadBytes(): number {
    return this.pair.maxPayloadBytes;
  }

  get isOpen(): boolean {
    return this.pair.isOpen;
  }

  send(payload: Uint8Array): boolean {
    if (!this.isOpen || payload.length > this.maxPayloadBytes) {
      this.refusedSends++;
      return false;
    }
    this.pair.carry(this.side, payload.slice());
    return true;
  }

  onReceive(handler: (payload: Uint8Array) => void): Unsubscribe {
    return add(this.receivers, handler);
  }

  onClose(handler: (reason: string) => void): Unsubscribe {
    return add(this.closers, handler);
  }

  close(reason = 'closed'): void {
    this.pair.close(reason);
  }

  /** Delivers now (the pair's timers call it). */
  deliver(payload: Uint8Array): void {
    if (!this.isOpen) return;
    for (const h of [...this.receivers]) h(payload);
  }

  closed(reason: string): void {
    for (const h of this.closers.splice(0)) h(reason);
  }

  listeners(): number {
    return this.receivers.length + this.closers.length;
  }
}

function add<T>(list: T[], item: T): Unsubscribe {
  list.push(item);
  return () => {
    const i = list.indexOf(item);
    if (i >= 0) list.splice(i, 1);
  };
}

export class FakeChannelPair {
  readonly a: FakeEnd;
  readonly b: FakeEnd;
  readonly carried: Carried[] = [];
  readonly latencyMs: number;
  readonly lossRate: number;
  readonly maxPayloadBytes: number;
  interceptor?: ChannelInterceptor;
  isOpen = true;
  closeReason: string | undefined;

  constructor(
    readonly clock: ManualClock,
    private readonly options: FakeChannelOptions = {},
  ) {
    this.latencyMs = options.latencyMs ?? 10;
    this.lossRate = options.lossRate ?? 0;
    this.maxPayloadBytes = options.maxPayloadBytes ?? 512;
    this.a = new FakeEnd(this, 'a');
    this.b = new FakeEnd(this, 'b');
  }

  carry(from: Side, bytes: Uint8Array): void {
    this.carried.push({ from, bytes });
    const rng = this.options.rng;
    if (this.lossRate > 0 && rng!.uniform() < this.lossRate) return;
    const copies = this.options.duplicateRate && rng!.uniform() < this.options.duplicateRate ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      for (const out of this.interceptor ? this.interceptor(from, bytes) : [bytes]) {
        this.inject(from === 'a' ? 'b' : 'a', out, this.options.jitterMs ? rng!.uniform() * this.options.jitterMs : 0);
      }
    }
  }

  /** Delivers `bytes` to end `to` after the latency, as the rendezvous point could at any time. */
  inject(to: Side, bytes: Uint8Array, extraDelayMs = 0): void {
    this.clock.setTimer(this.latencyMs + extraDelayMs, () => (to === 'a' ? this.a : this.b).deliver(bytes));
  }

  close(reason = 'closed'): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.closeReason = reason;
    this.a.closed(reason);
    this.b.closed(reason);
  }
}
