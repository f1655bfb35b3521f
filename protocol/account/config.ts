/** AccountService configuration: every field has a default from constants.ts; `init` overrides any subset. */
import * as C from './constants.ts';

export interface AccountConfig {
  /** Length of a blinding period; must be equal network-wide (part of the DHT key). */
  periodMs: number;
  periodOverlapMs: number;
  descriptorTtlMs: number;
  republishIntervalMs: number;
  publishDelayMs: number;
  maxDescriptorBytes: number;
  maxClockSkewMs: number;
  /** Relays per circuit, the intro/rendezvous point included as the last one. */
  hopsPerCircuit: number;
  introPoints: number;
  stepTimeoutMs: number;
  connectTimeoutMs: number;
  rendezvousWaitMs: number;
  introRetryDelayMs: number;
  maxPendingCookies: number;
  cookieTtlMs: number;
  maxSplices: number;
  maxIntroRegistrations: number;
  introduceRatePerS: number;
  introduceBurst: number;
  serviceIntroRatePerS: number;
  serviceIntroBurst: number;
  maxPendingRendezvous: number;
  replayCacheSize: number;
  maxPendingConnects: number;
  maxIntroAttempts: number;
  /** Largest body of one relay cell (the onion layer's RELAY_BODY_MAX); a channel payload is one DATA body. */
  relayBodyMaxBytes: number;
  /** Serve as introduction and rendezvous point for others (every node does by default). */
  serveRelay: boolean;
}

export const DEFAULT_ACCOUNT_CONFIG: Readonly<AccountConfig> = Object.freeze({
  periodMs: C.PERIOD_MS,
  periodOverlapMs: C.PERIOD_OVERLAP_MS,
  descriptorTtlMs: C.DESCRIPTOR_TTL_MS,
  republishIntervalMs: C.REPUBLISH_INTERVAL_MS,
  publishDelayMs: C.PUBLISH_DELAY_MS,
  maxDescriptorBytes: C.MAX_DESCRIPTOR_BYTES,
  maxClockSkewMs: C.MAX_CLOCK_SKEW_MS,
  hopsPerCircuit: C.HOPS_PER_CIRCUIT,
  introPoints: C.INTRO_POINTS,
  stepTimeoutMs: C.STEP_TIMEOUT_MS,
  connectTimeoutMs: C.CONNECT_TIMEOUT_MS,
  rendezvousWaitMs: C.RENDEZVOUS_WAIT_MS,
  introRetryDelayMs: C.INTRO_RETRY_DELAY_MS,
  maxPendingCookies: C.MAX_PENDING_COOKIES,
  cookieTtlMs: C.COOKIE_TTL_MS,
  maxSplices: C.MAX_SPLICES,
  maxIntroRegistrations: C.MAX_INTRO_REGISTRATIONS,
  introduceRatePerS: C.INTRODUCE_RATE_PER_S,
  introduceBurst: C.INTRODUCE_BURST,
  serviceIntroRatePerS: C.SERVICE_INTRO_RATE_PER_S,
  serviceIntroBurst: C.SERVICE_INTRO_BURST,
  maxPendingRendezvous: C.MAX_PENDING_RENDEZVOUS,
  replayCacheSize: C.REPLAY_CACHE_SIZE,
  maxPendingConnects: C.MAX_PENDING_CONNECTS,
  maxIntroAttempts: C.MAX_INTRO_ATTEMPTS,
  relayBodyMaxBytes: C.DEFAULT_RELAY_BODY_MAX,
  serveRelay: true,
});

export function resolveAccountConfig(init: Partial<AccountConfig> = {}): AccountConfig {
  const config = { ...DEFAULT_ACCOUNT_CONFIG, ...init };
  for (const [name, value] of Object.entries(config)) {
    if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`AccountConfig.${name} must be a finite non-negative number, got ${value}`);
    }
  }
  if (config.periodMs < 1) throw new RangeError('AccountConfig.periodMs must be >= 1');
  if (config.hopsPerCircuit < 1) throw new RangeError('AccountConfig.hopsPerCircuit must be >= 1');
  if (config.introPoints < 1 || config.introPoints > C.MAX_INTRO_POINTS) {
    throw new RangeError(`AccountConfig.introPoints must be 1..${C.MAX_INTRO_POINTS}`);
  }
  if (config.descriptorTtlMs < 1 || config.descriptorTtlMs > 2 * config.periodMs) {
    throw new RangeError('AccountConfig.descriptorTtlMs must be in [1, 2 * periodMs]');
  }
  if (config.republishIntervalMs < 1 || config.republishIntervalMs >= config.descriptorTtlMs) {
    throw new RangeError('AccountConfig.republishIntervalMs must be in [1, descriptorTtlMs)');
  }
  return config;
}
