/**
 * SessionManagers behind LinkShapers on a Loopback (tests only), with a tap that records every datagram the
 * network carries and when: what a global passive observer sees of each link.
 */
import { nodeSuite } from '../../crypto/node-suite.ts';
import type { KeyPair } from '../../crypto/suite.ts';
import { PayloadType } from '../../packet/payload-type.ts';
import { SeededRng } from '../../runtime/seeded-rng.ts';
import type { SessionConfig } from '../../session/constants.ts';
import { SessionManager, type SessionMessage } from '../../session/session-manager.ts';
import type { Peer } from '../../session/session.ts';
import { Loopback, ManualClock } from '../../session/testing/loopback.ts';
import type { NoiseConfig } from '../constants.ts';
import { createLinkShaper, type LinkShaper } from '../link-shaper.ts';

export interface ShapedNode {
  readonly address: string;
  readonly key: KeyPair;
  readonly manager: SessionManager;
  readonly shaper: LinkShaper;
  readonly peer: Peer;
  /** DATA messages delivered, with the virtual time they arrived. */
  readonly inbox: { readonly msg: SessionMessage; readonly atMs: number }[];
}

export interface Tapped {
  readonly atMs: number;
  readonly from: string;
  readonly to: string;
  readonly bytes: Uint8Array;
}

export class ShapedNet {
  readonly clock = new ManualClock();
  readonly net: Loopback;
  readonly tap: Tapped[] = [];

  constructor(latencyMs = 5) {
    this.net = new Loopback(this.clock, latencyMs);
    this.net.interceptor = (d) => {
      this.tap.push({ atMs: this.clock.now(), ...d });
      return [d];
    };
  }

  add(address: string, noise: Partial<NoiseConfig>, session: Partial<SessionConfig> = {}): ShapedNode {
    const rng = new SeededRng(`shaped/${address}`);
    const key = nodeSuite.generateKeyPair(rng.fork('identity'));
    const shaper = createLinkShaper({ transport: this.net.transport(address), clock: this.clock, rng: rng.fork('noise') }, noise);
    const manager = new SessionManager({ transport: shaper.transport, clock: this.clock, rng: rng.fork('session'), suite: nodeSuite, identity: () => key }, session);
    shaper.attach(manager);
    const node: ShapedNode = { address, key, manager, shaper, peer: { address, nodePub: key.publicKey }, inbox: [] };
    manager.onMessage(PayloadType.DATA, (msg) => node.inbox.push({ msg, atMs: this.clock.now() }));
    return node;
  }

  /** Datagrams on the link from -> to with fromMs <= atMs < toMs. */
  count(from: string, to: string, fromMs: number, toMs: number): number {
    return this.tap.filter((t) => t.from === from && t.to === to && t.atMs >= fromMs && t.atMs < toMs).length;
  }
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
