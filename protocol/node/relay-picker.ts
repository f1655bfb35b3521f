/**
 * Chooses relays for circuits, introduction and rendezvous points from the node's DHT view (its routing table).
 * 'uniform' draws every relay at random; 'guard' keeps one first hop per node while it stays in the table (Tor's
 * entry guards: an adversary relay then sees a given user's circuits from the first hop all or never).
 */
import { bytesEqual } from '../dht/keys.ts';
import type { RoutingTable } from '../dht/routing-table.ts';
import type { MessengerPeer } from '../messenger/messenger.ts';
import type { Rng } from '../runtime/rng.ts';

export type RelaySelection = 'uniform' | 'guard';

export class RelayPicker {
  private guard?: MessengerPeer;

  constructor(
    private readonly table: () => RoutingTable,
    private readonly self: () => Uint8Array,
    private readonly rng: Rng,
    private readonly selection: RelaySelection = 'uniform',
    /**
     * Path length. A request for `hops` relays, or for the `hops - 1` that precede a chosen last hop (how
     * protocol/account builds paths to intro and rendezvous points), is a circuit prefix: its first relay is the
     * guard. Single picks (intro and rendezvous points themselves) never are, so 'guard' needs hops >= 3.
     */
    private readonly hops = 3,
  ) {}

  /** Up to `count` distinct relays, none of them this node or in `exclude`; fewer when the view is small. */
  pick(count: number, exclude: readonly Uint8Array[] = []): MessengerPeer[] {
    const banned = [this.self(), ...exclude];
    const candidates = this.table()
      .contacts()
      .filter((c) => !banned.some((b) => bytesEqual(b, c.nodePub)))
      .map((c) => ({ address: c.address, nodePub: c.nodePub }));
    const out: MessengerPeer[] = [];
    if (this.selection === 'guard' && count >= 2 && (count === this.hops || count === this.hops - 1)) {
      const guard = this.currentGuard(candidates);
      if (guard) out.push(guard);
    }
    const pool = candidates.filter((c) => !out.some((o) => bytesEqual(o.nodePub, c.nodePub)));
    // Partial Fisher-Yates: `count` draws from the injected stream, reproducible from the seed.
    for (let i = 0; i < pool.length && out.length < count; i++) {
      const j = i + this.rng.int(pool.length - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
      out.push(pool[i]);
    }
    return out;
  }

  private currentGuard(candidates: readonly MessengerPeer[]): MessengerPeer | undefined {
    const g = this.guard;
    if (g && candidates.some((c) => bytesEqual(c.nodePub, g.nodePub))) return g;
    this.guard = candidates.length ? candidates[this.rng.int(candidates.length)] : undefined;
    return this.guard;
  }
}
