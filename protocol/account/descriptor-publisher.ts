/**
 * Keeps a hosted account's descriptors in the DHT (rend-spec-v3 §2.2.1, §2.4): one for the current period and,
 * from `periodOverlapMs` before the next boundary, one for the next period too, so clients whose clocks are a
 * little ahead find it. Each is re-signed (new issuedAtMs, fresh nonce) every republishIntervalMs, well inside its
 * descriptorTtlMs, and at once when the intro points change (coalesced over publishDelayMs). A finished period's
 * key is unpublished; its last descriptor simply expires.
 */
import { toHex } from '../crypto/bytes.ts';
import type { KeyPair } from '../crypto/suite.ts';
import type { TimerId } from '../runtime/clock.ts';
import { periodOf, periodStartMs } from './blinding.ts';
import type { AccountContext } from './context.ts';
import { RECORD_TYPE_DESCRIPTOR } from './constants.ts';
import { createDescriptor } from './descriptor.ts';
import type { IntroPointInfo } from './intro-list.ts';

export class DescriptorPublisher {
  /** Keys we publish, by hex, with their period. */
  private readonly published = new Map<string, { key: Uint8Array; period: number }>();
  private timer: TimerId | undefined;
  private stopped = false;

  constructor(
    private readonly ctx: AccountContext,
    private readonly account: KeyPair,
    /** The established intro points to list (empty: nothing to publish yet). */
    private readonly intros: () => IntroPointInfo[],
  ) {}

  /** Intro points changed: publish after publishDelayMs (several changes make one publication). */
  schedule(delayMs = this.ctx.config.publishDelayMs): void {
    if (this.stopped) return;
    this.ctx.timers.cancel(this.timer);
    this.timer = this.ctx.timers.set(delayMs, () => {
      this.timer = undefined;
      this.publishNow();
    });
  }

  stop(): void {
    this.stopped = true;
    this.ctx.timers.cancel(this.timer);
    this.timer = undefined;
    for (const { key } of this.published.values()) this.ctx.components.dht.unpublish(key, RECORD_TYPE_DESCRIPTOR);
    this.published.clear();
  }

  /** The periods to publish for at `nowMs`: the current one, plus the next one near the boundary. */
  periodsAt(nowMs: number): number[] {
    const { periodMs, periodOverlapMs } = this.ctx.config;
    const p = periodOf(nowMs, periodMs);
    return nowMs >= periodStartMs(p + 1, periodMs) - periodOverlapMs ? [p, p + 1] : [p];
  }

  private publishNow(): void {
    if (this.stopped) return;
    const { clock, dht, rng, suite } = this.ctx.components;
    const { config } = this.ctx;
    const now = Math.floor(clock.now()); // whole ms on the wire (simulated clocks are fractional)
    const periods = this.periodsAt(now);
    const intros = this.intros();
    if (intros.length > 0) {
      for (const period of periods) {
        const ttlMs = Math.min(config.descriptorTtlMs, periodStartMs(period + 2, config.periodMs) - now);
        const { key, value } = createDescriptor(suite, rng, { account: this.account, period, nowMs: now, ttlMs, intros });
        dht.publish(key, { recordType: RECORD_TYPE_DESCRIPTOR, value });
        this.published.set(toHex(key), { key, period });
        this.ctx.counters.service.descriptorsPublished++;
      }
    }
    for (const [hex, { key, period }] of [...this.published]) {
      if (periods.includes(period)) continue;
      dht.unpublish(key, RECORD_TYPE_DESCRIPTOR);
      this.published.delete(hex);
    }
    // Next: the regular republish, or the moment the period set changes, whichever is first.
    const p = periodOf(now, config.periodMs);
    const nextStart = periodStartMs(p + 1, config.periodMs);
    const boundary = now < nextStart - config.periodOverlapMs ? nextStart - config.periodOverlapMs : nextStart;
    this.schedule(Math.min(config.republishIntervalMs, boundary - now));
  }
}
