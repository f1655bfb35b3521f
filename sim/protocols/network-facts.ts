/**
 * What a driver knows about its network at the end of a run, for the report's `network` view
 * (sim/observers/network-view.ts samples it). Every id is a tap address: a host named by its node name, NAT
 * ports dropped (sim/eve/README.md "Addresses"), so the dashboard can join the view with Eve's rankings.
 */
import type { MessengerPeer } from '../../protocol/messenger/messenger.ts';
import type { ParatoxNode } from '../../protocol/node/paratox-node.ts';

export interface NodeFact {
  id: string;
  /** 'entry', 'peer', 'user', 'colluder', 'victim', ... (the driver's roles). */
  role: string;
  malicious: boolean;
}

export interface CircuitFact {
  id: string;
  user: string;
  /** First hop first. */
  hops: string[];
}

export interface NetworkFacts {
  /** Every node of the run. */
  nodes: readonly NodeFact[];
  /** Hosts node `id` had a session with (or, in plain ping runs, pinged) at the end. */
  peersOf(id: string): readonly string[];
  /** The most recent circuits users built, oldest first (at most CircuitLog's capacity). */
  circuits: readonly CircuitFact[];
}

/** The host of an address: `n3:2` (a symmetric NAT's port) is host `n3`, as in the tap. */
export function hostOf(address: string): string {
  const colon = address.indexOf(':');
  return colon < 0 ? address : address.slice(0, colon);
}

/** Distinct hosts `node` has a session it can send on with now. */
export function sessionHosts(node: ParatoxNode | undefined): string[] {
  if (!node) return [];
  return [...new Set(node.sessions.activePeers().map((p) => hostOf(p.address)))];
}

/** Keeps the `capacity` most recent circuits (a ring): bounded whatever the run's length. */
export class CircuitLog {
  private readonly recent: CircuitFact[] = [];
  private readonly builtBy = new Map<string, number>();

  constructor(private readonly capacity = 10) {}

  record(user: string, path: readonly MessengerPeer[]): void {
    const n = (this.builtBy.get(user) ?? 0) + 1;
    this.builtBy.set(user, n);
    this.recent.push({ id: `${user}/c${n}`, user, hops: path.map((p) => hostOf(p.address)) });
    if (this.recent.length > this.capacity) this.recent.shift();
  }

  get circuits(): readonly CircuitFact[] {
    return this.recent;
  }
}
