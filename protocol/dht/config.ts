/** DhtNode configuration: every field has a default from constants.ts; `init` overrides any subset. */
import * as C from './constants.ts';

export interface DhtConfig {
  /** Session payload type carrying all DHT messages. */
  payloadType: number;
  k: number;
  alpha: number;
  maxBodyBytes: number;
  /** Per attempt; a dead peer is given up after requestTimeoutMs * (requestRetries + 1). */
  requestTimeoutMs: number;
  requestRetries: number;
  maxPendingRequests: number;
  maxFailures: number;
  replacementCacheSize: number;
  livenessFreshMs: number;
  maxLookupQueries: number;
  refreshIntervalMs: number;
  /** Run refresh() every refreshIntervalMs on a timer. */
  autoRefresh: boolean;
  replicateIntervalMs: number;
  republishIntervalMs: number;
  bindingTtlMs: number;
  maxBindingTtlMs: number;
  maxClockSkewMs: number;
  maxRecords: number;
  maxBootstrapRefreshes: number;
}

export const DEFAULT_DHT_CONFIG: Readonly<DhtConfig> = Object.freeze({
  payloadType: C.DHT_PAYLOAD_TYPE,
  k: C.K,
  alpha: C.ALPHA,
  maxBodyBytes: C.MAX_BODY_BYTES,
  requestTimeoutMs: C.REQUEST_TIMEOUT_MS,
  requestRetries: C.REQUEST_RETRIES,
  maxPendingRequests: C.MAX_PENDING_REQUESTS,
  maxFailures: C.MAX_FAILURES,
  replacementCacheSize: C.REPLACEMENT_CACHE_SIZE,
  livenessFreshMs: C.LIVENESS_FRESH_MS,
  maxLookupQueries: C.MAX_LOOKUP_QUERIES,
  refreshIntervalMs: C.REFRESH_INTERVAL_MS,
  autoRefresh: true,
  replicateIntervalMs: C.REPLICATE_INTERVAL_MS,
  republishIntervalMs: C.REPUBLISH_INTERVAL_MS,
  bindingTtlMs: C.BINDING_TTL_MS,
  maxBindingTtlMs: C.MAX_BINDING_TTL_MS,
  maxClockSkewMs: C.MAX_CLOCK_SKEW_MS,
  maxRecords: C.MAX_RECORDS,
  maxBootstrapRefreshes: C.MAX_BOOTSTRAP_REFRESHES,
});

export function resolveConfig(init: Partial<DhtConfig> = {}): DhtConfig {
  const config = { ...DEFAULT_DHT_CONFIG, ...init };
  for (const [name, value] of Object.entries(config)) {
    if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`DhtConfig.${name} must be a finite non-negative number, got ${value}`);
    }
  }
  if (config.k < 1 || config.alpha < 1) throw new RangeError('DhtConfig: k and alpha must be >= 1');
  if (config.bindingTtlMs > config.maxBindingTtlMs) throw new RangeError('DhtConfig: bindingTtlMs exceeds maxBindingTtlMs');
  return config;
}
