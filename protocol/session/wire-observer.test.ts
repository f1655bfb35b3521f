/**
 * What a real observer sees (issue 11 item 14). 10,000 datagrams captured from a seeded multi-node run with
 * sessions, rekeying handshakes and data; two classifiers that only read the bytes try to tell (A) handshake
 * from data and (B) whether two packets belong to the same session direction. On today's format both must
 * do no better than chance (a binomial bound); on the old format (connId, seq and a SEC 1 point in clear,
 * rebuilt here from the same traffic) the SAME classifiers must succeed, so this test can fail: it guards
 * against any change that puts linkable or recognisable bytes back on the wire.
 *
 * The capture ends with a flood phase: throw-away inits from spoofed addresses put n0 under load, so it
 * answers inits with cookie replies and its peers come back with mac2 inits (handshake-flood defence,
 * cookie.ts); classifier A is also run on those two kinds alone against data. Features are the first 64 and
 * the last 32 bytes (mac2 is an init's last 16).
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../crypto/bytes.ts';
import { elligatorSquaredDecode } from '../crypto/elligator-squared.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import { DATA_HEADER_BYTES, DEFAULT_WIRE_SIZE, EPHEMERAL_FIELD_BYTES } from '../packet/constants.ts';
import { openCookieReplyTo } from './cookie.ts';
import { throwawayInits } from './testing/flood.ts';
import { toggleHeaderMask } from '../packet/header-protection.ts';
import { PayloadType } from '../packet/payload-type.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { Loopback, ManualClock, type Datagram } from './testing/loopback.ts';
import { makeNode, utf8 } from './testing/nodes.ts';

const CAPTURE = 10_000;
/** The flood phase starts once this many datagrams were captured. */
const FLOOD_FROM = 5_000;
/** Spoofed inits to n0 per 3 ms tick during the flood: ~330/s, above handshakeLoadInitsPerS (256). */
const FLOOD_PER_TICK = 1;
const FEATURE_BYTES = 64;
const TAIL_FEATURE_BYTES = 32;
const NAMES = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5'];
const SEED = 'wire-observer';

interface Sample {
  readonly bytes: Uint8Array;
  readonly handshake: boolean;
  /** The handshake-flood defence's packets: a cookie reply, an init carrying mac2. */
  readonly cookie: boolean;
  readonly mac2: boolean;
  /**
   * Flood-phase extras: to or from a spoofed address (part of no session) or a newcomer (one handshake, a
   * message). Left out of the linking test B, whose streams are the six nodes' sessions.
   */
  readonly extra: boolean;
  /** The receiving side's connId: identifies one direction of one session (ground truth, never on the wire). */
  readonly stream: string;
}

/**
 * A seeded run: random pairs of 6 nodes exchange messages; sessions rekey every 30 packets (many handshakes);
 * from FLOOD_FROM on, spoofed inits flood n0 and newcomers contact it (cookie, then mac2 init). Spoofed
 * addresses get a probe that knows the init they sent.
 */
function capture(): { datagrams: Datagram[]; headerKeys: Map<string, Uint8Array> } {
  const clock = new ManualClock();
  const net = new Loopback(clock);
  const nodes = NAMES.map((name) => makeNode(net, name, nodeSuite, { rekeyAfterPackets: 30 }, SEED));
  // The manager's header key as it derives it: rng.fork('session') (makeNode), then .fork('header-key').
  const rng = new SeededRng(`${SEED}/traffic`);
  const flood = throwawayInits(nodeSuite, nodes[0].key.publicKey, 4_000, { nowMs: 0, seed: `${SEED}/flood` });
  let flooded = 0;
  const spoofFrom = (hs: (typeof flood)[number], k: number) => {
    const address = `spoof-${k}`;
    net.probes.set(address, (bytes) => {
      const cookie = openCookieReplyTo(nodeSuite, { init: hs.packet, responderStaticPub: nodes[0].key.publicKey }, bytes, { wireSize: DEFAULT_WIRE_SIZE, paddingMode: 'fixed' });
      return cookie.ok ? { kind: 'cookie' } : { kind: 'response', connIdHex: toHex(hs.localConnId) };
    });
    net.transport(address).send('n0', hs.packet);
  };
  for (let i = 0; net.sent.length < CAPTURE; i++) {
    if (net.sent.length >= FLOOD_FROM) {
      for (let k = 0; k < FLOOD_PER_TICK; k++, flooded++) spoofFrom(flood[flooded], flooded);
      // A newcomer every 4th tick: its first init meets the load, so it gets a cookie and sends a mac2 init.
      if (i % 4 === 0) makeNode(net, `newcomer-${i}`, nodeSuite, {}, SEED).manager.send(nodes[0].peer(), PayloadType.DATA, utf8(`hello ${i}`));
    }
    const a = rng.int(NAMES.length);
    const b = (a + 1 + rng.int(NAMES.length - 1)) % NAMES.length;
    nodes[a].manager.send(nodes[b].peer(), PayloadType.DATA, utf8(`m${i}`));
    clock.advance(3);
  }
  clock.advance(5_000);
  const datagrams = net.sent.slice(0, CAPTURE);
  const names = new Set(datagrams.map((d) => d.to).filter((to) => !to.startsWith('spoof-')));
  const headerKeys = new Map([...names].map((name) => [name, new SeededRng(`${SEED}/${name}`).fork('session').fork('header-key').bytes(32)]));
  return { datagrams, headerKeys };
}

function samples(datagrams: Datagram[]): Sample[] {
  // msg1 carries cI only encrypted: its stream is the cI of the response that answers it.
  const pendingInit = new Map<string, number[]>();
  const streams: string[] = [];
  datagrams.forEach((d, i) => {
    const label = d.label!;
    if (label.kind === 'cookie') {
      streams[i] = '';
      return;
    }
    if (label.kind === 'init') {
      const key = `${d.from}>${d.to}`;
      pendingInit.set(key, [...(pendingInit.get(key) ?? []), i]);
      streams[i] = '';
      return;
    }
    streams[i] = label.connIdHex!;
    if (label.kind === 'response') {
      const waiting = pendingInit.get(`${d.to}>${d.from}`) ?? [];
      for (const j of waiting.splice(0)) streams[j] = label.connIdHex!;
    }
  });
  return datagrams.map((d, i) => ({
    bytes: d.bytes,
    handshake: d.label!.kind !== 'data',
    cookie: d.label!.kind === 'cookie',
    mac2: d.label!.mac2 === true,
    extra: [d.from, d.to].some((a) => a.startsWith('spoof-') || a.startsWith('newcomer-')),
    stream: streams[i],
  }));
}

/**
 * The format before this change, from the same traffic: data = connId || seq || ciphertext (the header
 * unmasked); handshakes = connId || SEC 1 point || ciphertext (a mac2 init's trailer kept last); cookie
 * replies = connId || nonce || ciphertext (the hs-flood layout).
 */
function legacyView(s: Sample, d: Datagram, headerKeys: Map<string, Uint8Array>): Sample {
  const kind = d.label!.kind;
  const connId = Buffer.from(s.stream.padEnd(16, '0'), 'hex');
  if (kind === 'data') return { ...s, bytes: toggleHeaderMask(nodeSuite, headerKeys.get(d.to)!, d.bytes) };
  const out = new Uint8Array(DEFAULT_WIRE_SIZE);
  out.set(connId, 0);
  if (kind === 'cookie') {
    out.set(d.bytes.subarray(0, DEFAULT_WIRE_SIZE - 8), 8);
    return { ...s, bytes: out };
  }
  const esOffset = kind === 'init' ? 0 : DATA_HEADER_BYTES;
  const point = elligatorSquaredDecode(d.bytes.subarray(esOffset, esOffset + EPHEMERAL_FIELD_BYTES));
  out.set(point, 8);
  // Ciphertext (and any trailer) at the end, as in the old layout; the gap refilled with ciphertext bytes.
  const tail = d.bytes.subarray(esOffset + EPHEMERAL_FIELD_BYTES);
  out.set(tail.subarray(0, DEFAULT_WIRE_SIZE - 41 - tail.length), 41);
  out.set(tail, DEFAULT_WIRE_SIZE - tail.length);
  return { ...s, bytes: out };
}

/** Balanced train/test split of two classes (equal counts, alternate halves). */
function split<T>(positives: T[], negatives: T[], rng: SeededRng): { train: [T, boolean][]; test: [T, boolean][] } {
  const n = Math.min(positives.length, negatives.length);
  const pick = (xs: T[]) => shuffle(xs.slice(), rng).slice(0, n);
  const rows: [T, boolean][] = [...pick(positives).map((x) => [x, true] as [T, boolean]), ...pick(negatives).map((x) => [x, false] as [T, boolean])];
  shuffle(rows, rng);
  return { train: rows.slice(0, rows.length >> 1), test: rows.slice(rows.length >> 1) };
}

function shuffle<T>(xs: T[], rng: SeededRng): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/** Classifier A: Bernoulli Naive Bayes over the 768 bits of the first 64 and last 32 bytes (Laplace-smoothed). */
function naiveBayesAccuracy(train: [Uint8Array, boolean][], test: [Uint8Array, boolean][]): number {
  const BITS = (FEATURE_BYTES + TAIL_FEATURE_BYTES) * 8;
  const HEAD_BITS = FEATURE_BYTES * 8;
  const byteAt = (bytes: Uint8Array, k: number) => (k < HEAD_BITS ? bytes[k >> 3] : bytes[bytes.length - TAIL_FEATURE_BYTES + ((k - HEAD_BITS) >> 3)]);
  const bit = (bytes: Uint8Array, k: number) => (byteAt(bytes, k) >> (k & 7)) & 1;
  const ones = [new Float64Array(BITS).fill(1), new Float64Array(BITS).fill(1)];
  const totals = [0, 0];
  for (const [bytes, label] of train) {
    const c = label ? 0 : 1;
    totals[c]++;
    for (let k = 0; k < BITS; k++) ones[c][k] += bit(bytes, k);
  }
  const score = (bytes: Uint8Array, c: number) => {
    let s = Math.log(totals[c]);
    for (let k = 0; k < BITS; k++) {
      const p = ones[c][k] / (totals[c] + 2);
      s += Math.log(bit(bytes, k) ? p : 1 - p);
    }
    return s;
  };
  return test.filter(([bytes, label]) => (score(bytes, 0) > score(bytes, 1)) === label).length / test.length;
}

/** Classifier B: "same stream" iff the two packets agree in >= t of the first 64 byte positions, t fitted on train. */
function prefixEqualityAccuracy(train: [[Uint8Array, Uint8Array], boolean][], test: [[Uint8Array, Uint8Array], boolean][]): number {
  const agree = ([a, b]: [Uint8Array, Uint8Array]) => {
    let n = 0;
    for (let p = 0; p < FEATURE_BYTES; p++) n += Number(a[p] === b[p]);
    return n;
  };
  let best = { t: 0, acc: -1 };
  for (let t = 0; t <= FEATURE_BYTES; t++) {
    const acc = train.filter(([pair, same]) => (agree(pair) >= t) === same).length / train.length;
    if (acc > best.acc) best = { t, acc };
  }
  return test.filter(([pair, same]) => (agree(pair) >= best.t) === same).length / test.length;
}

function pairs(all: Sample[], rng: SeededRng, n: number): { same: [Uint8Array, Uint8Array][]; different: [Uint8Array, Uint8Array][] } {
  const real = all.filter((s) => !s.extra);
  const byStream = new Map<string, Sample[]>();
  for (const s of all) if (s.stream && !s.extra) byStream.set(s.stream, [...(byStream.get(s.stream) ?? []), s]);
  const streams = [...byStream.values()].filter((xs) => xs.length >= 2);
  const same: [Uint8Array, Uint8Array][] = [];
  const different: [Uint8Array, Uint8Array][] = [];
  while (same.length < n) {
    const xs = streams[rng.int(streams.length)];
    const i = rng.int(xs.length);
    const j = (i + 1 + rng.int(xs.length - 1)) % xs.length;
    same.push([xs[i].bytes, xs[j].bytes]);
    const a = real[rng.int(real.length)];
    const b = real[rng.int(real.length)];
    if (a.stream !== b.stream) different.push([a.bytes, b.bytes]);
  }
  return { same, different };
}

/** Chance plus 4 binomial standard deviations for `n` test cases (p = 0.5), plus 1 % slack. */
const chanceBound = (n: number) => 0.5 + 4 * Math.sqrt(0.25 / n) + 0.01;

describe('what a real observer sees: 10,000 captured datagrams', () => {
  const { datagrams, headerKeys } = capture();
  const current = samples(datagrams);
  const legacy = current.map((s, i) => legacyView(s, datagrams[i], headerKeys));

  it('the capture holds many handshakes and sessions, every datagram of one size, and the labels are right', () => {
    expect(datagrams).toHaveLength(CAPTURE);
    expect(new Set(datagrams.map((d) => d.bytes.length))).toEqual(new Set([DEFAULT_WIRE_SIZE]));
    const handshakes = current.filter((s) => s.handshake).length;
    expect(handshakes).toBeGreaterThan(300);
    // The flood phase: n0 answered with cookie replies, and its real peers came back with mac2 inits.
    const kinds = (f: (d: Datagram) => boolean) => datagrams.filter(f).length;
    expect(kinds((d) => d.label!.kind === 'cookie')).toBeGreaterThan(800);
    expect(kinds((d) => d.label!.kind === 'cookie' && d.to.startsWith('newcomer-'))).toBeGreaterThan(150);
    expect(kinds((d) => d.label!.mac2 === true)).toBeGreaterThan(150);
    expect(new Set(current.map((s) => s.stream)).size).toBeGreaterThan(100);
    // The harness's header keys are the nodes' own: unmasking gives the connId the receiver labelled.
    const d = datagrams.find((x) => x.label!.kind === 'data')!;
    expect(toHex(toggleHeaderMask(nodeSuite, headerKeys.get(d.to)!, d.bytes).subarray(0, 8))).toBe(d.label!.connIdHex);
  });

  it.each([
    ['current', () => current, false],
    ['legacy (connId, seq, SEC 1 point in clear)', () => legacy, true],
  ] as const)('A: Naive Bayes on byte positions tells handshake from data: %s format', (_name, view, separable) => {
    const rng = new SeededRng(`${SEED}/A`);
    const all = view();
    const { train, test } = split(all.filter((s) => s.handshake).map((s) => s.bytes), all.filter((s) => !s.handshake).map((s) => s.bytes), rng);
    const accuracy = naiveBayesAccuracy(train, test);
    if (separable) expect(accuracy).toBeGreaterThan(0.95);
    else expect(accuracy).toBeLessThan(chanceBound(test.length));
  });

  it.each([
    ['cookie replies', 'current', (s: Sample) => s.cookie, () => current, false],
    ['cookie replies', 'legacy (connId and nonce in clear)', (s: Sample) => s.cookie, () => legacy, true],
    ['mac2 inits', 'current', (s: Sample) => s.mac2, () => current, false],
    ['mac2 inits', 'legacy (connId, SEC 1 point in clear)', (s: Sample) => s.mac2, () => legacy, true],
  ] as const)('A2: Naive Bayes tells %s from data: %s format', (_kind, _name, isKind, view, separable) => {
    const rng = new SeededRng(`${SEED}/A2`);
    const all = view();
    const { train, test } = split(all.filter(isKind).map((s) => s.bytes), all.filter((s) => !s.handshake).map((s) => s.bytes), rng);
    expect(test.length).toBeGreaterThan(150);
    const accuracy = naiveBayesAccuracy(train, test);
    if (separable) expect(accuracy).toBeGreaterThan(0.95);
    else expect(accuracy).toBeLessThan(chanceBound(test.length));
  });

  it.each([
    ['current', () => current, false],
    ['legacy (connId, seq, SEC 1 point in clear)', () => legacy, true],
  ] as const)('B: prefix equality links two packets to one session direction: %s format', (_name, view, separable) => {
    const rng = new SeededRng(`${SEED}/B`);
    const { same, different } = pairs(view(), rng, 3_000);
    const { train, test } = split(same, different, rng);
    const accuracy = prefixEqualityAccuracy(train, test);
    if (separable) expect(accuracy).toBeGreaterThan(0.95);
    else expect(accuracy).toBeLessThan(chanceBound(test.length));
  });
});
