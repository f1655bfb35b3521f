/** SessionManagers on real UDP sockets (127.0.0.1, wall clock, CryptoRng) for the session layer's UDP tests. */
import { nodeSuite } from '../../crypto/node-suite.ts';
import { CryptoRng } from '../../runtime/crypto-rng.ts';
import { UdpTransport } from '../../runtime/udp-transport.ts';
import { WallClock } from '../../runtime/wall-clock.ts';
import type { SessionConfig } from '../constants.ts';
import { SessionManager } from '../session-manager.ts';

export interface UdpSessionNode {
  readonly transport: UdpTransport;
  readonly clock: WallClock;
  readonly manager: SessionManager;
  readonly publicKey: Uint8Array;
}

/** Opens nodes and closes every one of them (managers, timers, sockets) in `closeAll`, for an afterAll. */
export class UdpSessionNodes {
  private readonly opened: UdpSessionNode[] = [];

  async start(config: Partial<SessionConfig> = {}): Promise<UdpSessionNode> {
    const transport = await UdpTransport.open({ host: '127.0.0.1' });
    const clock = new WallClock();
    const rng = new CryptoRng();
    const key = nodeSuite.generateKeyPair(rng);
    const manager = new SessionManager({ transport, clock, rng, suite: nodeSuite, identity: () => key }, config);
    const node = { transport, clock, manager, publicKey: key.publicKey };
    this.opened.push(node);
    return node;
  }

  async closeAll(): Promise<void> {
    for (const r of this.opened) {
      r.manager.close();
      r.clock.cancelAll();
    }
    await Promise.all(this.opened.map((r) => r.transport.close()));
  }
}
