/**
 * Accounts published like Tor v3 onion services (rend-spec-v3), the one class a node composes: it hosts
 * accounts (Bob), connects to accounts (Alice), and serves as introduction point and rendezvous point for
 * everyone else. Constructed as `new AccountService(components, init)`; synchronous and callback-driven, time from
 * the injected Clock, randomness from the injected Rng, all crypto through the injected CryptoSuite.
 *
 * Each DhtNode of the network must register `accountDescriptorValidator(suite, init)` (same periodMs) among its
 * `validators`, or it refuses to store descriptors ('unknown-record-type').
 */
import { toHex } from '../crypto/bytes.ts';
import type { CryptoSuite, KeyPair } from '../crypto/suite.ts';
import type { Channel } from '../messenger/channel.ts';
import type { RecordValidator } from '../dht/record-validator.ts';
import type { CircuitChannel } from './circuit-channel.ts';
import { resolveAccountConfig, type AccountConfig } from './config.ts';
import { ConnectAttempt } from './connect-attempt.ts';
import type { AccountComponents, AccountContext } from './context.ts';
import { descriptorValidator, type DescriptorRejection } from './descriptor-check.ts';
import { HostedAccount } from './hosted-account.ts';
import { IntroPointRelay } from './intro-point.ts';
import { RendezvousRelay } from './rendezvous-point.ts';
import { AccountCounters, type AccountStats, type ConnectFailure } from './stats.ts';
import { Timers } from './timers.ts';

export type { AccountComponents, AccountDht } from './context.ts';
export type { AccountConfig } from './config.ts';
export type { AccountStats, AccountDrop, ConnectFailure } from './stats.ts';

export type ConnectCallback = (r: { ok: true; channel: Channel } | { ok: false; reason: ConnectFailure }) => void;

/** The DHT validator for account descriptors, with the periodMs / size / skew of `init`. */
export function accountDescriptorValidator(
  suite: Pick<CryptoSuite, 'sha256' | 'verify'>,
  init: Partial<AccountConfig> = {},
  onReject?: (reason: DescriptorRejection) => void,
): RecordValidator {
  const config = resolveAccountConfig(init);
  return descriptorValidator(suite, config, onReject);
}

export class AccountService {
  readonly config: AccountConfig;
  private readonly ctx: AccountContext;
  private readonly counters = new AccountCounters();
  private readonly timers: Timers;
  private readonly introRelay: IntroPointRelay | undefined;
  private readonly rendRelay: RendezvousRelay | undefined;
  private readonly hosted = new Map<string, HostedAccount>();
  private readonly connects = new Set<ConnectAttempt>();
  private readonly channels = new Set<CircuitChannel>();
  private stopped = false;

  constructor(components: AccountComponents, init: Partial<AccountConfig> = {}) {
    this.config = resolveAccountConfig(init);
    this.timers = new Timers(components.clock);
    const local = {
      introduce: (body: Uint8Array) => this.introRelay?.introduceLocal(body) ?? null,
      joinRendezvous: (cookie: Uint8Array, tag: Uint8Array) => this.rendRelay?.joinLocal(cookie, tag) ?? null,
    };
    this.ctx = { components, local, config: this.config, counters: this.counters, timers: this.timers };
    if (this.config.serveRelay) {
      this.introRelay = new IntroPointRelay(this.ctx);
      this.rendRelay = new RendezvousRelay(this.ctx);
    }
  }

  /**
   * Publishes `account` (Bob): establishes its intro points and keeps its descriptors in the DHT; each client
   * that connects arrives as a Channel. Throws RangeError if the account is already hosted or the service stopped.
   */
  host(account: KeyPair, onIncoming: (channel: Channel) => void): void {
    const id = toHex(account.publicKey);
    if (this.stopped) throw new RangeError('AccountService is stopped');
    if (this.hosted.has(id)) throw new RangeError('account already hosted');
    const hosted = new HostedAccount(this.ctx, account, onIncoming, (c) => this.adopt(c));
    this.hosted.set(id, hosted);
    hosted.start();
  }

  /** Stops hosting `accountPub`: intro circuits closed, descriptors unpublished (they expire). */
  unhost(accountPub: Uint8Array): boolean {
    const id = toHex(accountPub);
    const hosted = this.hosted.get(id);
    if (hosted === undefined) return false;
    this.hosted.delete(id);
    hosted.stop();
    return true;
  }

  /**
   * Connects to the account with public key `accountPub` (Alice). `cb` runs exactly once, never inside this call
   * (except on a stopped service: 'stopped' at once).
   */
  connect(accountPub: Uint8Array, cb: ConnectCallback): void {
    this.counters.client.connects++;
    if (this.stopped) {
      // No timer may run after stop(): the one case where cb runs inside connect().
      this.counters.fail('stopped');
      return cb({ ok: false, reason: 'stopped' });
    }
    if (this.connects.size >= this.config.maxPendingConnects) {
      this.counters.fail('overloaded');
      this.timers.set(0, () => cb({ ok: false, reason: 'overloaded' }));
      return;
    }
    const attempt = new ConnectAttempt(this.ctx, accountPub, (a, r) => {
      this.connects.delete(a);
      if (r.ok) {
        this.counters.client.connected++;
        this.adopt(r.channel);
      } else {
        this.counters.fail(r.reason);
      }
      cb(r);
    });
    this.connects.add(attempt);
    attempt.start();
  }

  stats(): AccountStats {
    const c = this.counters;
    let ready = 0;
    for (const h of this.hosted.values()) ready += h.introPointsReady;
    return {
      drops: { ...c.drops },
      relay: {
        introRegistrations: this.introRelay?.registrations ?? 0,
        introducesForwarded: c.relay.introducesForwarded,
        cookiesPending: this.rendRelay?.cookiesPending ?? 0,
        splices: this.rendRelay?.spliceCount ?? 0,
        cellsSpliced: c.relay.cellsSpliced,
      },
      service: { accountsHosted: this.hosted.size, introPointsReady: ready, ...c.service },
      client: { connects: c.client.connects, connectsActive: this.connects.size, connected: c.client.connected, failures: { ...c.failures } },
      channels: { open: this.channels.size, ...c.channels },
    };
  }

  /** Closes every circuit and channel, unpublishes descriptors, cancels every timer, fails pending connects with 'stopped'. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const attempt of [...this.connects]) attempt.abort('stopped');
    for (const h of this.hosted.values()) h.stop();
    this.hosted.clear();
    this.introRelay?.stop();
    this.rendRelay?.stop();
    for (const ch of [...this.channels]) ch.close('stopped');
    this.timers.cancelAll();
  }

  /** Only pending timers of this service (tests: stop() leaves none). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  private adopt(channel: CircuitChannel): void {
    if (!channel.isOpen) return;
    this.channels.add(channel);
    channel.onClose(() => this.channels.delete(channel));
  }
}
