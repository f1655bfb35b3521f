/**
 * What the eclipse attacker's nodes share: who is on the team (malicious entries and colluders), whom they are
 * attacking (targets), and from when. One object per run, read by every malicious node's handler table
 * (malicious-entry.ts, colluder.ts): a coordinated attacker, as a real one would be.
 *
 * Targets are recognised by what a newcomer visibly does, not by an oracle: it sends GET_ONLINE (a cross-checking
 * newcomer), or it sends FIND_NODE for its own key (the self lookup every Kademlia bootstrap starts with).
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { compareDistance, keysEqual, type DhtKey } from '../../protocol/dht/keys.ts';
import type { Contact, PeerRef } from '../../protocol/dht/types.ts';

export interface AttackerStats {
  /** Distinct peers the attacker lied to. */
  targets: number;
  /** GET_ONLINE answered with colluders. */
  onlineLies: number;
  /** FIND_NODE / FIND_VALUE answered with colluders instead of the honest answer. */
  routingLies: number;
  /** CONFIRM answered (colluders exist, nobody else). */
  confirmLies: number;
  /** Requests colluders left unanswered because they came from outside the attack. */
  ignored: number;
  /** Self-reports sent to wipe reports about a malicious entry, and what holders answered (by STORE_ACK status). */
  wipeAttempts: number;
  wipeAcks: Record<string, number>;
  /** Flawed-entry reports about the attacker's entries that report-key Sybils accepted and dropped. */
  reportsDropped: number;
}

export class Attacker {
  readonly stats: AttackerStats = { targets: 0, onlineLies: 0, routingLies: 0, confirmLies: 0, ignored: 0, wipeAttempts: 0, wipeAcks: {}, reportsDropped: 0 };
  /** Hex keys under which reports about the attacker's entries are stored (report-key Sybils drop them). */
  readonly protectedReportKeys = new Set<string>();
  private readonly colluderContacts: Contact[] = [];
  private readonly members = new Set<string>();
  private readonly entryMembers = new Set<string>();
  private readonly targets = new Set<string>();

  constructor(
    private readonly now: () => number,
    /** Malicious entries behave honestly before this time (the honest network forms first). */
    readonly attackFromMs: number,
  ) {}

  get active(): boolean {
    return this.now() >= this.attackFromMs;
  }

  addColluder(contact: Contact): void {
    this.colluderContacts.push(contact);
    this.members.add(bytesToHex(contact.nodePub));
  }

  addEntry(nodePub: Uint8Array): void {
    this.members.add(bytesToHex(nodePub));
    this.entryMembers.add(bytesToHex(nodePub));
  }

  isMalicious(nodePub: Uint8Array): boolean {
    return this.members.has(bytesToHex(nodePub));
  }

  isMaliciousEntry(nodePub: Uint8Array): boolean {
    return this.entryMembers.has(bytesToHex(nodePub));
  }

  get colluders(): readonly Contact[] {
    return this.colluderContacts;
  }

  markTarget(peer: Contact): void {
    const id = bytesToHex(peer.key);
    if (this.targets.has(id) || this.isMalicious(peer.nodePub)) return;
    this.targets.add(id);
    this.stats.targets++;
  }

  isTarget(peer: Contact): boolean {
    return this.targets.has(bytesToHex(peer.key));
  }

  /** A FIND_NODE for the asker's own key is a bootstrap's self lookup: the asker is joining. */
  noteFindNode(from: Contact, target: DhtKey): void {
    if (this.active && keysEqual(from.key, target)) this.markTarget(from);
  }

  /** Whether colluders answer `from`: team mates and targets only, so colluders stay unknown to honest nodes. */
  answers(from: Contact): boolean {
    return this.isMalicious(from.nodePub) || this.isTarget(from);
  }

  /** The `n` colluders closest to `target` (a lookup then sees a plausible, converging answer). */
  colludersClosestTo(target: DhtKey, n: number, exclude?: DhtKey): PeerRef[] {
    return this.colluderContacts
      .filter((c) => exclude === undefined || !keysEqual(c.key, exclude))
      .sort((a, b) => compareDistance(target, a.key, b.key))
      .slice(0, n)
      .map((c) => ({ address: c.address, nodePub: c.nodePub }));
  }
}
