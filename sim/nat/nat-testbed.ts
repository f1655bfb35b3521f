/**
 * A small simulated network of nodes that each run SessionManager + NatService over a PunchPort, for the NAT
 * traversal tests. Everything derives from one seed (identities, nonces, padding, link jitter), so a failing
 * run reproduces exactly; `sim.trace.hash()` fingerprints the whole run.
 */
import { fastestSuite } from '../../protocol/crypto/select-suite.ts';
import type { KeyPair } from '../../protocol/crypto/suite.ts';
import type { NatConfig } from '../../protocol/nat/constants.ts';
import { NatService } from '../../protocol/nat/nat-service.ts';
import { PunchPort } from '../../protocol/nat/punch-port.ts';
import type { SessionConfig } from '../../protocol/session/constants.ts';
import { SessionManager } from '../../protocol/session/session-manager.ts';
import type { Peer } from '../../protocol/session/session.ts';
import { Simulator } from '../engine/simulator.ts';
import { SimNetwork } from '../network/sim-network.ts';
import type { NatType, NetworkConfig } from '../network/types.ts';

export interface NatTestNode {
  readonly name: string;
  readonly identity: KeyPair;
  readonly port: PunchPort;
  readonly sessions: SessionManager;
  readonly nat: NatService;
  /** This node under its own name (how a public node is reached). */
  readonly peer: Peer;
}

export interface NatTestbedInit {
  seed: string | number;
  network?: Partial<NetworkConfig>;
  nat?: Partial<NatConfig>;
  session?: Partial<SessionConfig>;
}

export class NatTestbed {
  readonly sim: Simulator;
  readonly net: SimNetwork;
  readonly suite = fastestSuite();
  readonly nodes = new Map<string, NatTestNode>();

  constructor(private readonly init: NatTestbedInit) {
    this.sim = new Simulator({ seed: init.seed });
    this.net = new SimNetwork(this.sim, { latency: { meanMs: 20, jitterMs: 5, distribution: 'uniform' }, ...init.network });
  }

  add(name: string, nat: NatType = 'none', natConfig: Partial<NatConfig> = {}): NatTestNode {
    const { sim, suite } = this;
    const transport = this.net.addNode(name, { nat });
    const rng = sim.rng(`node/${name}`);
    const identity = suite.generateKeyPair(rng.fork('identity'));
    const port = new PunchPort(transport);
    const clock = sim.clock(name);
    const sessions = new SessionManager({ transport: port, clock, rng: rng.fork('session'), suite, identity: () => identity }, this.init.session);
    const natService = new NatService(
      { sessions, port, clock, rng: rng.fork('nat'), suite, identity: () => identity },
      { ...this.init.nat, ...natConfig },
    );
    const node: NatTestNode = { name, identity, port, sessions, nat: natService, peer: { address: name, nodePub: identity.publicKey } };
    this.nodes.set(name, node);
    return node;
  }

  /**
   * A node with sessions but no NatService: tests give it their own NAT message handler (a lying rendezvous,
   * a spoofer). Malicious nodes are protocol nodes with a different policy, not branches in honest code.
   */
  addRaw(name: string, nat: NatType = 'none'): Omit<NatTestNode, 'nat'> {
    const { sim, suite } = this;
    const transport = this.net.addNode(name, { nat });
    const rng = sim.rng(`node/${name}`);
    const identity = suite.generateKeyPair(rng.fork('identity'));
    const port = new PunchPort(transport);
    const sessions = new SessionManager({ transport: port, clock: sim.clock(name), rng: rng.fork('session'), suite, identity: () => identity }, this.init.session);
    return { name, identity, port, sessions, peer: { address: name, nodePub: identity.publicKey } };
  }

  /** Runs the simulation until `done()` or `maxMs` of virtual time pass from now. */
  runFor(maxMs: number, done: () => boolean = () => false): void {
    this.sim.runWhile(() => !done(), this.sim.now() + maxMs);
  }

  /** Calls `start(cb)` and runs until cb fires (or maxMs); returns the value or throws. */
  await<T>(start: (cb: (value: T) => void) => void, maxMs = 30_000): T {
    let result: { value: T } | undefined;
    start((value) => {
      result = { value };
    });
    this.runFor(maxMs, () => result !== undefined);
    if (result === undefined) throw new Error(`no callback within ${maxMs} ms of virtual time`);
    return result.value;
  }
}
