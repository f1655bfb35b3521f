/**
 * Malformed and spoofed DHT input through the whole stack (ParatoxNode = SessionManager + DhtNode on a
 * deterministic loopback), not the DHT's fake messenger: each kind of bad input is dropped and counted by the
 * layer that owns it (the session layer for datagrams, the DHT for bodies and records), the sender learns nothing
 * it should not, and honest traffic keeps working afterwards.
 *
 * The rogue is a different program speaking the same protocol: a plain SessionManager with its own NodeID that
 * sends hand-built DHT bodies inside authentic sessions, so every drop below is about content, never about the
 * channel.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeSuite } from '../crypto/node-suite.ts';
import type { KeyPair } from '../crypto/suite.ts';
import { ParatoxNode } from '../node/paratox-node.ts';
import { PayloadType } from '../packet/payload-type.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { SessionManager } from '../session/session-manager.ts';
import type { SessionStats } from '../session/stats.ts';
import { Loopback, ManualClock } from '../session/testing/loopback.ts';
import { createBinding, encodeBinding, signBinding, type Binding } from './binding.ts';
import { RECORD_TYPE_BINDING, REQUEST_ID_BYTES } from './constants.ts';
import type { BootstrapResult, ResolveResult, StoreResult } from './dht-node.ts';
import { keyOfNodePub, type DhtKey } from './keys.ts';
import { MessageCodec, MessageType, type DhtMessage, type StoreStatus } from './messages.ts';
import type { DhtStats } from './stats.ts';
import type { PeerRef } from './types.ts';

const suite = nodeSuite;
const codec = new MessageCodec();
const seed = new SeededRng('spoof-integrated');
const clock = new ManualClock();
const net = new Loopback(clock, 5);

/** Runs virtual time until `start`'s callback has fired (bounded: a hang fails instead of looping). */
function settle<T>(start: (cb: (r: T) => void) => void): T {
  let out: { r: T } | undefined;
  start((r) => (out = { r }));
  for (let ms = 0; out === undefined && ms < 120_000; ms += 10) clock.advance(10);
  if (out === undefined) throw new Error('callback never fired');
  return out.r;
}

function honestNode(name: string): ParatoxNode {
  const rng = seed.fork(name);
  return new ParatoxNode({ transport: net.transport(name), clock, rng, suite }, { dht: { k: 4, autoRefresh: false } });
}

/** The rogue: authentic sessions, hand-built DHT bodies; it records every DHT reply it gets. */
class Rogue {
  readonly identity: KeyPair = suite.generateKeyPair(seed.fork('rogue/identity'));
  readonly sessions = new SessionManager({ transport: net.transport('r'), clock, rng: seed.fork('rogue/session'), suite, identity: () => this.identity });
  readonly replies: DhtMessage[] = [];
  readonly peer: PeerRef = { address: 'r', nodePub: this.identity.publicKey };
  readonly key: DhtKey = keyOfNodePub(suite, this.identity.publicKey);

  constructor() {
    this.sessions.onMessage(PayloadType.DHT, ({ body }) => {
      const decoded = codec.decode(body);
      if (decoded.ok) this.replies.push(decoded.message);
    });
  }

  /** Sends raw DHT body bytes to `to` and lets the loopback deliver them (and any reply). */
  sendBody(to: ParatoxNode, body: Uint8Array): void {
    this.sessions.send(to.peerRef, PayloadType.DHT, body);
    clock.advance(200);
  }

  /** STOREs `value` under `key` at `to` and returns the STORE_ACK status it answered. */
  store(to: ParatoxNode, key: DhtKey, value: Uint8Array): StoreStatus | undefined {
    const requestId = seed.fork(`rid/${this.replies.length}/${value.length}`).bytes(REQUEST_ID_BYTES);
    this.sendBody(to, codec.encode({ kind: 'store', requestId, key, record: { recordType: RECORD_TYPE_BINDING, value } }));
    const ack = this.replies.find((m) => m.kind === 'store-ack' && equal(m.requestId, requestId));
    return ack?.kind === 'store-ack' ? ack.status : undefined;
  }

  /** A binding of the rogue's own NodeID, validly signed. */
  ownBinding(): Binding {
    return createBinding(suite, this.identity.privateKey, { nodePub: this.identity.publicKey, address: 'r', nowMs: clock.now() });
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

let a: ParatoxNode;
let b: ParatoxNode;
let c: ParatoxNode;
let rogue: Rogue;
const keyOf = (n: ParatoxNode): DhtKey => keyOfNodePub(suite, n.identity.publicKey);

/** Counter deltas of `victim` across `attack`. */
function deltas(victim: ParatoxNode, attack: () => void): { dht: DhtStats; before: DhtStats; session: SessionStats; sessionBefore: SessionStats } {
  const before = victim.dht.stats();
  const sessionBefore = victim.sessions.stats();
  attack();
  return { dht: victim.dht.stats(), before, session: victim.sessions.stats(), sessionBefore };
}

/** Honest traffic still works: c resolves a's and b's signed bindings to their true addresses. */
function expectHonestTrafficWorks(): void {
  for (const target of [a, b]) {
    const r = settle<ResolveResult>((cb) => c.dht.resolve(keyOf(target), cb));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.binding.address).toBe(target.peerRef.address);
  }
  for (const n of [a, b, c]) expect(n.sessions.stats().dropped.internal ?? 0).toBe(0);
}

beforeAll(() => {
  a = honestNode('a');
  b = honestNode('b');
  c = honestNode('c');
  rogue = new Rogue();
  expect(settle<StoreResult>((cb) => a.dht.publishBinding(cb)).storedLocally).toBe(true);
  for (const n of [b, c]) expect(settle<BootstrapResult>((cb) => n.join([a.peerRef], cb)).ok).toBe(true);
  clock.advance(1_000); // let join()'s binding publications land
  expectHonestTrafficWorks();
  // Control: the rogue's honest STORE of its own binding is accepted, so the channel itself is fine.
  expect(rogue.store(b, rogue.key, encodeBinding(rogue.ownBinding()))).toBe('stored');
});

describe('spoofed and malformed DHT input through SessionManager + DhtNode is dropped and counted', () => {
  it("a datagram of the wrong size is dropped by the session layer ('wrong-size') before any decryption", () => {
    const d = deltas(b, () => {
      for (const size of [100, 1231, 1233, 0]) net.inject({ from: 'r', to: 'b', bytes: seed.fork(`junk/${size}`).bytes(size) });
      clock.advance(50);
    });
    expect((d.session.dropped['wrong-size'] ?? 0) - (d.sessionBefore.dropped['wrong-size'] ?? 0)).toBe(4);
    expect(d.session.messagesDelivered).toBe(d.sessionBefore.messagesDelivered);
    expect(d.dht.messagesReceived).toBe(d.before.messagesReceived);
    expectHonestTrafficWorks();
  });

  it("a DHT body with an unknown message type inside an authentic session is 'unknown-type'", () => {
    const requestId = new Uint8Array(REQUEST_ID_BYTES).fill(7);
    const d = deltas(b, () => {
      rogue.sendBody(b, Uint8Array.of(0x7e, ...requestId));
      // 0x20-0x2f are reserved for hole punching but not spoken yet: unknown too.
      rogue.sendBody(b, Uint8Array.of(0x20, ...requestId));
    });
    expect(d.dht.drops['unknown-type'] - d.before.drops['unknown-type']).toBe(2);
    expect(d.dht.decodeErrors['unknown-type'] - d.before.decodeErrors['unknown-type']).toBe(2);
    expect(d.dht.drops.malformed).toBe(d.before.drops.malformed);
    expect(d.dht.repliesSent).toBe(d.before.repliesSent);
    expectHonestTrafficWorks();
  });

  it("a truncated DHT body (a STORE cut short, a header without its request id) is 'malformed' / 'truncated'", () => {
    const store = codec.encode({ kind: 'store', requestId: new Uint8Array(8), key: rogue.key, record: { recordType: RECORD_TYPE_BINDING, value: encodeBinding(rogue.ownBinding()) } });
    const d = deltas(b, () => {
      rogue.sendBody(b, store.subarray(0, store.length - 10));
      rogue.sendBody(b, Uint8Array.of(MessageType.FIND_NODE, 1, 2, 3));
    });
    expect(d.dht.drops.malformed - d.before.drops.malformed).toBe(2);
    expect(d.dht.decodeErrors.truncated - d.before.decodeErrors.truncated).toBe(2);
    expect(d.dht.storesAccepted).toBe(d.before.storesAccepted);
    expect(d.dht.repliesSent).toBe(d.before.repliesSent);
    expectHonestTrafficWorks();
  });

  it("a STORE of a binding with a bad signature is refused ('bad-signature') and not kept", () => {
    // (1) A newer binding of the rogue's own NodeID whose signature has one byte flipped. (2) A forgery: a's NodeID bound to the
    // rogue's address, under a's key, signed by the rogue (it cannot sign as a).
    const own = rogue.ownBinding();
    const flipped = { ...own, issuedAtMs: own.issuedAtMs + 1, signature: own.signature.map((x, i) => (i === 10 ? x ^ 1 : x)) };
    const forged = signBinding((m) => suite.sign(rogue.identity.privateKey, m), {
      nodePub: a.identity.publicKey,
      address: 'r',
      issuedAtMs: clock.now() + 1,
      expiresAtMs: clock.now() + 3_600_000,
    });
    let statuses: Array<StoreStatus | undefined> = [];
    const d = deltas(b, () => {
      statuses = [rogue.store(b, rogue.key, encodeBinding(flipped)), rogue.store(b, keyOf(a), encodeBinding(forged))];
    });
    expect(statuses).toEqual(['bad-signature', 'bad-signature']);
    expect(d.dht.drops['bad-signature'] - d.before.drops['bad-signature']).toBe(2);
    expect(d.dht.storesAccepted).toBe(d.before.storesAccepted);
    // b still answers a's key with a's own binding, not the forgery.
    const held = b.dht.records.get(keyOf(a), RECORD_TYPE_BINDING);
    if (held !== undefined) expect(held.value).not.toEqual(encodeBinding(forged));
    expectHonestTrafficWorks();
  });

  it("a STORE of someone else's (validly signed) binding under another key is refused ('foreign-binding')", () => {
    const aBinding = settle<ResolveResult>((cb) => c.dht.resolve(keyOf(a), cb));
    expect(aBinding.ok).toBe(true);
    if (!aBinding.ok) return;
    let status: StoreStatus | undefined;
    const d = deltas(b, () => {
      status = rogue.store(b, rogue.key, encodeBinding(aBinding.binding));
    });
    expect(status).toBe('foreign-binding');
    expect(d.dht.drops['foreign-binding'] - d.before.drops['foreign-binding']).toBe(1);
    expect(d.dht.storesAccepted).toBe(d.before.storesAccepted);
    // The rogue's key still holds the rogue's own binding, not a's.
    const held = b.dht.records.get(rogue.key, RECORD_TYPE_BINDING);
    expect(held?.value).not.toEqual(encodeBinding(aBinding.binding));
    expectHonestTrafficWorks();
  });

  it("a reply nobody asked for (a spoofed NODES answer) is an 'unexpected-reply'", () => {
    const d = deltas(b, () => {
      rogue.sendBody(b, codec.encode({ kind: 'nodes', requestId: new Uint8Array(8).fill(9), contacts: [rogue.peer] }));
    });
    expect(d.dht.drops['unexpected-reply'] - d.before.drops['unexpected-reply']).toBe(1);
    expect(d.dht.repliesReceived).toBe(d.before.repliesReceived);
    expectHonestTrafficWorks();
  });
});
