/**
 * An in-test onion network with the AccountOnion API (onion-api.ts): circuits are built and cells delivered on
 * FakeClock timers (hopLatencyMs per hop), without crypto. The last hop of each circuit runs the handlers
 * registered with onRelayCommand; middle hops see nothing (as with real onion encryption). Each service records
 * what it saw as a last hop (`seen`), for tests of what an intro or rendezvous point learns.
 */
import { toHex } from '../../crypto/bytes.ts';
import type { MessengerPeer, Unsubscribe } from '../../messenger/messenger.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { AccountOnion, BuildResult, Circuit, RelayEndpoint } from '../onion-api.ts';

export interface SeenCell {
  readonly direction: 'in' | 'out';
  readonly endpointKey: string;
  readonly command: number;
  readonly body: Uint8Array;
}

export interface FakeOnionInit {
  hopLatencyMs?: number;
  relayBodyMax?: number;
}

function subscribe<T>(set: Set<T>, item: T): Unsubscribe {
  set.add(item);
  return () => void set.delete(item);
}

class FakeEndpoint implements RelayEndpoint {
  constructor(
    readonly key: string,
    private readonly circuit: FakeCircuit,
  ) {}
  get isOpen(): boolean {
    return this.circuit.isOpen;
  }
  reply(command: number, body: Uint8Array): boolean {
    return this.circuit.backward(command, body);
  }
  onClose(h: (reason: string) => void): Unsubscribe {
    return subscribe(this.circuit.exitClosers, h);
  }
  close(reason = 'closed'): void {
    this.circuit.shut(reason);
  }
}

export class FakeCircuit implements Circuit {
  readonly cellHandlers = new Set<(command: number, body: Uint8Array) => void>();
  readonly originClosers = new Set<(reason: string) => void>();
  readonly exitClosers = new Set<(reason: string) => void>();
  readonly endpoint: FakeEndpoint;
  private open = true;

  constructor(
    readonly id: string,
    readonly path: readonly MessengerPeer[],
    readonly origin: FakeOnionService,
    readonly exit: FakeOnionService,
    private readonly net: FakeOnionNetwork,
  ) {
    this.endpoint = new FakeEndpoint(`ep-${id}`, this);
  }

  get isOpen(): boolean {
    return this.open;
  }

  send(command: number, body: Uint8Array): boolean {
    if (!this.open || body.length > this.net.relayBodyMax) return false;
    const copy = body.slice();
    this.net.later(this.path.length, () => {
      if (this.open) this.exit.deliver(this.endpoint, command, copy);
    });
    return true;
  }

  backward(command: number, body: Uint8Array): boolean {
    if (!this.open || body.length > this.net.relayBodyMax) return false;
    this.exit.record({ direction: 'out', endpointKey: this.endpoint.key, command, body: body.slice() });
    const copy = body.slice();
    this.net.later(this.path.length, () => {
      if (!this.open) return;
      for (const h of [...this.cellHandlers]) h(command, copy);
    });
    return true;
  }

  onCell(h: (command: number, body: Uint8Array) => void): Unsubscribe {
    return subscribe(this.cellHandlers, h);
  }

  onClose(h: (reason: string) => void): Unsubscribe {
    return subscribe(this.originClosers, h);
  }

  close(reason = 'closed'): void {
    this.shut(reason);
  }

  /** Closes both ends at once (a DESTROY in the real thing travels; tests do not need that delay). */
  shut(reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.net.forget(this);
    for (const h of [...this.originClosers]) h(reason);
    for (const h of [...this.exitClosers]) h(reason);
    this.originClosers.clear();
    this.exitClosers.clear();
    this.cellHandlers.clear();
  }
}

export class FakeOnionService implements AccountOnion {
  readonly handlers = new Map<number, Set<(e: RelayEndpoint, body: Uint8Array) => void>>();
  readonly seen: SeenCell[] = [];
  up = true;

  constructor(
    readonly peer: MessengerPeer,
    private readonly net: FakeOnionNetwork,
  ) {}

  buildCircuit(path: readonly MessengerPeer[], cb: (r: BuildResult) => void): void {
    const snapshot = [...path];
    this.net.later(2 * snapshot.length, () => {
      if (!this.up) return cb({ ok: false, reason: 'stopped', hop: 0 });
      // As protocol/onion: a path may not pass through its origin.
      const self = snapshot.findIndex((p) => toHex(p.nodePub) === toHex(this.peer.nodePub));
      if (self >= 0) return cb({ ok: false, reason: 'bad-path', hop: self });
      for (let i = 0; i < snapshot.length; i++) {
        const s = this.net.service(snapshot[i].nodePub);
        if (s === undefined || !s.up || s.peer.address !== snapshot[i].address) return cb({ ok: false, reason: 'unreachable', hop: i });
      }
      const exit = this.net.service(snapshot[snapshot.length - 1].nodePub)!;
      cb({ ok: true, circuit: this.net.open(snapshot, this, exit) });
    });
  }

  onRelayCommand(command: number, handler: (e: RelayEndpoint, body: Uint8Array) => void): Unsubscribe {
    let set = this.handlers.get(command);
    if (set === undefined) this.handlers.set(command, (set = new Set()));
    return subscribe(set, handler);
  }

  record(cell: SeenCell): void {
    this.seen.push(cell);
  }

  deliver(endpoint: RelayEndpoint, command: number, body: Uint8Array): void {
    this.record({ direction: 'in', endpointKey: endpoint.key, command, body });
    if (!this.up) return;
    for (const h of [...(this.handlers.get(command) ?? [])]) h(endpoint, body);
  }

  /** The node goes down: every circuit through it closes, builds through it fail. */
  crash(): void {
    this.up = false;
    for (const c of this.net.circuits()) if (c.path.some((p) => toHex(p.nodePub) === toHex(this.peer.nodePub)) || c.origin === this) c.shut('unreachable');
  }
}

export class FakeOnionNetwork {
  readonly hopLatencyMs: number;
  readonly relayBodyMax: number;
  private readonly byPub = new Map<string, FakeOnionService>();
  private readonly live = new Set<FakeCircuit>();
  private nextId = 1;
  circuitsBuilt = 0;

  constructor(
    private readonly clock: Clock,
    init: FakeOnionInit = {},
  ) {
    this.hopLatencyMs = init.hopLatencyMs ?? 20;
    this.relayBodyMax = init.relayBodyMax ?? 480;
  }

  add(peer: MessengerPeer): FakeOnionService {
    const s = new FakeOnionService(peer, this);
    this.byPub.set(toHex(peer.nodePub), s);
    return s;
  }

  service(nodePub: Uint8Array): FakeOnionService | undefined {
    return this.byPub.get(toHex(nodePub));
  }

  circuits(): FakeCircuit[] {
    return [...this.live];
  }

  open(path: readonly MessengerPeer[], origin: FakeOnionService, exit: FakeOnionService): FakeCircuit {
    const c = new FakeCircuit(`c${this.nextId++}`, path, origin, exit, this);
    this.live.add(c);
    this.circuitsBuilt++;
    return c;
  }

  forget(c: FakeCircuit): void {
    this.live.delete(c);
  }

  later(hops: number, fn: () => void): void {
    this.clock.setTimer(hops * this.hopLatencyMs, fn);
  }
}
