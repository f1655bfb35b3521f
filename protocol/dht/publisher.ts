/**
 * The original publisher's side of §2.5: records this node published itself are produced afresh and stored
 * again every `republishIntervalMs` (bindings are re-signed with a new issuedAtMs, so they never lapse while
 * the node lives). Holders' hourly re-replication is the record store's job; this is the owner's.
 */
import type { Clock, TimerId } from '../runtime/clock.ts';
import { REPUBLISH_INTERVAL_MS } from './constants.ts';
import type { DhtKey } from './keys.ts';
import type { DhtRecord } from './types.ts';

export interface Publication {
  key: DhtKey;
  record: DhtRecord;
}

export interface PublisherComponents {
  clock: Clock;
  /** Stores `publication` at the k closest nodes (DhtNode.store). */
  publish(publication: Publication): void;
}

export interface PublisherInit {
  republishIntervalMs?: number;
}

interface Entry {
  produce: () => Publication;
  intervalMs: number;
  timer: TimerId;
}

export class Publisher {
  private readonly entries = new Map<string, Entry>();
  private readonly republishIntervalMs: number;

  constructor(
    private readonly components: PublisherComponents,
    init: PublisherInit = {},
  ) {
    this.republishIntervalMs = init.republishIntervalMs ?? REPUBLISH_INTERVAL_MS;
  }

  /**
   * Registers (or replaces) publication `id`, republished every `intervalMs` (default republishIntervalMs).
   * The first publication is the caller's; this only schedules the repeats.
   */
  add(id: string, produce: () => Publication, intervalMs = this.republishIntervalMs): void {
    this.remove(id);
    const entry: Entry = { produce, intervalMs, timer: 0 };
    const tick = (): void => {
      this.components.publish(entry.produce());
      entry.timer = this.components.clock.setTimer(entry.intervalMs, tick);
    };
    entry.timer = this.components.clock.setTimer(intervalMs, tick);
    this.entries.set(id, entry);
  }

  remove(id: string): boolean {
    const entry = this.entries.get(id);
    if (entry === undefined) return false;
    this.components.clock.cancelTimer(entry.timer);
    return this.entries.delete(id);
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  stop(): void {
    for (const id of [...this.entries.keys()]) this.remove(id);
  }
}
