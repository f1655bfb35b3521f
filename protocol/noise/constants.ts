/**
 * Noise configuration: which cover-traffic policy a node's links follow (link-shaper.ts), and the two onion
 * knobs that belong to the same experiment (loop cover, per-hop mixing delay; protocol/onion/constants.ts).
 * `resolveNoiseConfig` fills defaults and rejects impossible values at construction, not mid-run.
 *
 * Policies (per link = per peer address this node has an established session with):
 * - 'off': the session layer talks to the transport directly. No timer, no rng draw: traces are unchanged.
 * - 'poisson': real datagrams pass straight through; dummies at exponential gaps (mean 1/ratePerS) on top
 *   (Loopix's drop cover, here one hop: the dummy ends at the link's other end).
 * - 'constant': one datagram per slot of 1/ratePerS on each link, from a random phase: the oldest queued real
 *   datagram if any, else a dummy. A link's packet rate says nothing about its use; real traffic pays a
 *   queueing delay of up to one slot (more when it bursts), reported by the shaper.
 * - 'constant-node': one datagram per slot of 1/ratePerS for the whole node: the oldest queued real datagram
 *   (any link), else a dummy on the next link round-robin. The node's send rate is the same whether it is in a
 *   conversation or not, however many links it has; real traffic waits about a slot. A per-link observer still
 *   sees which links take the real datagrams' share of the node's slots.
 */
import type { OnionConfig } from '../onion/constants.ts';

export const NOISE_POLICIES = ['off', 'poisson', 'constant', 'constant-node'] as const;
export type NoisePolicy = (typeof NOISE_POLICIES)[number];

export interface NoiseConfig {
  readonly policy: NoisePolicy;
  /** Per link: the slot rate ('constant') or the mean dummy rate ('poisson'). At most 1000 (slots >= 1 ms). */
  readonly ratePerS: number;
  /** 'constant': real datagrams waiting for a slot, per link; more are dropped and counted (queueOverflow). */
  readonly maxQueuedPerLink: number;
  /** Loop cover per open origin circuit (Loopix loops): mean LOOP cells per second to the last hop and back; 0: off. */
  readonly loopRatePerS: number;
  /** Relays hold each relay cell an exponential time of this mean before handling it (Loopix mixes); 0: off. */
  readonly mixDelayMeanMs: number;
  /**
   * 'constant-node' only. 'real-first': the oldest queued real datagram takes the next slot (latency ~ one slot;
   * the links carrying real traffic get more of the node's slots, which a receiver's count shows).
   * 'round-robin': links take the slots in turn, a real datagram waits for its link's turn (every link gets the
   * same share whatever it carries; latency up to links x slot).
   */
  readonly slotOrder: 'real-first' | 'round-robin';
}

export const DEFAULT_NOISE_CONFIG: NoiseConfig = Object.freeze({
  policy: 'off',
  ratePerS: 10,
  maxQueuedPerLink: 256,
  loopRatePerS: 0,
  mixDelayMeanMs: 0,
  slotOrder: 'real-first',
});

/** Highest slot rate: a slot of 1 ms, the shortest timer a fractional virtual clock may re-arm. */
export const MAX_NOISE_RATE_PER_S = 1000;

export function resolveNoiseConfig(init: Partial<NoiseConfig> = {}): NoiseConfig {
  const c: NoiseConfig = { ...DEFAULT_NOISE_CONFIG, ...init };
  if (!(NOISE_POLICIES as readonly string[]).includes(c.policy)) throw new RangeError(`NoiseConfig.policy must be one of ${NOISE_POLICIES.join(', ')}, got ${String(c.policy)}`);
  if (!(c.ratePerS > 0 && c.ratePerS <= MAX_NOISE_RATE_PER_S)) throw new RangeError(`NoiseConfig.ratePerS must be in (0, ${MAX_NOISE_RATE_PER_S}], got ${c.ratePerS}`);
  if (!Number.isSafeInteger(c.maxQueuedPerLink) || c.maxQueuedPerLink <= 0) throw new RangeError(`NoiseConfig.maxQueuedPerLink must be a positive integer, got ${c.maxQueuedPerLink}`);
  if (!(c.loopRatePerS >= 0 && c.loopRatePerS <= MAX_NOISE_RATE_PER_S)) throw new RangeError(`NoiseConfig.loopRatePerS must be in [0, ${MAX_NOISE_RATE_PER_S}], got ${c.loopRatePerS}`);
  if (!(c.mixDelayMeanMs >= 0 && Number.isFinite(c.mixDelayMeanMs))) throw new RangeError(`NoiseConfig.mixDelayMeanMs must be a finite number >= 0, got ${c.mixDelayMeanMs}`);
  return c;
}

/** The onion half of a noise configuration, to spread into the node's Partial<OnionConfig>. */
export function onionNoiseConfig(c: NoiseConfig): Pick<OnionConfig, 'loopRatePerS' | 'mixDelayMeanMs'> {
  return { loopRatePerS: c.loopRatePerS, mixDelayMeanMs: c.mixDelayMeanMs };
}
