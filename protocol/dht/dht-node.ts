/**
 * A Kademlia DHT node: routing table, RPC, lookups, record store and binding publication tied together.
 *
 * Constructed as `new DhtNode(components, init)` (kad-dht style). It speaks through a `DhtMessenger` (the subset
 * of protocol/session's SessionManager it needs: all DHT messages travel under one session payload type), so the
 * sender of every inbound message is already authenticated by its static key; the DHT derives each contact's
 * key as SHA-256(nodePub) itself. Synchronous and callback-driven; time from the injected Clock, randomness from
 * the injected Rng. Callbacks never run synchronously inside the call that started them, and never after stop().
 *
 * The node's DHT key comes from `self().nodePub` at construction; after a NodeID rotation `rekey()` reads it again,
 * keeps the routing table (re-bucketed) and publishes the new binding; the old binding expires.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import type { Clock, TimerId } from '../runtime/clock.ts';
import { hexKey } from '../runtime/hex-key.ts';
import type { Rng } from '../runtime/rng.ts';
import { bindingValidator, decodeBinding, encodeBinding, signBinding, type Binding } from './binding.ts';
import { resolveConfig, type DhtConfig } from './config.ts';
import { FIRST_CONTACT_HEARD_MS, FIRST_CONTACT_PEERS, RECORD_TYPE_BINDING } from './constants.ts';
import { capPerHost, FirstContactGate } from './contact-limits.ts';
import { createHandlers, dispatch, type HandlerComponents, type HandlerTable } from './handlers/index.ts';
import { bucketIndex, bytesEqual, compareDistance, keyOfNodePub, NodeKeyCache, randomKeyInBucket, type DhtKey } from './keys.ts';
import { Lookup, type LookupResult, type QueryOutcome } from './lookup.ts';
import { isRequest, MessageCodec, type DhtMessage, type RequestId, type StoreStatus } from './messages.ts';
import { EventBus } from '../messenger/event-bus.ts';
import { Publisher, type Publication } from './publisher.ts';
import { RecordStore, type StoreRejection, type StoredRecord } from './record-store.ts';
import { ValidatorRegistry, type RecordValidator } from './record-validator.ts';
import { RoutingTable, type RekeyResult } from './routing-table.ts';
import { Rpc, type OutgoingReply, type OutgoingRequest, type RpcOutcome } from './rpc.ts';
import { StatsCounter, type DhtStats } from './stats.ts';
import {
  openPolicy,
  type Contact,
  type ContactSource,
  type DhtMessenger,
  type DhtPolicy,
  type DhtRecord,
  type PeerRef,
} from './types.ts';

/** The crypto the DHT itself calls: hashing node keys and verifying bindings (signing goes through `sign`). */
export type DhtCrypto = Pick<CryptoSuite, 'sha256' | 'verify'>;

export interface DhtComponents {
  messenger: DhtMessenger;
  clock: Clock;
  rng: Rng;
  suite: DhtCrypto;
  /** Our current static public key and address (read when a binding is made). */
  self: () => { nodePub: Uint8Array; address: string };
  /** Signs with our static key: `(m) => suite.sign(keyPair.privateKey, m)`. Keeps the private key out of the DHT. */
  sign: (message: Uint8Array) => Uint8Array;
  /** Admission and bootstrap policy hook (default: admit everything). */
  policy?: DhtPolicy;
  /** Extra record validators (the binding validator is always registered). */
  validators?: readonly RecordValidator[];
  /**
   * Request handlers that replace or extend the defaults, by request kind (e.g. GET_ONLINE / CONFIRM for entry
   * cross-checks, or a malicious node's lying FIND_NODE). Receives the defaults so a policy can wrap them.
   * This is how adversaries differ from honest nodes: a different handler table, not a branch in honest code.
   */
  handlers?: (defaults: HandlerTable, components: HandlerComponents) => HandlerTable;
}

export interface BootstrapResult {
  /** True when at least one entry answered and the table is not empty. */
  ok: boolean;
  /** Entries that answered our ping. */
  reachable: number;
  tableSize: number;
  /** Lookups run (self lookup + random-id lookups). */
  lookups: number;
}

export interface FindNodeResult {
  target: DhtKey;
  closest: Contact[];
  found?: Contact;
  hops: number;
  messages: number;
}

export interface FindValueResult {
  key: DhtKey;
  recordType: number;
  /** The first valid record found, if any. */
  record?: DhtRecord;
  /** Who returned it ('self' when our own store had it). */
  holder?: Contact | 'self';
  /** The closest contacts that answered (empty when our own store had it). */
  closest: Contact[];
  hops: number;
  messages: number;
}

export interface StoreResult {
  key: DhtKey;
  /** Nodes now holding the record: remote STORE_ACK 'stored' plus ourselves if we kept a copy. */
  replicas: number;
  storedLocally: boolean;
  /** STORE_ACK statuses received, by status. */
  acks: Partial<Record<StoreStatus, number>>;
  /** The k closest the record was offered to. */
  closest: Contact[];
  messages: number;
  /** Set when the record was refused before any message was sent. */
  error?: StoreRejection;
}

export type ResolveResult =
  | { ok: true; binding: Binding; hops: number; messages: number }
  | { ok: false; reason: 'not-found'; closest: Contact[]; hops: number; messages: number };

/**
 * 'contact-learned': `introducer` named `contact` in a NODES reply, so it holds a session with it (the natural
 * rendezvous when a handshake to the contact stalls). 'address-observed': `reporter` saw us at `observedAddress`.
 * Emitted for every decoded NODES/PONG, solicited or not: listeners treat them as hints, never as proof.
 */
export type DhtEvent =
  | { readonly kind: 'contact-learned'; readonly contact: PeerRef; readonly introducer: PeerRef }
  | { readonly kind: 'address-observed'; readonly reporter: PeerRef; readonly observedAddress: string };

export class DhtNode {
  readonly config: DhtConfig;
  private selfKey: DhtKey;
  readonly table: RoutingTable;
  readonly records: RecordStore;
  readonly validators: ValidatorRegistry;
  readonly codec: MessageCodec;
  /** Facts the DHT learns that other layers use; see DhtEvent. */
  readonly events = new EventBus<DhtEvent>();
  private readonly rpc: Rpc;
  private readonly publisher: Publisher;
  private readonly counters = new StatsCounter();
  private readonly handlers: HandlerTable;
  private readonly policy: DhtPolicy;
  private readonly keys: NodeKeyCache;
  private readonly firstContacts: FirstContactGate;
  private refreshTimer: TimerId | undefined;
  private lastBindingIssuedMs = -1;
  private stopped = false;

  constructor(
    private readonly components: DhtComponents,
    init: Partial<DhtConfig> = {},
  ) {
    const config = resolveConfig(init);
    this.config = config;
    const { clock, rng, messenger, suite } = components;
    this.selfKey = keyOfNodePub(suite, components.self().nodePub);
    this.keys = new NodeKeyCache(suite);
    this.policy = components.policy ?? openPolicy;
    this.codec = new MessageCodec({ maxBodyBytes: config.maxBodyBytes });
    this.validators = new ValidatorRegistry([
      bindingValidator(suite, { maxTtlMs: config.maxBindingTtlMs, maxClockSkewMs: config.maxClockSkewMs }),
      ...(components.validators ?? []),
    ]);
    this.table = new RoutingTable(
      { clock, ping: (contact, cb) => this.ping(contact, 'reply', cb, false) },
      {
        selfKey: this.key,
        k: config.k,
        maxFailures: config.maxFailures,
        replacementCacheSize: config.replacementCacheSize,
        livenessFreshMs: config.livenessFreshMs,
      },
    );
    this.records = new RecordStore(
      {
        clock,
        validators: this.validators,
        replicate: (r) => this.replicate(r),
        selfKey: () => this.key,
        onEvict: () => this.counters.inc('recordsEvicted'),
      },
      {
        maxRecords: config.maxRecords,
        maxRecordsPerPeer: config.maxRecordsPerPeer,
        maxRecordsPerHost: config.maxRecordsPerHost,
        replicateIntervalMs: config.replicateIntervalMs,
        maxValueBytes: this.codec.maxValueBytes,
      },
    );
    this.firstContacts = new FirstContactGate(
      { clock, table: this.table },
      {
        burst: config.firstContactBurst,
        refillMs: config.firstContactRefillMs,
        maxHosts: config.firstContactHosts,
        inflightMs: config.requestTimeoutMs * (config.requestRetries + 1),
        heardTtlMs: FIRST_CONTACT_HEARD_MS,
        maxPeers: FIRST_CONTACT_PEERS,
      },
    );
    this.publisher = new Publisher(
      { clock, publish: (p) => this.store(p.key, p.record, () => {}) },
      { republishIntervalMs: config.republishIntervalMs },
    );
    this.rpc = new Rpc(
      { messenger, clock, rng, codec: this.codec, stats: this.counters },
      {
        payloadType: config.payloadType,
        requestTimeoutMs: config.requestTimeoutMs,
        requestRetries: config.requestRetries,
        maxPendingRequests: config.maxPendingRequests,
      },
    );
    const handlerComponents = { table: this.table, store: this.records, stats: this.counters };
    const defaults = createHandlers(handlerComponents, { k: config.k, storeRadius: Math.ceil(config.storeRadiusFactor * config.k) });
    this.handlers = components.handlers ? components.handlers(defaults, handlerComponents) : defaults;
    messenger.onMessage(config.payloadType, (msg) => this.receive(msg.from, msg.body));
    this.records.start();
    if (config.autoRefresh) this.scheduleRefresh();
  }

  /** Our DHT key, SHA-256 of our current NodeID key (changes only through rekey()). */
  get key(): DhtKey {
    return this.selfKey;
  }

  /**
   * Takes up a rotated NodeID: reads `self()` again; if its key changed, re-buckets the routing table against it
   * in place (handlers hold the table) and, when our binding is published, publishes the new one in its place
   * (the STORE's lookup for the new key also introduces us to our new neighbours). The old binding is no longer
   * republished and lapses at its expiry: Kademlia has no delete, and its holders cannot tell a withdrawal from
   * a forgery. Returns what the table did, or undefined when the key is unchanged or the node stopped.
   */
  rekey(): RekeyResult | undefined {
    if (this.stopped) return undefined;
    const key = keyOfNodePub(this.components.suite, this.components.self().nodePub);
    if (bytesEqual(key, this.selfKey)) return undefined;
    this.selfKey = key;
    const result = this.table.rekey(key);
    if (this.publisher.has('binding')) this.publishBinding();
    return result;
  }

  /**
   * Joins the network (§2.3): pings the entries (those the policy selects), looks up our own key, then looks up
   * a random id in every bucket farther than our nearest neighbour to populate the table.
   */
  bootstrap(entries: readonly PeerRef[], cb: (result: BootstrapResult) => void = () => {}): void {
    const candidates = entries.map((e) => this.contactOf(e)).filter((c) => bucketIndex(this.key, c.key) >= 0);
    const chosen = this.policy.selectBootstrap(candidates);
    let reachable = 0;
    let waiting = chosen.length;
    const afterPings = (): void => {
      if (this.table.size === 0) {
        cb({ ok: false, reachable, tableSize: 0, lookups: 0 });
        return;
      }
      this.findNode(this.key, (self) => {
        const nearest = self.closest[0] ?? this.table.closest(this.key, 1)[0];
        // Buckets 0 .. nearestBucket-1 cover everything farther away than our nearest neighbour.
        const nearestBucket = nearest === undefined ? 0 : bucketIndex(this.key, nearest.key);
        const buckets = Array.from({ length: Math.min(nearestBucket, this.config.maxBootstrapRefreshes) }, (_, i) => i);
        this.randomLookups(buckets, (lookups) => cb({ ok: true, reachable, tableSize: this.table.size, lookups: lookups + 1 }));
      });
    };
    if (waiting === 0) {
      this.defer(afterPings);
      return;
    }
    for (const entry of chosen) {
      this.ping(entry, 'bootstrap', (alive) => {
        if (alive) reachable++;
        if (--waiting === 0) afterPings();
      });
    }
  }

  /** Iterative FIND_NODE for `key`: the k closest live contacts, and the target itself if it exists. */
  findNode(key: DhtKey, cb: (result: FindNodeResult) => void): void {
    this.runLookup(key, 'node', 0, (r) => cb({ target: key, closest: r.closest, found: r.found, hops: r.hops, messages: r.messages }));
  }

  /** Iterative FIND_VALUE for the record of `recordType` under `key`; stops at the first valid value. */
  findValue(key: DhtKey, recordType: number, cb: (result: FindValueResult) => void): void {
    const local = this.records.get(key, recordType);
    if (local !== undefined) {
      const record = { recordType, value: local.value };
      this.defer(() => cb({ key, recordType, record, holder: 'self', closest: [], hops: 0, messages: 0 }));
      return;
    }
    this.runLookup(key, 'value', recordType, (r) =>
      cb({ key, recordType, record: r.value?.record, holder: r.value?.holder, closest: r.closest, hops: r.hops, messages: r.messages }),
    );
  }

  /**
   * Stores `record` under `key` at the k closest nodes (and locally if we are one of them). One-shot: holders
   * re-replicate hourly, but only `publish` makes us republish as the original publisher.
   */
  store(key: DhtKey, record: DhtRecord, cb: (result: StoreResult) => void = () => {}): void {
    const refused = this.precheck(key, record);
    if (refused !== undefined) {
      this.defer(() => cb({ key, replicas: 0, storedLocally: false, acks: {}, closest: [], messages: 0, error: refused }));
      return;
    }
    this.findNode(key, (found) => {
      const closest = found.closest;
      const k = this.config.k;
      const selfIsClose = closest.length < k || compareDistance(key, this.key, closest[closest.length - 1].key) < 0;
      const storedLocally = selfIsClose && this.records.put(key, record).ok;
      const acks: Partial<Record<StoreStatus, number>> = {};
      const replicas = (): number => (acks.stored ?? 0) + (storedLocally ? 1 : 0);
      const messages = found.messages + closest.length;
      const done = (): void => cb({ key, replicas: replicas(), storedLocally, acks, closest, messages });
      let waiting = closest.length;
      if (waiting === 0) return done();
      for (const contact of closest) {
        this.rpc.request(contact, { kind: 'store', key, record }, (outcome) => {
          if (outcome.ok && outcome.reply.kind === 'store-ack') acks[outcome.reply.status] = (acks[outcome.reply.status] ?? 0) + 1;
          if (--waiting === 0) done();
        });
      }
    });
  }

  /** `store`, and republish every republishIntervalMs as the original publisher (§2.5) until `unpublish`. */
  publish(key: DhtKey, record: DhtRecord, cb: (result: StoreResult) => void = () => {}): void {
    this.publisher.add(hexKey(key, '', `/${record.recordType}`), () => ({ key, record }));
    this.store(key, record, cb);
  }

  unpublish(key: DhtKey, recordType: number): boolean {
    return this.publisher.remove(hexKey(key, '', `/${recordType}`));
  }

  /**
   * Signs a fresh binding of our NodeID to our current address and stores it under our key; re-signs and
   * republishes it every min(republishIntervalMs, bindingTtlMs / 2) so it never lapses while we run.
   */
  publishBinding(cb: (result: StoreResult & { binding: Binding }) => void = () => {}): void {
    const first = this.makeBindingPublication();
    const interval = Math.min(this.config.republishIntervalMs, Math.floor(this.config.bindingTtlMs / 2));
    this.publisher.add('binding', () => this.makeBindingPublication().publication, interval);
    this.store(first.publication.key, first.publication.record, (r) => cb({ ...r, binding: first.binding }));
  }

  /**
   * NodeID -> address: finds the binding stored under `nodeKey`. Every value is checked (signature by the
   * nodePub whose key is `nodeKey`, lifetime) before it is accepted, locally on STORE and remotely on VALUE.
   */
  resolve(nodeKey: DhtKey, cb: (result: ResolveResult) => void): void {
    this.findValue(nodeKey, RECORD_TYPE_BINDING, (r) => {
      const decoded = r.record === undefined ? undefined : decodeBinding(r.record.value);
      if (decoded?.ok) cb({ ok: true, binding: decoded.binding, hops: r.hops, messages: r.messages });
      else cb({ ok: false, reason: 'not-found', closest: r.closest, hops: r.hops, messages: r.messages });
    });
  }

  /** Random-id lookups in every bucket without a lookup for refreshIntervalMs (§2.3). Reports how many ran. */
  refresh(cb: (lookups: number) => void = () => {}): void {
    this.randomLookups(this.table.bucketsNeedingRefresh(this.config.refreshIntervalMs), cb);
  }

  /** Stops timers and RPCs; in-flight operations never call back; later inbound messages are ignored. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.rpc.stop();
    this.records.stop();
    this.publisher.stop();
    if (this.refreshTimer !== undefined) this.components.clock.cancelTimer(this.refreshTimer);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  stats(): DhtStats {
    return this.counters.snapshot({
      routingTableSize: this.table.size,
      records: this.records.size,
      pendingRequests: this.rpc.pendingCount,
    });
  }

  /**
   * Sends one request through the node's RPC layer (retries, timeout, reply matching) for extensions that speak
   * message types the node itself never sends, e.g. GET_ONLINE / CONFIRM of the entry cross-check
   * (protocol/dht/entry/). `cb` runs exactly once, never synchronously, never after stop().
   */
  request(peer: PeerRef, request: OutgoingRequest, cb: (outcome: RpcOutcome) => void): void {
    if (!this.mayContact(this.contactOf(peer))) return this.defer(() => cb({ ok: false, reason: 'rate-limited' }));
    this.rpc.request(peer, request, cb);
  }

  /**
   * Answers request `requestId` from `peer` later: a handler that needs network work first (a CONFIRM answered
   * after DHT resolves) returns undefined and calls this when done.
   */
  respond(peer: PeerRef, requestId: RequestId, reply: OutgoingReply): void {
    this.rpc.reply(peer, requestId, reply);
  }

  /** The contact (with its locally derived key) of a peer. */
  contactOf(peer: PeerRef): Contact {
    return { key: this.keys.keyOf(peer.nodePub), nodePub: peer.nodePub, address: peer.address, lastSeenMs: 0 };
  }

  // --- inbound ---------------------------------------------------------------------------------------------

  private receive(from: PeerRef, body: Uint8Array): void {
    if (this.stopped) return;
    this.counters.inc('messagesReceived');
    const decoded = this.codec.decode(body);
    if (!decoded.ok) {
      this.counters.decodeError(decoded.error);
      this.counters.drop(decoded.error === 'unknown-type' ? 'unknown-type' : 'malformed');
      return;
    }
    const msg = decoded.message;
    const peer: PeerRef = { address: from.address, nodePub: from.nodePub };
    this.firstContacts.heard(this.contactOf(peer));
    this.announce(peer, msg);
    if (!isRequest(msg)) {
      this.rpc.handleReply(peer, msg);
      return;
    }
    this.counters.inc('requestsReceived');
    const contact = this.contactOf(peer);
    this.admit(contact, 'inbound');
    const reply = dispatch(this.handlers, contact, msg);
    if (reply === 'unsupported') this.counters.drop('unsupported');
    else if (reply !== undefined) this.rpc.reply(peer, msg.requestId, reply);
  }

  /** Facts other layers use (NAT traversal: who introduced a contact, how a peer sees our address). */
  private announce(from: PeerRef, msg: DhtMessage): void {
    if (msg.kind === 'nodes') {
      for (const c of msg.contacts) this.events.emit({ kind: 'contact-learned', contact: { address: c.address, nodePub: c.nodePub }, introducer: from });
    } else if (msg.kind === 'pong') {
      this.events.emit({ kind: 'address-observed', reporter: from, observedAddress: msg.observedAddress });
    }
  }

  private admit(contact: Contact, source: ContactSource): void {
    if (bucketIndex(this.key, contact.key) < 0) return;
    if (!this.policy.admitContact(contact, source)) {
      this.counters.drop('policy');
      return;
    }
    this.table.update(contact);
  }

  // --- outbound --------------------------------------------------------------------------------------------

  /** PING `contact`; a PONG admits it to the table. `countFailure` false when the table itself evicts on failure. */
  private ping(contact: Contact, source: ContactSource, cb: (alive: boolean) => void, countFailure = true): void {
    if (!this.mayContact(contact)) return this.defer(() => cb(false));
    this.rpc.request(contact, { kind: 'ping' }, (outcome) => {
      if (outcome.ok) this.admit(contact, source);
      else if (countFailure) this.table.markFailed(contact.key);
      cb(outcome.ok);
    });
  }

  private runLookup(target: DhtKey, mode: 'node' | 'value', recordType: number, cb: (r: LookupResult) => void): void {
    if (this.stopped) return;
    this.counters.inc('lookups');
    this.table.markLookup(target);
    const seeds = this.table.closest(target, this.config.k);
    const lookup = new Lookup(
      {
        keyOf: (pub) => this.keys.keyOf(pub),
        query: (contact, done) => this.query(contact, target, mode, recordType, done),
        onResponse: (contact) => this.admit(contact, 'reply'),
        onFailure: (contact) => this.table.markFailed(contact.key),
      },
      { selfKey: this.key, target, mode, k: this.config.k, alpha: this.config.alpha, maxQueries: this.config.maxLookupQueries },
    );
    if (seeds.length === 0) this.defer(() => lookup.start([], cb));
    else lookup.start(seeds, cb);
  }

  private query(contact: Contact, target: DhtKey, mode: 'node' | 'value', recordType: number, done: (o: QueryOutcome) => void): void {
    // A contact the policy would not admit is not asked either: its answers are what the policy distrusts (e.g.
    // an entry found flawed by the cross-check, protocol/dht/entry/). The open policy admits everyone.
    if (!this.policy.admitContact(contact, 'reply')) {
      this.counters.drop('policy');
      return this.defer(() => done({ kind: 'failed' }));
    }
    if (!this.mayContact(contact)) return this.defer(() => done({ kind: 'skipped' }));
    this.counters.inc('lookupMessages');
    const request =
      mode === 'node' ? ({ kind: 'find-node', target } as const) : ({ kind: 'find-value', key: target, recordType } as const);
    this.rpc.request(contact, request, (outcome) => {
      if (!outcome.ok) return done({ kind: 'failed' });
      const reply = outcome.reply;
      if (reply.kind === 'nodes') return done({ kind: 'nodes', contacts: this.capReply(reply.contacts) });
      if (reply.kind !== 'value') return done({ kind: 'failed' });
      if (reply.record.recordType !== recordType) {
        this.counters.drop('unexpected-reply');
        return done({ kind: 'failed' });
      }
      const check = this.validators.validate(target, reply.record, this.components.clock.now());
      if (!check.ok) {
        this.counters.drop(check.reason);
        return done({ kind: 'failed' });
      }
      done({ kind: 'value', record: reply.record });
    });
  }

  /** The first-contact gate (contact-limits.ts); a refusal is a counted drop. */
  private mayContact(contact: Contact): boolean {
    if (this.firstContacts.allow(contact)) return true;
    this.counters.drop('first-contact-rate');
    return false;
  }

  /** A NODES reply's contacts, at most maxReplyContactsPerHost per host (contact-limits.ts); the rest counted. */
  capReply(contacts: readonly PeerRef[]): PeerRef[] {
    const { kept, dropped } = capPerHost(contacts, this.config.maxReplyContactsPerHost);
    for (let i = 0; i < dropped; i++) this.counters.drop('reply-host-cap');
    return kept;
  }

  private randomLookups(buckets: readonly number[], cb: (lookups: number) => void): void {
    let waiting = buckets.length;
    if (waiting === 0) return this.defer(() => cb(0));
    for (const i of buckets) {
      this.findNode(randomKeyInBucket(this.key, i, this.components.rng), () => {
        if (--waiting === 0) cb(buckets.length);
      });
    }
  }

  private replicate(record: StoredRecord): void {
    this.store(record.key, { recordType: record.recordType, value: record.value });
  }

  private precheck(key: DhtKey, record: DhtRecord): StoreRejection | undefined {
    if (record.value.length > this.codec.maxValueBytes) return 'oversize';
    const check = this.validators.validate(key, record, this.components.clock.now());
    return check.ok ? undefined : check.reason;
  }

  private makeBindingPublication(): { binding: Binding; publication: Publication } {
    const self = this.components.self();
    // Strictly increasing issuedAtMs: a newer binding must supersede, even within one millisecond. Whole
    // milliseconds on the wire: a simulated clock has fractional time.
    const issuedAtMs = Math.max(Math.floor(this.components.clock.now()), this.lastBindingIssuedMs + 1);
    this.lastBindingIssuedMs = issuedAtMs;
    const binding = signBinding(this.components.sign, {
      nodePub: self.nodePub,
      address: self.address,
      issuedAtMs,
      expiresAtMs: issuedAtMs + this.config.bindingTtlMs,
    });
    const key = keyOfNodePub(this.components.suite, self.nodePub);
    return { binding, publication: { key, record: { recordType: RECORD_TYPE_BINDING, value: encodeBinding(binding) } } };
  }

  private scheduleRefresh(): void {
    this.refreshTimer = this.components.clock.setTimer(this.config.refreshIntervalMs, () => {
      if (this.stopped) return;
      this.refresh();
      this.scheduleRefresh();
    });
  }

  private defer(fn: () => void): void {
    this.components.clock.setTimer(0, () => {
      if (!this.stopped) fn();
    });
  }
}
