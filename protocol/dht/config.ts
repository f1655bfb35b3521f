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
  /** Per-source quotas of the record store (source-quota.ts). */
  maxRecordsPerPeer: number;
  maxRecordsPerHost: number;
  /** Store radius = ceil(storeRadiusFactor * k) closer known nodes (store-radius.ts); 0 turns the check off. */
  storeRadiusFactor: number;
  /** Contacts sharing a host kept from one NODES reply (contact-limits.ts). */
  maxReplyContactsPerHost: number;
  /** First contacts per destination host: burst, then one per refill interval (contact-limits.ts). */
  firstContactBurst: number;
  firstContactRefillMs: number;
  firstContactHosts: number;
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
  maxRecordsPerPeer: C.MAX_RECORDS_PER_PEER,
  maxRecordsPerHost: C.MAX_RECORDS_PER_HOST,
  storeRadiusFactor: C.STORE_RADIUS_FACTOR,
  maxReplyContactsPerHost: C.MAX_REPLY_CONTACTS_PER_HOST,
  firstContactBurst: C.FIRST_CONTACT_BURST,
  firstContactRefillMs: C.FIRST_CONTACT_REFILL_MS,
  firstContactHosts: C.FIRST_CONTACT_HOSTS,
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
  if (config.maxReplyContactsPerHost < 1 || config.firstContactBurst < 1 || config.firstContactRefillMs <= 0 || config.firstContactHosts < 1) {
    throw new RangeError('DhtConfig: maxReplyContactsPerHost, firstContactBurst, firstContactHosts must be >= 1, firstContactRefillMs > 0');
  }
  if (config.bindingTtlMs > config.maxBindingTtlMs) throw new RangeError('DhtConfig: bindingTtlMs exceeds maxBindingTtlMs');
  return config;
}
