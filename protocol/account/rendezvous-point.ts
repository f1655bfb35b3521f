/**
 * The rendezvous-point role every node plays (rend-spec-v3 §3.4). A client registers a random cookie on a
 * circuit ending here (ESTABLISH_RENDEZVOUS); the service, told the cookie in the sealed introduction, arrives on
 * its own circuit with RENDEZVOUS1(cookie, tag); we join ("splice") the two circuits, pass the tag to the client
 * as RENDEZVOUS2 and confirm to the service with RENDEZVOUS_ESTABLISHED. From then on each DATA cell from one
 * circuit is re-sent backward on the other. We see a cookie, a tag and the payloads (end-to-end encrypted above
 * us): never which account, nor either end's address.
 *
 * Attacker's view, per message:
 *   ESTABLISH_RENDEZVOUS  anyone can send one: cookies are bounded (maxPendingCookies, 'full'), expire after
 *                         cookieTtlMs, one per circuit ('circuit-in-use'); a cookie already waiting is never
 *                         replaced ('cookie-in-use'), so a guessed or replayed cookie cannot hijack a rendezvous.
 *   RENDEZVOUS1           needs the 20-byte random cookie ('unknown-cookie'); each cookie joins once (consumed).
 *                         Splices are bounded (maxSplices, 'full').
 *   DATA                  only on a joined circuit ('not-joined'); one cell in, one cell out: no amplification.
 */
import { toHex } from '../crypto/bytes.ts';
import type { Unsubscribe } from '../messenger/messenger.ts';
import type { AccountContext } from './context.ts';
import { RelayCommand } from './constants.ts';
import { decodeCookie, decodeRendezvous1, encodeStatus, type Status } from './messages.ts';
import type { ChannelPipe } from './circuit-channel.ts';
import type { RelayEndpoint } from './onion-api.ts';
import type { AccountDrop } from './stats.ts';

interface Waiting {
  readonly cookieHex: string;
  readonly endpoint: RelayEndpoint;
  readonly expiresAtMs: number;
  readonly unsubscribeClose: Unsubscribe;
}

interface Splice {
  /** Where this side's DATA goes: the other side's endpoint, or our own channel when we are the service. */
  readonly deliver: (body: Uint8Array) => boolean;
  /** Closes the other side. */
  readonly closePeer: () => void;
  readonly peerKey: string | undefined;
  readonly unsubscribeClose: Unsubscribe;
}

export class RendezvousRelay {
  /** Waiting cookies, in insertion order = expiry order (one TTL for all). */
  private readonly cookies = new Map<string, Waiting>();
  private readonly cookieByEndpoint = new Map<string, Waiting>();
  /** Both endpoints of each joined pair, by endpoint key. */
  private readonly splices = new Map<string, Splice>();
  private readonly unsubscribe: Unsubscribe[];

  constructor(private readonly ctx: AccountContext) {
    const { onion } = ctx.components;
    this.unsubscribe = [
      onion.onRelayCommand(RelayCommand.ESTABLISH_RENDEZVOUS, (e, body) => this.onEstablish(e, body)),
      onion.onRelayCommand(RelayCommand.RENDEZVOUS1, (e, body) => this.onRendezvous1(e, body)),
      onion.onRelayCommand(RelayCommand.DATA, (e, body) => this.onData(e, body)),
    ];
  }

  get cookiesPending(): number {
    this.expire(this.ctx.components.clock.now());
    return this.cookies.size;
  }

  /** Joined circuits (a pair counts two, a local join one). */
  get spliceCount(): number {
    return this.splices.size;
  }

  stop(): void {
    for (const u of this.unsubscribe) u();
    for (const w of [...this.cookies.values()]) this.forget(w);
    for (const [key, s] of [...this.splices]) {
      this.splices.delete(key);
      s.unsubscribeClose();
      s.closePeer();
    }
  }

  private onEstablish(endpoint: RelayEndpoint, body: Uint8Array): void {
    const refuse = (reason: AccountDrop & Status): void => {
      this.ctx.counters.drop(reason);
      endpoint.reply(RelayCommand.RENDEZVOUS_ESTABLISHED, encodeStatus(reason));
    };
    const cookie = decodeCookie(body);
    if (cookie === null) return refuse('malformed');
    const now = this.ctx.components.clock.now();
    this.expire(now);
    if (this.cookieByEndpoint.has(endpoint.key) || this.splices.has(endpoint.key)) return refuse('circuit-in-use');
    const cookieHex = toHex(cookie);
    if (this.cookies.has(cookieHex)) return refuse('cookie-in-use');
    if (this.cookies.size >= this.ctx.config.maxPendingCookies) return refuse('full');
    const w: Waiting = {
      cookieHex,
      endpoint,
      expiresAtMs: now + this.ctx.config.cookieTtlMs,
      unsubscribeClose: endpoint.onClose(() => this.forget(w)),
    };
    this.cookies.set(cookieHex, w);
    this.cookieByEndpoint.set(endpoint.key, w);
    endpoint.reply(RelayCommand.RENDEZVOUS_ESTABLISHED, encodeStatus('ok'));
  }

  private onRendezvous1(endpoint: RelayEndpoint, body: Uint8Array): void {
    const refuse = (reason: AccountDrop & Status): void => {
      this.ctx.counters.drop(reason);
      endpoint.reply(RelayCommand.RENDEZVOUS_ESTABLISHED, encodeStatus(reason));
    };
    const m = decodeRendezvous1(body);
    if (m === null) return refuse('malformed');
    this.expire(this.ctx.components.clock.now());
    if (this.cookieByEndpoint.has(endpoint.key) || this.splices.has(endpoint.key)) return refuse('circuit-in-use');
    const w = this.cookies.get(toHex(m.cookie));
    if (w === undefined) return refuse('unknown-cookie');
    this.forget(w); // consumed: a cookie joins once
    if (!w.endpoint.isOpen) return refuse('unknown-cookie');
    if (this.splices.size >= 2 * this.ctx.config.maxSplices) return refuse('full');
    this.join(w.endpoint, endpoint);
    // The service hears first, so that its channel exists before the client's first DATA reaches it.
    endpoint.reply(RelayCommand.RENDEZVOUS_ESTABLISHED, encodeStatus('ok'));
    w.endpoint.reply(RelayCommand.RENDEZVOUS2, m.tag);
  }

  private onData(endpoint: RelayEndpoint, body: Uint8Array): void {
    const s = this.splices.get(endpoint.key);
    if (s === undefined) return this.ctx.counters.drop('not-joined');
    if (!s.deliver(body)) return this.ctx.counters.drop('relay-failed');
    this.ctx.counters.relay.cellsSpliced++;
  }

  /**
   * The service side of a rendezvous whose point is this very node (a client picked us, not knowing we host the
   * account): if `cookie` waits here, join the client's circuit to a local pipe, send it RENDEZVOUS2(tag), and
   * return the pipe for the service's channel; otherwise null (the service builds a circuit as usual).
   */
  joinLocal(cookie: Uint8Array, tag: Uint8Array): ChannelPipe | null {
    this.expire(this.ctx.components.clock.now());
    const w = this.cookies.get(toHex(cookie));
    if (w === undefined || !w.endpoint.isOpen) return null;
    if (this.splices.size >= 2 * this.ctx.config.maxSplices) {
      this.ctx.counters.drop('full');
      return null;
    }
    this.forget(w);
    const client = w.endpoint;
    const cells = new Set<(command: number, body: Uint8Array) => void>();
    const pipe: ChannelPipe = {
      get isOpen() {
        return client.isOpen;
      },
      send: (command, body) => client.reply(command, body),
      onCell: (h) => {
        cells.add(h);
        return () => void cells.delete(h);
      },
      onClose: (h) => client.onClose(h),
      close: (reason) => client.close(reason),
    };
    this.splices.set(client.key, {
      deliver: (body) => {
        for (const h of [...cells]) h(RelayCommand.DATA, body);
        return true;
      },
      closePeer: () => client.close('stopped'),
      peerKey: undefined,
      unsubscribeClose: client.onClose(() => this.unjoin(client.key)),
    });
    client.reply(RelayCommand.RENDEZVOUS2, tag);
    return pipe;
  }

  private join(a: RelayEndpoint, b: RelayEndpoint): void {
    const half = (self: RelayEndpoint, peer: RelayEndpoint): void => {
      this.splices.set(self.key, {
        deliver: (body) => peer.reply(RelayCommand.DATA, body),
        closePeer: () => peer.close('closed'),
        peerKey: peer.key,
        unsubscribeClose: self.onClose(() => this.unjoin(self.key)),
      });
    };
    half(a, b);
    half(b, a);
  }

  /** One side closed: forget both halves and close the other side. */
  private unjoin(key: string): void {
    const s = this.splices.get(key);
    if (s === undefined) return;
    this.splices.delete(key);
    s.unsubscribeClose();
    const back = s.peerKey === undefined ? undefined : this.splices.get(s.peerKey);
    if (back !== undefined) {
      this.splices.delete(s.peerKey!);
      back.unsubscribeClose();
    }
    s.closePeer();
  }

  private forget(w: Waiting): void {
    w.unsubscribeClose();
    if (this.cookies.get(w.cookieHex) === w) this.cookies.delete(w.cookieHex);
    if (this.cookieByEndpoint.get(w.endpoint.key) === w) this.cookieByEndpoint.delete(w.endpoint.key);
  }

  private expire(nowMs: number): void {
    for (const w of this.cookies.values()) {
      if (w.expiresAtMs > nowMs) break;
      this.forget(w);
    }
  }
}
