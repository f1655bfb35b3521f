/**
 * Counters an AccountService keeps. Every relay cell and introduction that is not acted on is counted under
 * exactly one drop reason; every connect() ends in exactly one outcome, so
 * connects = connected + sum(failures) + connectsActive at any time.
 */

export const ACCOUNT_DROPS = [
  // -- any role
  /** A cell body that does not decode. */
  'malformed',
  // -- introduction point
  /** ESTABLISH_INTRO whose signature by the auth key fails. */
  'bad-proof',
  /** ESTABLISH_INTRO outside the clock-skew window or not newer than the registration it would replace. */
  'stale',
  /** A second registration, cookie or splice on a circuit that already holds one. */
  'circuit-in-use',
  /** Intro registrations, cookies or splices table at its bound. */
  'full',
  /** INTRODUCE1 for an auth key nobody registered here. */
  'unknown-service',
  /** INTRODUCE1 beyond the registration's token bucket. */
  'rate-limited',
  /** The service's circuit did not take an INTRODUCE2 or the peer circuit a DATA cell. */
  'relay-failed',
  // -- rendezvous point
  /** ESTABLISH_RENDEZVOUS with a cookie already waiting (a guess or a replay: never replace it). */
  'cookie-in-use',
  /** RENDEZVOUS1 with no such waiting cookie (expired, consumed, never set). */
  'unknown-cookie',
  /** DATA on a circuit not joined to another. */
  'not-joined',
  // -- service (host)
  /** INTRODUCE2 naming another auth key than the slot's. */
  'wrong-auth-key',
  /** INTRODUCE2 beyond the account's token bucket. */
  'service-rate-limited',
  /** Too many rendezvous circuits being built for the account. */
  'too-many-rendezvous',
  /** An INTRODUCE2 seal seen before (a replaying intro point). */
  'replayed',
  /** An INTRODUCE2 that does not open (not for us, tampered) or carries a bad rendezvous point. */
  'seal-failed',
  /** An INTRODUCE2 sent too long ago (or in the future). */
  'introduce-expired',
  /** A descriptor from the DHT that fails its checks or does not decrypt with the account key. */
  'bad-descriptor',
  // -- client and both ends
  /** RENDEZVOUS2 whose tag is not the service's (a forging rendezvous point). */
  'bad-rendezvous-tag',
  /** A cell of a command the circuit's state does not expect. */
  'unexpected-cell',
  /** Channel.send on a closed channel. */
  'channel-closed',
  /** Channel.send of a payload larger than maxPayloadBytes. */
  'payload-too-large',
  /** DATA arriving at a channel with no receive handler. */
  'unhandled-data',
] as const;
export type AccountDrop = (typeof ACCOUNT_DROPS)[number];

export const CONNECT_FAILURES = [
  /** No valid descriptor for the account in the DHT (current and adjacent period). */
  'no-descriptor',
  /** A descriptor was found but failed its checks or did not decrypt. */
  'bad-descriptor',
  /** No intro point answered INTRODUCE_ACK 'ok' and led to a rendezvous. */
  'intro-failed',
  /** The rendezvous circuit could not be built, refused the cookie or closed. */
  'rendezvous-failed',
  /** pickRelays returned too few relays. */
  'no-relays',
  'timeout',
  'stopped',
  /** The account key is not a valid P-256 point. */
  'bad-account-key',
  /** Too many connects in progress. */
  'overloaded',
] as const;
export type ConnectFailure = (typeof CONNECT_FAILURES)[number];

export interface AccountStats {
  drops: Partial<Record<AccountDrop, number>>;
  relay: {
    introRegistrations: number;
    introducesForwarded: number;
    cookiesPending: number;
    splices: number;
    cellsSpliced: number;
  };
  service: {
    accountsHosted: number;
    introPointsReady: number;
    introsEstablished: number;
    introRelaysRotated: number;
    descriptorsPublished: number;
    introductionsReceived: number;
    rendezvousJoined: number;
    rendezvousFailed: number;
  };
  client: {
    connects: number;
    connectsActive: number;
    connected: number;
    failures: Partial<Record<ConnectFailure, number>>;
  };
  channels: { open: number; payloadsSent: number; payloadsReceived: number };
}

/** Mutable counters; `snapshot` copies them for AccountService.stats(). */
export class AccountCounters {
  readonly drops: Partial<Record<AccountDrop, number>> = {};
  readonly failures: Partial<Record<ConnectFailure, number>> = {};
  relay = { introducesForwarded: 0, cellsSpliced: 0 };
  service = { introsEstablished: 0, introRelaysRotated: 0, descriptorsPublished: 0, introductionsReceived: 0, rendezvousJoined: 0, rendezvousFailed: 0 };
  client = { connects: 0, connected: 0 };
  channels = { payloadsSent: 0, payloadsReceived: 0 };

  drop(reason: AccountDrop): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + 1;
  }

  fail(reason: ConnectFailure): void {
    this.failures[reason] = (this.failures[reason] ?? 0) + 1;
  }
}
