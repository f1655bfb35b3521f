/**
 * Iterative parallel node lookup (Kademlia §2.3), in the continuous form js-libp2p and most implementations use:
 * keep up to `alpha` queries in flight, always to the closest not-yet-queried candidates among the `k` closest
 * known non-failed ones, and finish when those k closest have all answered (or failed). When a reply brings no
 * closer node, the next queries simply go to the remaining unqueried nodes among the k closest, which is the
 * paper's "no closer node found -> query all k closest not yet queried" rule; so the two stopping conditions
 * coincide. FIND_VALUE mode stops at the first valid value. A query budget bounds every lookup.
 *
 * Hop count. Every candidate carries `depth`: 0 for the seeds (from our own routing table, known without
 * asking anyone), and d + 1 for a contact first learned from the reply of a depth-d candidate. Then:
 *  - FIND_NODE, target found: hops = depth of the target (0 = it was already in our table; 1 = a node we knew
 *    returned it; ...), i.e. the number of sequential replies needed to learn the target's contact.
 *  - FIND_NODE, target absent: hops = the largest depth in the final closest set (the depth at which the final
 *    set was complete).
 *  - FIND_VALUE, found: hops = depth of the holder that returned the value + 1 (the sequential round trips
 *    including the one that returned the value); 0 when our own store had it.
 * `messages` counts the requests the lookup sent.
 */
import { ALPHA, K, MAX_LOOKUP_QUERIES } from './constants.ts';
import { bytesEqual, compareDistance, keyToHex, type DhtKey } from './keys.ts';
import type { Contact, DhtRecord, PeerRef } from './types.ts';

/** What one queried contact told us. */
export type QueryOutcome =
  | { kind: 'nodes'; contacts: readonly PeerRef[] }
  | { kind: 'value'; record: DhtRecord }
  /** No reply, or a reply that failed validation (already counted by the caller). */
  | { kind: 'failed' }
  /** Not asked: our own limits refused the contact (counted by the caller). Out of the lookup, but not held
   * against the contact (no onFailure): the refusal says nothing about it. */
  | { kind: 'skipped' };

export interface LookupComponents {
  /** SHA-256 of a nodePub: contacts' keys are always derived locally. */
  keyOf(nodePub: Uint8Array): DhtKey;
  /** Sends FIND_NODE or FIND_VALUE for the lookup's target to `contact`; `cb` must run exactly once. */
  query(contact: Contact, cb: (outcome: QueryOutcome) => void): void;
  /** Called for every contact that answered (the node adds it to its routing table). */
  onResponse?(contact: Contact): void;
  /** Called for every contact that failed (the node counts it towards eviction). */
  onFailure?(contact: Contact): void;
}

export interface LookupInit {
  selfKey: DhtKey;
  target: DhtKey;
  mode: 'node' | 'value';
  k?: number;
  alpha?: number;
  maxQueries?: number;
}

export interface LookupResult {
  target: DhtKey;
  /** Up to k closest contacts that answered, closest first. */
  closest: Contact[];
  /** The target itself, when a contact with exactly the target key answered. */
  found?: Contact;
  /** FIND_VALUE: the first valid value and who returned it. */
  value?: { record: DhtRecord; holder: Contact };
  hops: number;
  messages: number;
  responses: number;
  failures: number;
}

type State = 'new' | 'pending' | 'answered' | 'failed';

interface Candidate {
  contact: Contact;
  depth: number;
  state: State;
}

export class Lookup {
  private readonly k: number;
  private readonly alpha: number;
  private readonly maxQueries: number;
  private readonly target: DhtKey;
  private readonly selfKey: DhtKey;
  private readonly mode: 'node' | 'value';
  /** Sorted by distance to the target, closest first. */
  private readonly shortlist: Candidate[] = [];
  private readonly seen = new Set<string>();
  private inFlight = 0;
  private messages = 0;
  private responses = 0;
  private failures = 0;
  private done = false;
  private started = false;
  private value: LookupResult['value'];
  private valueDepth = 0;

  constructor(
    private readonly components: LookupComponents,
    init: LookupInit,
  ) {
    this.k = init.k ?? K;
    this.alpha = init.alpha ?? ALPHA;
    this.maxQueries = init.maxQueries ?? MAX_LOOKUP_QUERIES;
    this.target = init.target;
    this.selfKey = init.selfKey;
    this.mode = init.mode;
  }

  /** Runs the lookup from `seeds` (our k closest). `cb` runs once, when the lookup ends. */
  start(seeds: readonly Contact[], cb: (result: LookupResult) => void): void {
    if (this.started) throw new Error('Lookup.start called twice');
    this.started = true;
    this.cb = cb;
    for (const s of seeds) this.consider(s, 0);
    this.pump();
  }

  private cb: (result: LookupResult) => void = () => {};

  private consider(contact: Contact, depth: number): void {
    if (bytesEqual(contact.key, this.selfKey)) return;
    const id = keyToHex(contact.key);
    if (this.seen.has(id)) return;
    this.seen.add(id);
    const cand: Candidate = { contact, depth, state: 'new' };
    // Binary search for the insertion point keeps the shortlist sorted.
    let lo = 0;
    let hi = this.shortlist.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareDistance(this.target, this.shortlist[mid].contact.key, contact.key) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.shortlist.splice(lo, 0, cand);
  }

  /** Fills free query slots from the k closest non-failed candidates; finishes when nothing is left to do. */
  private pump(): void {
    if (this.done) return;
    let considered = 0;
    for (const cand of this.shortlist) {
      if (cand.state === 'failed') continue;
      if (considered++ >= this.k) break;
      if (cand.state !== 'new') continue;
      if (this.inFlight >= this.alpha || this.messages >= this.maxQueries) break;
      this.send(cand);
    }
    if (this.inFlight === 0) this.finish();
  }

  private send(cand: Candidate): void {
    cand.state = 'pending';
    this.inFlight++;
    this.messages++;
    this.components.query(cand.contact, (outcome) => this.onOutcome(cand, outcome));
  }

  private onOutcome(cand: Candidate, outcome: QueryOutcome): void {
    this.inFlight--;
    if (this.done) return;
    if (outcome.kind === 'failed' || outcome.kind === 'skipped') {
      cand.state = 'failed';
      this.failures++;
      if (outcome.kind === 'failed') this.components.onFailure?.(cand.contact);
      this.pump();
      return;
    }
    cand.state = 'answered';
    this.responses++;
    this.components.onResponse?.(cand.contact);
    if (outcome.kind === 'value') {
      if (this.mode === 'value') {
        this.value = { record: outcome.record, holder: cand.contact };
        this.valueDepth = cand.depth + 1;
        this.finish();
        return;
      }
    } else {
      for (const peer of outcome.contacts) {
        const key = this.components.keyOf(peer.nodePub);
        this.consider({ key, nodePub: peer.nodePub, address: peer.address, lastSeenMs: 0 }, cand.depth + 1);
      }
    }
    this.pump();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    const closest: Contact[] = [];
    let maxDepth = 0;
    for (const cand of this.shortlist) {
      if (cand.state !== 'answered') continue;
      closest.push(cand.contact);
      maxDepth = Math.max(maxDepth, cand.depth);
      if (closest.length >= this.k) break;
    }
    const first = this.shortlist.find((c) => c.state === 'answered');
    const found = first !== undefined && bytesEqual(first.contact.key, this.target) ? first : undefined;
    const hops = this.value !== undefined ? this.valueDepth : found !== undefined ? found.depth : maxDepth;
    this.cb({
      target: this.target,
      closest,
      found: found?.contact,
      value: this.value,
      hops,
      messages: this.messages,
      responses: this.responses,
      failures: this.failures,
    });
  }
}
