/**
 * The introduction-point role every node plays (rend-spec-v3 §3.1-3.2). A service registers an intro auth key
 * on a circuit ending here (ESTABLISH_INTRO); clients send INTRODUCE1 naming that key, and we pass the body on,
 * unchanged, down the service's circuit as INTRODUCE2 and ack the client. We learn neither end's address and
 * cannot read the sealed part (who the rendezvous point is).
 *
 * Attacker's view, per message:
 *   ESTABLISH_INTRO  anyone can send one. A registration costs a table slot (bounded, 'full'), one per circuit
 *                    ('circuit-in-use'); taking over an existing auth key needs a signature by that key with a
 *                    newer issuedAtMs ('bad-proof', 'stale'), so a replayed proof cannot steal it.
 *   INTRODUCE1       anyone can send one. Unknown keys are refused ('unknown-service'); each registration
 *                    forwards at most introduceRatePerS (burst introduceBurst) to its service ('rate-limited'),
 *                    so we cannot be used to flood a service. No amplification: one cell in, one out.
 */
import { toHex } from '../crypto/bytes.ts';
import type { Unsubscribe } from '../messenger/messenger.ts';
import type { AccountContext } from './context.ts';
import { RelayCommand } from './constants.ts';
import { TokenBucket } from './limits.ts';
import {
  decodeEstablishIntro,
  decodeIntroduce,
  encodeStatus,
  establishIntroSigningBytes,
  type Status,
} from './messages.ts';
import type { RelayEndpoint } from './onion-api.ts';
import type { AccountDrop } from './stats.ts';

interface Registration {
  readonly authHex: string;
  readonly endpoint: RelayEndpoint;
  readonly issuedAtMs: number;
  readonly bucket: TokenBucket;
  readonly unsubscribeClose: Unsubscribe;
}

export class IntroPointRelay {
  private readonly byAuth = new Map<string, Registration>();
  private readonly byEndpoint = new Map<string, Registration>();
  private readonly unsubscribe: Unsubscribe[];

  constructor(private readonly ctx: AccountContext) {
    const { onion } = ctx.components;
    this.unsubscribe = [
      onion.onRelayCommand(RelayCommand.ESTABLISH_INTRO, (e, body) => this.onEstablish(e, body)),
      onion.onRelayCommand(RelayCommand.INTRODUCE1, (e, body) => this.onIntroduce(e, body)),
    ];
  }

  get registrations(): number {
    return this.byAuth.size;
  }

  stop(): void {
    for (const u of this.unsubscribe) u();
    for (const reg of [...this.byAuth.values()]) this.remove(reg);
  }

  private onEstablish(endpoint: RelayEndpoint, body: Uint8Array): void {
    const refuse = (reason: AccountDrop & Status): void => {
      this.ctx.counters.drop(reason);
      endpoint.reply(RelayCommand.INTRO_ESTABLISHED, encodeStatus(reason));
    };
    const m = decodeEstablishIntro(body);
    if (m === null) return refuse('malformed');
    const authHex = toHex(m.authKey);
    const onCircuit = this.byEndpoint.get(endpoint.key);
    if (onCircuit !== undefined && onCircuit.authHex !== authHex) return refuse('circuit-in-use');
    const { clock, suite } = this.ctx.components;
    const now = clock.now();
    if (Math.abs(m.issuedAtMs - now) > this.ctx.config.maxClockSkewMs) return refuse('stale');
    const existing = this.byAuth.get(authHex);
    if (existing !== undefined && m.issuedAtMs <= existing.issuedAtMs) return refuse('stale');
    if (existing === undefined && this.byAuth.size >= this.ctx.config.maxIntroRegistrations) return refuse('full');
    let proven = false;
    try {
      proven = suite.verify(m.authKey, establishIntroSigningBytes(m.authKey, m.issuedAtMs), m.signature);
    } catch {
      proven = false;
    }
    if (!proven) return refuse('bad-proof');
    if (existing !== undefined) {
      // Proven by the key and newer: the service re-established (its old circuit expired or died).
      this.remove(existing);
      if (existing.endpoint.key !== endpoint.key) existing.endpoint.close('closed');
    }
    const { config } = this.ctx;
    const reg: Registration = {
      authHex,
      endpoint,
      issuedAtMs: m.issuedAtMs,
      bucket: new TokenBucket(config.introduceRatePerS, config.introduceBurst, now),
      unsubscribeClose: endpoint.onClose(() => {
        if (this.byAuth.get(authHex) === reg) this.remove(reg);
      }),
    };
    this.byAuth.set(authHex, reg);
    this.byEndpoint.set(endpoint.key, reg);
    endpoint.reply(RelayCommand.INTRO_ESTABLISHED, encodeStatus('ok'));
  }

  private onIntroduce(endpoint: RelayEndpoint, body: Uint8Array): void {
    const status = this.forward(body) ?? 'unknown-service';
    if (status !== 'ok') this.ctx.counters.drop(status as AccountDrop);
    endpoint.reply(RelayCommand.INTRODUCE_ACK, encodeStatus(status));
  }

  /**
   * A client on this very node introducing itself through us (it picked an intro point that is its own node):
   * the INTRODUCE1 body goes straight to the registration. Null when no such registration is here.
   */
  introduceLocal(body: Uint8Array): Status | null {
    const status = this.forward(body);
    if (status !== null && status !== 'ok') this.ctx.counters.drop(status as AccountDrop);
    return status;
  }

  /** INTRODUCE1 -> INTRODUCE2 down the service's circuit; null when the auth key is not registered here. */
  private forward(body: Uint8Array): Status | null {
    const m = decodeIntroduce(body);
    if (m === null) return 'malformed';
    const reg = this.byAuth.get(toHex(m.authKey));
    if (reg === undefined) return null;
    if (!reg.endpoint.isOpen) {
      this.remove(reg);
      return null;
    }
    if (!reg.bucket.take(this.ctx.components.clock.now())) return 'rate-limited';
    if (!reg.endpoint.reply(RelayCommand.INTRODUCE2, body)) return 'relay-failed';
    this.ctx.counters.relay.introducesForwarded++;
    return 'ok';
  }

  private remove(reg: Registration): void {
    reg.unsubscribeClose();
    if (this.byAuth.get(reg.authHex) === reg) this.byAuth.delete(reg.authHex);
    if (this.byEndpoint.get(reg.endpoint.key) === reg) this.byEndpoint.delete(reg.endpoint.key);
  }
}
