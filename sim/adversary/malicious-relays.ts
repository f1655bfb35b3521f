/**
 * Partial adversaries beside Eve (issue 9): a fraction of relays is malicious and shares what it sees on the
 * circuits through it: its predecessor and successor, and cell timing. They run the honest protocol (no special
 * case in honest code); the observer learns each user circuit's path from the origin's 'circuit-built' event,
 * which is exactly what the colluding relays on it could piece together.
 *
 * - adversarialCircuitFraction: user circuits with at least one malicious relay (it learns part of the path).
 * - deanonymisedCircuitShare: user circuits whose first AND last hop are malicious: the first sees the user's
 *   address, the last the introduction/rendezvous/mailbox end, and timing links the two (Tor's end-to-end
 *   correlation by guard + exit).
 */
import type { MessengerPeer } from '../../protocol/messenger/messenger.ts';
import type { Rng } from '../../protocol/runtime/rng.ts';

export interface RelayAdversaryFigures {
  maliciousRelayFraction: number;
  maliciousRelays: number;
  userCircuits: number;
  adversarialCircuitFraction: number | null;
  deanonymisedCircuitShare: number | null;
  /** Users with at least one deanonymised circuit over the run. */
  usersWithDeanonymisedCircuit: number;
}

export class RelayAdversary {
  readonly malicious: Set<string>;
  private circuits = 0;
  private touched = 0;
  private deanonymised = 0;
  private readonly exposedUsers = new Set<number>();

  constructor(
    rng: Rng,
    candidates: readonly number[],
    names: readonly string[],
    private readonly fraction: number,
  ) {
    const pool = [...candidates];
    const count = Math.round(fraction * pool.length);
    for (let i = 0; i < count; i++) {
      const j = i + rng.int(pool.length - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    this.malicious = new Set(pool.slice(0, count).map((i) => names[i]));
  }

  /** A circuit user `user` built through `path` (addresses are node names in the simulator). */
  circuitBuilt(user: number, path: readonly MessengerPeer[]): void {
    if (path.length === 0) return;
    this.circuits++;
    const bad = path.map((p) => this.malicious.has(p.address));
    if (bad.some(Boolean)) this.touched++;
    if (bad[0] && bad[bad.length - 1]) {
      this.deanonymised++;
      this.exposedUsers.add(user);
    }
  }

  figures(): RelayAdversaryFigures {
    return {
      maliciousRelayFraction: this.fraction,
      maliciousRelays: this.malicious.size,
      userCircuits: this.circuits,
      adversarialCircuitFraction: this.circuits ? this.touched / this.circuits : null,
      deanonymisedCircuitShare: this.circuits ? this.deanonymised / this.circuits : null,
      usersWithDeanonymisedCircuit: this.exposedUsers.size,
    };
  }
}
