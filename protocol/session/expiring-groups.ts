/**
 * Values remembered for a fixed time, at most `capacity` of them, each in a group that can be looked up (e.g.
 * the one-shot queries pending towards an address). Like ExpiringSet: one lifetime for all, so insertion order is
 * expiry order and pruning looks only at the oldest entries; when full, the oldest entry is evicted.
 */
interface Entry<V> {
  readonly value: V;
  readonly group: string;
  readonly expiresAtMs: number;
}

export class ExpiringGroups<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly groups = new Map<string, string[]>();
  /** Entries dropped to make room (their owners learn nothing; callers count them if it matters). */
  evicted = 0;

  constructor(
    private readonly lifetimeMs: number,
    private readonly capacity: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Remembers `value` under the unique `id` in `group` until now + lifetime, evicting the oldest when full. */
  add(id: string, group: string, value: V, nowMs: number): void {
    this.prune(nowMs);
    this.delete(id);
    if (this.entries.size >= this.capacity) {
      this.delete(this.entries.keys().next().value!);
      this.evicted++;
    }
    this.entries.set(id, { value, group, expiresAtMs: nowMs + this.lifetimeMs });
    const ids = this.groups.get(group);
    if (ids) ids.push(id);
    else this.groups.set(group, [id]);
  }

  get(id: string, nowMs: number): V | undefined {
    this.prune(nowMs);
    return this.entries.get(id)?.value;
  }

  /** The group's live entries, oldest first, with their ids. */
  inGroup(group: string, nowMs: number): Array<[string, V]> {
    this.prune(nowMs);
    return (this.groups.get(group) ?? []).map((id) => [id, this.entries.get(id)!.value]);
  }

  delete(id: string): boolean {
    const entry = this.entries.get(id);
    if (entry === undefined) return false;
    this.entries.delete(id);
    const ids = this.groups.get(entry.group)!;
    ids.splice(ids.indexOf(id), 1);
    if (ids.length === 0) this.groups.delete(entry.group);
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.groups.clear();
  }

  private prune(nowMs: number): void {
    for (const [id, entry] of this.entries) {
      if (entry.expiresAtMs > nowMs) break;
      this.delete(id);
    }
  }
}
