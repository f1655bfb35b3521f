import type { Rng } from '../../../protocol/runtime/rng.ts';

/**
 * A set of small integers with O(1) add, delete and uniform random pick (dense array + position map; delete
 * swaps the last element in). Iteration order depends only on the sequence of operations, so picks are
 * reproducible from the seed.
 */
export class IndexSet {
  private readonly items: number[] = [];
  private readonly position = new Map<number, number>();

  get size(): number {
    return this.items.length;
  }

  has(i: number): boolean {
    return this.position.has(i);
  }

  add(i: number): void {
    if (this.position.has(i)) return;
    this.position.set(i, this.items.length);
    this.items.push(i);
  }

  delete(i: number): void {
    const at = this.position.get(i);
    if (at === undefined) return;
    const last = this.items.pop()!;
    this.position.delete(i);
    if (last !== i) {
      this.items[at] = last;
      this.position.set(last, at);
    }
  }

  values(): readonly number[] {
    return this.items;
  }

  /**
   * A uniform member for which `accept` holds, or undefined. Rejection sampling with a bounded number of tries,
   * then a scan, so a set whose members are mostly rejected still answers.
   */
  pick(rng: Rng, accept: (i: number) => boolean = () => true): number | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    for (let tries = 0; tries < 32; tries++) {
      const i = this.items[rng.int(n)];
      if (accept(i)) return i;
    }
    const ok = this.items.filter(accept);
    return ok.length === 0 ? undefined : ok[rng.int(ok.length)];
  }

  /** Up to `count` distinct uniform members for which `accept` holds. */
  sample(rng: Rng, count: number, accept: (i: number) => boolean = () => true): number[] {
    const ok = this.items.filter(accept);
    for (let j = 0; j < Math.min(count, ok.length); j++) {
      const r = j + rng.int(ok.length - j);
      [ok[j], ok[r]] = [ok[r], ok[j]];
    }
    return ok.slice(0, Math.min(count, ok.length));
  }
}
