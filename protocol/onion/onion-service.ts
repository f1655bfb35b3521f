/**
 * OnionService: one per node, both the origin of this node's circuits and a relay for other nodes'. It owns
 * the link-circuit table (neighbour NodeID + circuit id -> the circuit end bound there), answers CREATE
 * (ntor, rate limit per previous hop, relayed-circuit cap), and hands every other cell to the circuit bound
 * to its link. All traffic is PayloadType.ONION through the Messenger, whose sessions are shared by every
 * circuit on a link; nothing per circuit exists below this layer.
 */
import { EventBus } from '../messenger/event-bus.ts';
import { CryptoError } from '../crypto/suite.ts';
import type { MessengerPeer, Unsubscribe, InboundMessage } from '../messenger/messenger.ts';
import { PayloadType } from '../packet/payload-type.ts';
import { decodeCell, encodeCellPadded, createFields, keyHintOf } from './cell.ts';
import type { KeyPair } from '../crypto/suite.ts';
import { linkKey, pickCircId, pickedBy } from './circ-id.ts';
import { CellCmd, DEFAULT_ONION_CONFIG, destroyReasonCode, type OnionConfig } from './constants.ts';
import { ntorRespond, POINT_BYTES } from './ntor.ts';
import { OriginCircuit, subscribe } from './origin-circuit.ts';
import { RelayCircuit } from './relay-circuit.ts';
import { bump, emptyOnionCounters, type OnionCounters, type OnionDropReason, type OnionStats } from './stats.ts';
import { KeyedTokenBuckets } from '../runtime/keyed-token-buckets.ts';
import type { BuildResult, LinkHandler, LinkRef, OnionComponents, OnionHost, RelayCommandHandler } from './types.ts';

export { RELAY_BODY_MAX } from './constants.ts';
export type { BuildResult, Circuit, OnionComponents, RelayEndpoint } from './types.ts';

/** Longest path buildCircuit accepts (each hop adds a round trip and a layer). */
export const MAX_PATH_HOPS = 8;

/** 'circuit-built': a circuit this node originated is open through `path` (observers: who relays whose circuits). */
export type OnionEvent = { readonly kind: 'circuit-built'; readonly path: readonly MessengerPeer[] };

export class OnionService {
  readonly events = new EventBus<OnionEvent>();
  private readonly config: OnionConfig;
  private readonly counters: OnionCounters = emptyOnionCounters();
  private readonly links = new Map<string, LinkHandler>();
  private readonly origins = new Set<OriginCircuit>();
  private readonly relays = new Set<RelayCircuit>();
  private readonly services = new Map<number, RelayCommandHandler[]>();
  private readonly createBuckets: KeyedTokenBuckets;
  private readonly host: OnionHost;
  private readonly unsubscribe: Unsubscribe;
  private nextCircuitSeq = 1;
  private stopped = false;

  constructor(
    private readonly components: OnionComponents,
    init: Partial<OnionConfig> = {},
  ) {
    this.config = { ...DEFAULT_ONION_CONFIG, ...init };
    const c = this.config;
    this.createBuckets = KeyedTokenBuckets.perSecond(c.createRatePerS, c.createBurst, c.createBucketsMax);
    this.host = this.makeHost();
    this.unsubscribe = components.messenger.onMessage(PayloadType.ONION, (msg) => this.receive(msg));
  }

  buildCircuit(path: readonly MessengerPeer[], cb: (r: BuildResult) => void): void {
    const refusal = this.checkPath(path);
    if (refusal) {
      this.counters.circuitsFailed++;
      bump(this.counters.buildFailures, refusal.reason);
      return cb({ ok: false, ...refusal });
    }
    const circuit = new OriginCircuit(this.host, `circuit-${this.nextCircuitSeq++}`, [...path], (r) => {
      if (r.ok) this.events.emit({ kind: 'circuit-built', path: r.circuit.path });
      cb(r);
    });
    this.origins.add(circuit);
    circuit.start();
  }

  onRelayCommand(command: number, handler: RelayCommandHandler): Unsubscribe {
    if (!Number.isInteger(command) || command < 0x10 || command > 0xff) throw new RangeError(`relay command ${command} is not a service command (0x10-0xff)`);
    const list = this.services.get(command) ?? [];
    this.services.set(command, list);
    return subscribe(list, handler);
  }

  stats(): OnionStats {
    const c = structuredClone(this.counters);
    return { ...c, originCircuits: this.origins.size, relayCircuits: this.relays.size };
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const o of [...this.origins]) o.stop();
    for (const r of [...this.relays]) r.teardown('stopped', true, true);
    this.unsubscribe();
    this.links.clear();
  }

  private checkPath(path: readonly MessengerPeer[]): { reason: string; hop: number } | null {
    if (this.stopped) return { reason: 'stopped', hop: 0 };
    if (this.origins.size >= this.config.maxOriginCircuits) return { reason: 'too-many-circuits', hop: 0 };
    if (path.length === 0 || path.length > MAX_PATH_HOPS) return { reason: 'bad-path', hop: path.length };
    const self = this.components.identity().publicKey;
    for (let i = 0; i < path.length; i++) {
      const p = path[i].nodePub;
      // A hop may not be this node, nor the hop before it or the one before that (relays refuse to extend
      // back to their predecessor: a -> b -> a would let a see the circuit twice).
      const addressBytes = new TextEncoder().encode(path[i].address).length; // EXTEND carries it in 1..255 bytes
      const bad =
        p.length !== POINT_BYTES ||
        addressBytes === 0 ||
        addressBytes > 255 ||
        sameKey(p, self) ||
        path.slice(Math.max(0, i - 2), i).some((q) => sameKey(p, q.nodePub));
      if (bad) return { reason: 'bad-path', hop: i };
    }
    return null;
  }

  /** Every inbound ONION message ends here in one counted outcome; nothing a peer sends makes this throw. */
  private receive(msg: InboundMessage): void {
    const cell = decodeCell(msg.body, this.config.cellPadding === 'variable');
    if (!cell) return this.drop('malformed');
    const key = linkKey(msg.from.nodePub, cell.circId);
    if (cell.cmd === CellCmd.CREATE) return this.onCreate(msg.from, cell.circId, key, cell.payload);
    const handler = this.links.get(key);
    if (!handler) return this.drop('unknown-circuit');
    handler(cell.cmd, cell.payload);
  }

  /** CREATE: a new circuit whose previous hop is `from`; this node answers as its (for now) last hop. */
  private onCreate(from: MessengerPeer, circId: number, key: string, payload: Uint8Array): void {
    const fields = createFields(payload);
    const self = this.keyFor(fields.keyHint);
    if (this.links.has(key) || !pickedBy(circId, from.nodePub, self.publicKey)) return this.drop('duplicate-circuit');
    const link: LinkRef = { peer: from, circId, key };
    if (!this.createBuckets.take(key.slice(0, key.indexOf('/')), this.components.clock.now())) return this.refuse(link, 'rate-limited');
    if (this.relays.size >= this.config.maxRelayCircuits) return this.refuse(link, 'circuit-limit');
    const { suite, rng } = this.components;
    let answer: ReturnType<typeof ntorRespond>;
    try {
      answer = ntorRespond(suite, self, suite.generateKeyPair(rng), fields.X);
    } catch (e) {
      if (e instanceof CryptoError) return this.drop('bad-handshake');
      throw e;
    }
    this.counters.circuitsRelayed++;
    this.relays.add(new RelayCircuit(this.host, `relay-${this.nextCircuitSeq++}`, link, answer.keys));
    this.sendCell(link, CellCmd.CREATED, answer.Y, answer.auth);
  }

  /**
   * The NodeID key a CREATE is addressed to: the live key (current, or the previous one during a rotation's
   * grace period) whose hint matches; the current key otherwise (the client's ntor check then fails, counted).
   */
  private keyFor(hint: Uint8Array): KeyPair {
    const live = this.components.liveIdentities?.() ?? [this.components.identity()];
    const { sha256 } = this.components.suite;
    for (const k of live) if (equalHint(keyHintOf(sha256, k.publicKey), hint)) return k;
    return this.components.identity();
  }

  private refuse(link: LinkRef, why: 'rate-limited' | 'circuit-limit'): void {
    bump(this.counters.refused, why);
    this.sendCell(link, CellCmd.DESTROY, Uint8Array.of(destroyReasonCode('refused')));
  }

  private drop(reason: OnionDropReason): void {
    bump(this.counters.dropped, reason);
  }

  private sendCell(link: LinkRef, cmd: number, ...fields: Uint8Array[]): void {
    const pad = this.config.cellPadding === 'fixed';
    this.components.messenger.send(link.peer, PayloadType.ONION, encodeCellPadded(this.components.rng, pad, link.circId, cmd, fields));
  }

  private makeHost(): OnionHost {
    return {
      components: this.components,
      config: this.config,
      counters: this.counters,
      newLink: (peer) => {
        const self = this.components.identity().publicKey;
        const circId = pickCircId(this.components.rng, self, peer.nodePub, (id) => this.links.has(linkKey(peer.nodePub, id)));
        return { peer, circId, key: linkKey(peer.nodePub, circId) };
      },
      bind: (link, handler) => void this.links.set(link.key, handler),
      unbind: (link) => void this.links.delete(link.key),
      sendCell: (link, cmd, ...fields) => this.sendCell(link, cmd, ...fields),
      drop: (reason) => this.drop(reason),
      serviceHandlers: (command) => [...(this.services.get(command) ?? [])],
      release: (circuit) => {
        this.origins.delete(circuit as OriginCircuit);
        this.relays.delete(circuit as RelayCircuit);
      },
    };
  }
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function equalHint(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
