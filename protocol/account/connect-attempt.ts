/**
 * One connect() (Alice's side, rend-spec-v3 §3.2-3.4):
 *
 *   1. descriptor  compute A' for the current period (and the adjacent one near a boundary), FIND_VALUE its
 *                  key, check it as a holder would and decrypt it with A      -> 'no-descriptor', 'bad-descriptor'
 *   2. rendezvous  pick R (not an intro point), build a circuit ending at R, ESTABLISH_RENDEZVOUS(cookie)
 *                                                                             -> 'rendezvous-failed'
 *   3. introduce   per intro point (shuffled, at most maxIntroAttempts): circuit ending at it, INTRODUCE1(auth
 *                  key, seal to its enc key of {R, cookie, secret, now}); on INTRODUCE_ACK 'ok' wait
 *                  rendezvousWaitMs for RENDEZVOUS2, else try the next       -> 'intro-failed'
 *   4. joined      RENDEZVOUS2's tag must be HMAC(secret, cookie): only the holder of the intro enc key could
 *                  make it, so R cannot pose as the service ('bad-rendezvous-tag' drop); the circuit to R
 *                  becomes the Channel.
 * The whole attempt is bounded by connectTimeoutMs ('timeout'). The callback runs exactly once, never inside
 * connect() itself; every circuit not handed over is closed.
 */
import { decodePoint } from '../crypto/p256.ts';
import type { MessengerPeer, Unsubscribe } from '../messenger/messenger.ts';
import type { TimerId } from '../runtime/clock.ts';
import { blindedLookup, periodOf, periodStartMs } from './blinding.ts';
import { CircuitChannel } from './circuit-channel.ts';
import { circuitPath, type AccountContext } from './context.ts';
import { COOKIE_BYTES, RECORD_TYPE_DESCRIPTOR, RENDEZVOUS_SECRET_BYTES, RelayCommand } from './constants.ts';
import { checkDescriptor } from './descriptor-check.ts';
import { openDescriptor } from './descriptor.ts';
import { checkRendezvousTag, sealIntroduce } from './introduce-seal.ts';
import type { IntroPointInfo } from './intro-list.ts';
import { decodeRendezvous2, decodeStatus, encodeCookie, encodeIntroduce, type Status } from './messages.ts';
import type { Circuit } from './onion-api.ts';
import type { ConnectFailure } from './stats.ts';

export type ConnectResult = { ok: true; channel: CircuitChannel } | { ok: false; reason: ConnectFailure };

export class ConnectAttempt {
  private done = false;
  private overall: TimerId | undefined;
  private step: TimerId | undefined;
  private intros: IntroPointInfo[] = [];
  private introIndex = 0;
  private rendezvous: MessengerPeer | undefined;
  private rendCircuit: Circuit | undefined;
  /** RENDEZVOUS_ESTABLISHED 'ok' received: the cookie waits at R. */
  private rendReady = false;
  private rendSubs: Unsubscribe[] = [];
  private introCircuit: Circuit | undefined;
  private introSubs: Unsubscribe[] = [];
  private readonly cookie: Uint8Array;
  private readonly secret: Uint8Array;
  /** Bumped at every step, so a late callback of an abandoned step does nothing. */
  private generation = 0;

  constructor(
    private readonly ctx: AccountContext,
    private readonly accountPub: Uint8Array,
    private readonly cb: (attempt: ConnectAttempt, result: ConnectResult) => void,
  ) {
    this.cookie = ctx.components.rng.bytes(COOKIE_BYTES);
    this.secret = ctx.components.rng.bytes(RENDEZVOUS_SECRET_BYTES);
  }

  start(): void {
    this.overall = this.ctx.timers.set(this.ctx.config.connectTimeoutMs, () => {
      this.overall = undefined;
      this.fail('timeout');
    });
    try {
      decodePoint(this.accountPub, 'account key');
    } catch {
      return this.failLater('bad-account-key');
    }
    this.fetch(this.lookupPeriods(), false);
  }

  /** Ends the attempt from outside (service stopping): the callback runs now. */
  abort(reason: ConnectFailure): void {
    this.fail(reason);
  }

  /** The current period first; near a boundary also the adjacent one (rend-spec-v3 §2.2.4: clock skew). */
  private lookupPeriods(): number[] {
    const { periodMs, periodOverlapMs } = this.ctx.config;
    const now = this.ctx.components.clock.now();
    const p = periodOf(now, periodMs);
    if (now - periodStartMs(p, periodMs) < periodOverlapMs && p > 0) return [p, p - 1];
    if (periodStartMs(p + 1, periodMs) - now <= periodOverlapMs) return [p, p + 1];
    return [p];
  }

  private fetch(periods: number[], sawBad: boolean): void {
    if (periods.length === 0) return this.fail(sawBad ? 'bad-descriptor' : 'no-descriptor');
    const [period, ...rest] = periods;
    const { suite, dht, clock } = this.ctx.components;
    let lookup;
    try {
      lookup = blindedLookup(suite, this.accountPub, period);
    } catch {
      return this.fetch(rest, sawBad); // h = 0 for this period (2^-256)
    }
    dht.findValue(lookup.key, RECORD_TYPE_DESCRIPTOR, (r) => {
      if (this.done) return;
      if (r.record === undefined) return this.fetch(rest, sawBad);
      const check = checkDescriptor(suite, lookup.key, r.record.value, clock.now(), this.ctx.config);
      const intros = check.ok ? openDescriptor(suite, this.accountPub, check.descriptor) : null;
      if (intros === null) {
        this.ctx.counters.drop('bad-descriptor');
        return this.fetch(rest, true);
      }
      this.intros = shuffle(intros, this.ctx.components.rng.int.bind(this.ctx.components.rng));
      this.buildRendezvous();
    });
  }

  private buildRendezvous(): void {
    const introPubs = this.intros.map((i) => i.relay.nodePub);
    const [r] = this.ctx.components.pickRelays(1, introPubs);
    const path = r === undefined ? null : circuitPath(this.ctx, r, introPubs);
    if (r === undefined || path === null) return this.fail('no-relays');
    this.rendezvous = r;
    const gen = ++this.generation;
    this.ctx.components.onion.buildCircuit(path, (b) => {
      if (this.done || gen !== this.generation) {
        if (b.ok) b.circuit.close('closed');
        return;
      }
      if (!b.ok) return this.fail('rendezvous-failed');
      this.rendCircuit = b.circuit;
      this.rendSubs = [
        b.circuit.onCell((c, body) => this.onRendezvousCell(c, body)),
        b.circuit.onClose(() => this.fail('rendezvous-failed')),
      ];
      if (!b.circuit.send(RelayCommand.ESTABLISH_RENDEZVOUS, encodeCookie(this.cookie))) return this.fail('rendezvous-failed');
      this.setStep(this.ctx.config.stepTimeoutMs, () => this.fail('rendezvous-failed'));
    });
  }

  private onRendezvousCell(command: number, body: Uint8Array): void {
    if (this.done) return;
    if (command === RelayCommand.RENDEZVOUS_ESTABLISHED && !this.rendReady) {
      const status = decodeStatus(body);
      if (status === null) this.ctx.counters.drop('malformed');
      if (status !== 'ok') return this.fail('rendezvous-failed');
      this.rendReady = true;
      return this.tryIntro();
    }
    if (command === RelayCommand.RENDEZVOUS2 && this.rendReady) {
      const tag = decodeRendezvous2(body);
      if (tag === null) return this.ctx.counters.drop('malformed');
      if (!checkRendezvousTag(this.ctx.components.suite, this.secret, this.cookie, tag)) {
        return this.ctx.counters.drop('bad-rendezvous-tag');
      }
      return this.succeed();
    }
    this.ctx.counters.drop('unexpected-cell');
  }

  private tryIntro(): void {
    this.closeIntro();
    const limit = Math.min(this.intros.length, this.ctx.config.maxIntroAttempts);
    if (this.introIndex >= limit) return this.fail('intro-failed');
    const intro = this.intros[this.introIndex++];
    const { suite, rng, clock } = this.ctx.components;
    let body: Uint8Array;
    try {
      const sealed = sealIntroduce(suite, rng, intro.encKey, intro.authKey, {
        rendezvous: this.rendezvous!,
        cookie: this.cookie,
        secret: this.secret,
        sentAtMs: Math.floor(clock.now()),
      });
      body = encodeIntroduce({ authKey: intro.authKey, sealed });
    } catch {
      this.ctx.counters.drop('bad-descriptor'); // the descriptor's enc key is not a point
      return this.tryIntro();
    }
    const gen = ++this.generation;
    // The intro point may be this very node (an onion path cannot end at its origin): introduce locally.
    const local = this.ctx.local.introduce(body);
    if (local !== null) return this.introduced(local);
    const path = circuitPath(this.ctx, intro.relay, [this.rendezvous!.nodePub]);
    if (path === null) return this.fail('no-relays');
    this.setStep(this.ctx.config.stepTimeoutMs * (this.ctx.config.hopsPerCircuit + 1), () => this.tryIntro());
    this.ctx.components.onion.buildCircuit(path, (b) => {
      if (this.done || gen !== this.generation) {
        if (b.ok) b.circuit.close('closed');
        return;
      }
      if (!b.ok) return this.tryIntro();
      this.introCircuit = b.circuit;
      this.introSubs = [b.circuit.onCell((c, cellBody) => this.onIntroCell(gen, c, cellBody))];
      if (!b.circuit.send(RelayCommand.INTRODUCE1, body)) return this.tryIntro();
      this.setStep(this.ctx.config.stepTimeoutMs, () => this.tryIntro());
    });
  }

  private onIntroCell(gen: number, command: number, body: Uint8Array): void {
    if (this.done || gen !== this.generation) return;
    if (command !== RelayCommand.INTRODUCE_ACK) return this.ctx.counters.drop('unexpected-cell');
    const status = decodeStatus(body);
    if (status === null) this.ctx.counters.drop('malformed');
    this.closeIntro();
    this.introduced(status);
  }

  private introduced(status: Status | null): void {
    if (status !== 'ok') return this.tryIntro();
    // Introduced: the service now builds its circuit to R. If RENDEZVOUS2 does not come, try the next intro point.
    this.setStep(this.ctx.config.rendezvousWaitMs, () => this.tryIntro());
  }

  private setStep(delayMs: number, fn: () => void): void {
    this.ctx.timers.cancel(this.step);
    this.step = this.ctx.timers.set(delayMs, () => {
      this.step = undefined;
      if (!this.done) fn();
    });
  }

  private closeIntro(): void {
    for (const u of this.introSubs) u();
    this.introSubs = [];
    const c = this.introCircuit;
    this.introCircuit = undefined;
    if (c?.isOpen) c.close('closed');
  }

  private end(): void {
    this.done = true;
    this.generation++;
    this.ctx.timers.cancel(this.overall);
    this.ctx.timers.cancel(this.step);
    this.overall = this.step = undefined;
    this.closeIntro();
    for (const u of this.rendSubs) u();
    this.rendSubs = [];
  }

  private succeed(): void {
    const circuit = this.rendCircuit!;
    this.end();
    this.cb(this, { ok: true, channel: new CircuitChannel(circuit, this.ctx.config.relayBodyMaxBytes, this.ctx.counters) });
  }

  private fail(reason: ConnectFailure): void {
    if (this.done) return;
    this.end();
    if (this.rendCircuit?.isOpen) this.rendCircuit.close('closed');
    this.cb(this, { ok: false, reason });
  }

  /** Fails on a timer, so the callback never runs inside connect(). */
  private failLater(reason: ConnectFailure): void {
    this.setStep(0, () => this.fail(reason));
  }
}

/** Fisher-Yates with the injected rng. */
function shuffle<T>(items: readonly T[], int: (maxExclusive: number) => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
