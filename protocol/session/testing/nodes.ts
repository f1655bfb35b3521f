/** Builds SessionManagers on a Loopback for tests and benchmarks. */
import type { CryptoSuite, KeyPair } from '../../crypto/suite.ts';
import { PayloadType } from '../../packet/payload-type.ts';
import { SeededRng } from '../../runtime/seeded-rng.ts';
import type { SessionConfig } from '../constants.ts';
import { SessionManager, type SessionMessage } from '../session-manager.ts';
import type { Peer } from '../session.ts';
import type { Loopback } from './loopback.ts';

export interface TestNode {
  readonly address: string;
  readonly manager: SessionManager;
  /** Replace to rotate the NodeID; the manager reads it through `identity()`. */
  key: KeyPair;
  /** The peer record another node uses to reach this one with its current key. */
  peer(): Peer;
  /** Every DATA message delivered, in order. */
  readonly inbox: SessionMessage[];
}

export function makeNode(net: Loopback, address: string, suite: CryptoSuite, config: Partial<SessionConfig> = {}, seed = 'test'): TestNode {
  const rng = new SeededRng(`${seed}/${address}`);
  // identity() is first called after `node` exists, so the closure may refer to it.
  const manager = new SessionManager(
    { transport: net.transport(address), clock: net.clock, rng: rng.fork('session'), suite, identity: () => node.key },
    config,
  );
  const node: TestNode = {
    address,
    manager,
    key: suite.generateKeyPair(rng.fork('identity')),
    peer: () => ({ address, nodePub: node.key.publicKey }),
    inbox: [],
  };
  manager.onMessage(PayloadType.DATA, (msg) => node.inbox.push(msg));
  net.probes.set(address, (bytes, from) => manager.probe(bytes, from));
  return node;
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
