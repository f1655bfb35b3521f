/**
 * Defaults and wire numbers of hidden-service accounts (Tor rend-spec-v3 on P-256, see blinding.ts). Every
 * constructor takes `(components, init)` and fills `init` from here (config.ts), kad-dht style.
 */

/** DHT record type of an account descriptor (descriptor.ts). Binding is 1; 0x0100 starts the account range. */
export const RECORD_TYPE_DESCRIPTOR = 0x0100;

/**
 * Relay commands (onion cells whose last hop is an introduction or rendezvous point). Onion-internal commands are
 * below 0x10; 0x30-0x3f is ours. Names and roles follow rend-spec-v3 §3 (introduction) and §4 (rendezvous).
 */
export const RelayCommand = {
  /** Service -> intro point: register an intro auth key on this circuit (rend-spec-v3 §3.1.1). */
  ESTABLISH_INTRO: 0x30,
  /** Intro point -> service: status of ESTABLISH_INTRO (§3.1.3). */
  INTRO_ESTABLISHED: 0x31,
  /** Client -> intro point: auth key id + sealed rendezvous details (§3.2.1). */
  INTRODUCE1: 0x32,
  /** Intro point -> service, down its intro circuit: INTRODUCE1's body unchanged (§3.2.2). */
  INTRODUCE2: 0x33,
  /** Intro point -> client: status of INTRODUCE1 (§3.2.3). */
  INTRODUCE_ACK: 0x34,
  /** Client -> rendezvous point: register a cookie (§3.4.1). */
  ESTABLISH_RENDEZVOUS: 0x35,
  /** Rendezvous point -> client (cookie stored) and -> service (circuits joined): a status byte (§3.4.2). */
  RENDEZVOUS_ESTABLISHED: 0x36,
  /** Service -> rendezvous point: cookie + proof for the client (§3.4.3). */
  RENDEZVOUS1: 0x37,
  /** Rendezvous point -> client: the service's proof, relayed (§3.4.4). */
  RENDEZVOUS2: 0x38,
  /** Either end <-> rendezvous point: one channel payload, re-sent on the joined circuit. */
  DATA: 0x39,
} as const;
export type RelayCommandCode = (typeof RelayCommand)[keyof typeof RelayCommand];

/** Domain labels; each keeps one hash, key or signature from ever being valid as another. */
export const BLIND_LABEL = 'paratox/v1/blind';
export const DESCRIPTOR_KEY_LABEL = 'paratox/v1/desc';
export const DESCRIPTOR_SIGN_LABEL = 'paratox/v1/descriptor';
export const DESCRIPTOR_ENC_LABEL = 'paratox/v1/desc-enc';
export const ESTABLISH_INTRO_LABEL = 'paratox/v1/establish-intro';
export const INTRODUCE_LABEL = 'paratox/v1/introduce';
export const RENDEZVOUS_AUTH_LABEL = 'paratox/v1/rend-auth';

export const DESCRIPTOR_VERSION = 1;
/** rend-spec-v3 uses 2-3 intro points per descriptor; the encrypted body is padded to this many entries. */
export const MAX_INTRO_POINTS = 3;
export const COOKIE_BYTES = 20;
/** Secret the client seals to the service; the service proves knowing it in RENDEZVOUS1 (HMAC tag). */
export const RENDEZVOUS_SECRET_BYTES = 32;
export const RENDEZVOUS_TAG_BYTES = 32;
export const DESCRIPTOR_NONCE_BYTES = 12;

/** Time periods of the blinded key (rend-spec-v3 §2.2.1 uses 24 h). Must be equal network-wide. */
export const PERIOD_MS = 24 * 60 * 60_000;
/** Within this distance of a period boundary, services also publish (and clients also try) the adjacent period. */
export const PERIOD_OVERLAP_MS = 60 * 60_000;
/** Lifetime of one published descriptor; it is re-signed and republished every REPUBLISH_INTERVAL_MS. */
export const DESCRIPTOR_TTL_MS = 3 * 60 * 60_000;
export const REPUBLISH_INTERVAL_MS = 60 * 60_000;
/** Coalesces intro-point changes into one publication. */
export const PUBLISH_DELAY_MS = 1_000;
/** Largest descriptor holders accept (the DHT STORE carries at most ~1145 value bytes). */
export const MAX_DESCRIPTOR_BYTES = 1_024;
/** Tolerated clock difference for issuedAtMs (descriptors, ESTABLISH_INTRO). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export const HOPS_PER_CIRCUIT = 3;
export const INTRO_POINTS = 3;
/** Waits for one reply cell (INTRO_ESTABLISHED, INTRODUCE_ACK, RENDEZVOUS_ESTABLISHED). */
export const STEP_TIMEOUT_MS = 10_000;
/** Whole connect() budget. */
export const CONNECT_TIMEOUT_MS = 60_000;
/** Client waits this long for RENDEZVOUS2 after an INTRODUCE_ACK 'ok'. */
export const RENDEZVOUS_WAIT_MS = 20_000;
/** A service retries a failed intro point after this delay (a new relay, new keys). */
export const INTRO_RETRY_DELAY_MS = 5_000;

/** Relay side: cookies waiting for RENDEZVOUS1, at most, and how long each waits. */
export const MAX_PENDING_COOKIES = 1_024;
export const COOKIE_TTL_MS = 60_000;
/** Relay side: joined circuit pairs at most. */
export const MAX_SPLICES = 1_024;
/** Relay side: intro registrations at most. */
export const MAX_INTRO_REGISTRATIONS = 1_024;
/** Relay side: INTRODUCE2 forwarded per registration, token bucket (rate and burst). */
export const INTRODUCE_RATE_PER_S = 5;
export const INTRODUCE_BURST = 10;
/** Service side: introductions acted on per hosted account, token bucket. */
export const SERVICE_INTRO_RATE_PER_S = 2;
export const SERVICE_INTRO_BURST = 8;
/** Service side: rendezvous circuits being built at once per hosted account. */
export const MAX_PENDING_RENDEZVOUS = 16;
/** Service side: INTRODUCE2 seals remembered per hosted account against replay by an intro point (rend-spec §3.2.2). */
export const REPLAY_CACHE_SIZE = 4_096;
/** Client side: connects in progress at most. */
export const MAX_PENDING_CONNECTS = 64;
/** Client side: intro points tried per connect. */
export const MAX_INTRO_ATTEMPTS = 3;
/** Largest channel payload: one DATA relay body (protocol/onion's RELAY_BODY_MAX, 1157 bytes). */
export { RELAY_BODY_MAX as DEFAULT_RELAY_BODY_MAX } from '../onion/constants.ts';
