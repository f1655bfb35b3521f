/**
 * One request to one holder through its own circuit (the holder is the last hop; hopsPerCircuit-1 relays picked
 * before it), or to this node's own MailboxService directly when the holder is us (onion paths may not end at
 * their origin). A request sends its cells, feeds every cell that comes back to `onCell` until that returns true,
 * and ends exactly once: 'ok', 'timeout', 'no-circuit' (no relays / build failed / closed early) or 'busy'
 * (maxInFlight requests already running). The circuit is closed at the end; no timer outlives a request.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import type { AccountOnion } from '../account/onion-api.ts';
import { Timers } from '../account/timers.ts';
import { bytesEqual } from '../dht/keys.ts';
import type { MessengerPeer } from '../messenger/messenger.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Rng } from '../runtime/rng.ts';
import type { MailboxConfig } from './constants.ts';
import type { MailboxStats } from './stats.ts';

export type RequestEnd = 'ok' | 'timeout' | 'no-circuit' | 'busy';

/** How a node's own MailboxService answers a request without a circuit. */
export type LocalMailbox = (command: number, body: Uint8Array, reply: (command: number, body: Uint8Array) => void) => void;

export interface MailboxNet {
  onion: AccountOnion;
  clock: Clock;
  rng: Rng;
  suite: CryptoSuite;
  /** Relays for circuit hops, excluding the given nodePubs. */
  pickRelays(count: number, exclude?: readonly Uint8Array[]): MessengerPeer[];
  /** This node (its holder role answers locally). */
  self(): MessengerPeer;
}

export class Requester {
  private inFlight = 0;
  private stopped = false;
  private readonly closers = new Set<() => void>();

  constructor(
    private readonly net: MailboxNet,
    private readonly config: MailboxConfig,
    private readonly stats: MailboxStats,
    private readonly timers: Timers,
    private readonly local: () => LocalMailbox | undefined,
  ) {}

  request(
    target: MessengerPeer,
    cells: readonly { command: number; body: Uint8Array }[],
    onCell: (command: number, body: Uint8Array) => boolean,
    cb: (end: RequestEnd) => void,
    hops = this.config.hopsPerCircuit,
  ): void {
    if (this.stopped || this.inFlight >= this.config.maxInFlight) {
      this.timers.set(1, () => cb('busy'));
      return;
    }
    this.inFlight++;
    let ended = false;
    let close = (): void => {};
    const timer = this.timers.set(this.config.requestTimeoutMs, () => end('timeout'));
    const end = (e: RequestEnd): void => {
      if (ended) return;
      ended = true;
      this.inFlight--;
      this.timers.cancel(timer);
      this.closers.delete(close);
      close();
      if (e === 'timeout') this.stats.requestsTimedOut++;
      if (e === 'no-circuit') this.stats.circuitsFailed++;
      cb(e);
    };
    const deliver = (command: number, body: Uint8Array): void => {
      if (!ended && onCell(command, body)) end('ok');
    };
    const local = bytesEqual(target.nodePub, this.net.self().nodePub) ? this.local() : undefined;
    if (local) {
      // Answers come on a later tick, as they would through a circuit.
      for (const c of cells) local(c.command, c.body, (cmd, b) => void this.timers.set(1, () => deliver(cmd, b)));
      return;
    }
    const path = this.path(target, hops);
    if (!path) return void this.timers.set(1, () => end('no-circuit'));
    this.net.onion.buildCircuit(path, (r) => {
      if (ended) {
        if (r.ok) r.circuit.close('late');
        return;
      }
      if (!r.ok) return end('no-circuit');
      const circuit = r.circuit;
      close = () => circuit.close('done');
      this.closers.add(close);
      circuit.onCell(deliver);
      circuit.onClose(() => end('no-circuit'));
      for (const c of cells) if (!circuit.send(c.command, c.body)) return end('no-circuit');
    });
  }

  stop(): void {
    this.stopped = true;
    for (const close of [...this.closers]) close();
    this.closers.clear();
  }

  private path(target: MessengerPeer, hops: number): MessengerPeer[] | null {
    const need = hops - 1;
    if (need <= 0) return [target];
    const relays = this.net.pickRelays(need, [target.nodePub, this.net.self().nodePub]);
    return relays.length >= need ? [...relays.slice(0, need), target] : null;
  }
}
