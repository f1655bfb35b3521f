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
import type { RelayEndpoint } from './onion-api.ts';
import type { AccountDrop } from './stats.ts';

interface Waiting {
  readonly cookieHex: string;
  readonly endpoint: RelayEndpoint;
  readonly expiresAtMs: number;
  readonly unsubscribeClose: Unsubscribe;
}

interface Splice {
  readonly peer: RelayEndpoint;
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

  /** Joined circuit pairs. */
  get spliceCount(): number {
    return this.splices.size / 2;
  }

  stop(): void {
    for (const u of this.unsubscribe) u();
    for (const w of [...this.cookies.values()]) this.forget(w);
    for (const [key, s] of [...this.splices]) {
      this.splices.delete(key);
      s.unsubscribeClose();
      s.peer.close('stopped');
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
    if (this.spliceCount >= this.ctx.config.maxSplices) return refuse('full');
    this.join(w.endpoint, endpoint);
    // The service hears first, so that its channel exists before the client's first DATA reaches it.
    endpoint.reply(RelayCommand.RENDEZVOUS_ESTABLISHED, encodeStatus('ok'));
    w.endpoint.reply(RelayCommand.RENDEZVOUS2, m.tag);
  }

  private onData(endpoint: RelayEndpoint, body: Uint8Array): void {
    const s = this.splices.get(endpoint.key);
    if (s === undefined) return this.ctx.counters.drop('not-joined');
    if (!s.peer.reply(RelayCommand.DATA, body)) return this.ctx.counters.drop('relay-failed');
    this.ctx.counters.relay.cellsSpliced++;
  }

  private join(a: RelayEndpoint, b: RelayEndpoint): void {
    const half = (self: RelayEndpoint, peer: RelayEndpoint): void => {
      this.splices.set(self.key, {
        peer,
        unsubscribeClose: self.onClose(() => this.unjoin(self.key)),
      });
    };
    half(a, b);
    half(b, a);
  }

  /** One side closed: forget both halves and close the other side's circuit. */
  private unjoin(key: string): void {
    const s = this.splices.get(key);
    if (s === undefined) return;
    this.splices.delete(key);
    s.unsubscribeClose();
    const back = this.splices.get(s.peer.key);
    if (back !== undefined) {
      this.splices.delete(s.peer.key);
      back.unsubscribeClose();
    }
    s.peer.close('closed');
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
