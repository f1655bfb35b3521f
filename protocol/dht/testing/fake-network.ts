/**
 * In-test stand-in for protocol/session: a synchronous message queue on a FakeClock. A message to an address
 * is delivered after `latencyMs` if a messenger is registered there, it is online, and its nodePub is the one
 * the sender named (the real session layer would fail the handshake otherwise). `from` is the sender's true
 * identity, as an authenticated session guarantees; `inject` lets tests deliver arbitrary bytes as anyone.
 */
import type { Rng } from '../../runtime/rng.ts';
import { bytesEqual } from '../keys.ts';
import type { DhtMessenger, PeerRef } from '../types.ts';
import type { FakeClock } from './fake-clock.ts';

type Handler = (msg: { from: { address: string; nodePub: Uint8Array }; body: Uint8Array }) => void;

interface Endpoint {
  self: PeerRef;
  online: boolean;
  handlers: Map<number, Handler>;
}

export interface FakeNetworkInit {
  /** One-way delay of every message (default 10 ms), or a per-message draw. */
  latencyMs?: number | ((rng: Rng) => number);
  /** Probability a message is lost (default 0). Needs `rng`. */
  lossRate?: number;
  rng?: Rng;
}

export interface Datagram {
  source: string;
  target: string;
  type: number;
  body: Uint8Array;
}

export class FakeNetwork {
  private readonly endpoints = new Map<string, Endpoint>();
  sent = 0;
  delivered = 0;
  lost = 0;
  /** Observer of every datagram sent (tests assert sizes, counts). */
  tap: ((d: Datagram) => void) | undefined;

  constructor(
    readonly clock: FakeClock,
    private readonly init: FakeNetworkInit = {},
  ) {
    if ((init.lossRate ?? 0) > 0 || typeof init.latencyMs === 'function') {
      if (init.rng === undefined) throw new Error('FakeNetwork: lossRate and latency draws need an rng');
    }
  }

  /** Registers `self` and returns its messenger. */
  messenger(self: PeerRef): DhtMessenger {
    if (this.endpoints.has(self.address)) throw new Error(`FakeNetwork: address ${self.address} taken`);
    const endpoint: Endpoint = { self, online: true, handlers: new Map() };
    this.endpoints.set(self.address, endpoint);
    return {
      send: (peer, type, body) => {
        if (endpoint.online) this.transmit(endpoint.self, peer, type, body);
      },
      onMessage: (type, handler) => void endpoint.handlers.set(type, handler),
    };
  }

  setOnline(address: string, online: boolean): void {
    const e = this.endpoints.get(address);
    if (e === undefined) throw new Error(`FakeNetwork: no endpoint ${address}`);
    e.online = online;
  }

  isOnline(address: string): boolean {
    return this.endpoints.get(address)?.online ?? false;
  }

  /** Delivers `body` to `target` as if an authenticated session with `from` carried it. */
  inject(from: PeerRef, target: string, type: number, body: Uint8Array): void {
    this.transmit(from, { address: target, nodePub: this.endpoints.get(target)?.self.nodePub ?? new Uint8Array(33) }, type, body);
  }

  private transmit(from: PeerRef, to: PeerRef, type: number, body: Uint8Array): void {
    this.sent++;
    const copy = body.slice();
    this.tap?.({ source: from.address, target: to.address, type, body: copy });
    const { lossRate = 0, rng, latencyMs = 10 } = this.init;
    if (lossRate > 0 && rng!.uniform() < lossRate) {
      this.lost++;
      return;
    }
    const delay = typeof latencyMs === 'number' ? latencyMs : latencyMs(rng!);
    this.clock.setTimer(delay, () => {
      const e = this.endpoints.get(to.address);
      if (e === undefined || !e.online || !bytesEqual(e.self.nodePub, to.nodePub)) {
        this.lost++;
        return;
      }
      const handler = e.handlers.get(type);
      if (handler === undefined) return;
      this.delivered++;
      handler({ from: { address: from.address, nodePub: from.nodePub }, body: copy });
    });
  }
}
