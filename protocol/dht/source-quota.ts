/**
 * Per-source quotas of a record store: how many held records each storing NodeID and each storing host put
 * there. NodeIDs are free to mint (a self-signed binding needs only a fresh key pair), so the host quota is the
 * one that binds an attacker with few addresses; the NodeID quota keeps one identity from taking a whole host's
 * share when honest nodes share an IP (NAT). A record is charged to whoever first stored it, for as long as it
 * is held: updates, refreshes and merges by others do not move the charge. Records we put ourselves (our own
 * publications, replication) are charged to nobody.
 */
import { MAX_RECORDS_PER_HOST, MAX_RECORDS_PER_PEER } from './constants.ts';

/** Who asked us to store a record: the requester's DHT key (hex) and its address's host (address-host.ts). */
export interface RecordSource {
  readonly peer: string;
  readonly host: string;
}

export type QuotaRefusal = 'peer-quota' | 'host-quota';

export interface SourceQuotaInit {
  maxRecordsPerPeer?: number;
  maxRecordsPerHost?: number;
}

export class SourceQuota {
  private readonly bySlot = new Map<string, RecordSource>();
  private readonly perPeer = new Map<string, number>();
  private readonly perHost = new Map<string, number>();
  private readonly maxPerPeer: number;
  private readonly maxPerHost: number;

  constructor(init: SourceQuotaInit = {}) {
    this.maxPerPeer = init.maxRecordsPerPeer ?? MAX_RECORDS_PER_PEER;
    this.maxPerHost = init.maxRecordsPerHost ?? MAX_RECORDS_PER_HOST;
  }

  /** Why `source` may not add a record now, or undefined when it may. */
  refusal(source: RecordSource): QuotaRefusal | undefined {
    if ((this.perPeer.get(source.peer) ?? 0) >= this.maxPerPeer) return 'peer-quota';
    if ((this.perHost.get(source.host) ?? 0) >= this.maxPerHost) return 'host-quota';
    return undefined;
  }

  /** Records held for `source` now (for tests and stats). */
  held(source: Partial<RecordSource>): { peer: number; host: number } {
    return { peer: this.perPeer.get(source.peer ?? '') ?? 0, host: this.perHost.get(source.host ?? '') ?? 0 };
  }

  charge(slot: string, source: RecordSource): void {
    this.release(slot);
    this.bySlot.set(slot, source);
    this.perPeer.set(source.peer, (this.perPeer.get(source.peer) ?? 0) + 1);
    this.perHost.set(source.host, (this.perHost.get(source.host) ?? 0) + 1);
  }

  /** Frees the slot's charge, if any (the record was deleted, expired or evicted). */
  release(slot: string): void {
    const source = this.bySlot.get(slot);
    if (source === undefined) return;
    this.bySlot.delete(slot);
    decrement(this.perPeer, source.peer);
    decrement(this.perHost, source.host);
  }
}

function decrement(counts: Map<string, number>, id: string): void {
  const n = (counts.get(id) ?? 0) - 1;
  if (n <= 0) counts.delete(id);
  else counts.set(id, n);
}
