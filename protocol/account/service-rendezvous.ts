/**
 * The service's half of one rendezvous (rend-spec-v3 §3.4.3): after an introduction opened, build a circuit to
 * the client's rendezvous point, send RENDEZVOUS1(cookie, tag), and on RENDEZVOUS_ESTABLISHED 'ok' hand the
 * circuit over as a Channel. The service never learns the client's address; the rendezvous point learns
 * neither the account nor the service's address (our circuit's last hop before it is a relay).
 */
import type { Unsubscribe } from '../messenger/messenger.ts';
import type { TimerId } from '../runtime/clock.ts';
import { CircuitChannel } from './circuit-channel.ts';
import { circuitPath, type AccountContext } from './context.ts';
import { RelayCommand } from './constants.ts';
import type { IntroduceSecret } from './introduce-seal.ts';
import { rendezvousTag } from './introduce-seal.ts';
import { decodeStatus, encodeRendezvous1 } from './messages.ts';
import type { Circuit } from './onion-api.ts';

export class ServiceRendezvous {
  private circuit: Circuit | undefined;
  private subscriptions: Unsubscribe[] = [];
  private timer: TimerId | undefined;
  private done = false;

  constructor(
    private readonly ctx: AccountContext,
    private readonly intro: IntroduceSecret,
    /** Exactly once: the joined channel, or null on failure. */
    private readonly finished: (rendezvous: ServiceRendezvous, channel: CircuitChannel | null) => void,
  ) {}

  start(): void {
    const path = circuitPath(this.ctx, this.intro.rendezvous);
    if (path === null) return this.finish(null);
    this.timer = this.ctx.timers.set(this.ctx.config.stepTimeoutMs + this.ctx.config.hopsPerCircuit * this.ctx.config.stepTimeoutMs, () => {
      this.timer = undefined;
      this.finish(null);
    });
    this.ctx.components.onion.buildCircuit(path, (r) => {
      if (this.done) {
        if (r.ok) r.circuit.close('closed');
        return;
      }
      if (!r.ok) return this.finish(null);
      this.circuit = r.circuit;
      this.subscriptions = [r.circuit.onCell((c, b) => this.onCell(c, b)), r.circuit.onClose(() => this.finish(null))];
      const tag = rendezvousTag(this.ctx.components.suite, this.intro.secret, this.intro.cookie);
      if (!r.circuit.send(RelayCommand.RENDEZVOUS1, encodeRendezvous1({ cookie: this.intro.cookie, tag }))) this.finish(null);
    });
  }

  /** Abandons the attempt (service stopping). */
  cancel(): void {
    this.finish(null);
  }

  private onCell(command: number, body: Uint8Array): void {
    if (command !== RelayCommand.RENDEZVOUS_ESTABLISHED) return this.ctx.counters.drop('unexpected-cell');
    const status = decodeStatus(body);
    if (status === null) {
      this.ctx.counters.drop('malformed');
      return this.finish(null);
    }
    if (status !== 'ok') return this.finish(null);
    const circuit = this.circuit!;
    this.release();
    this.done = true;
    this.finished(this, new CircuitChannel(circuit, this.ctx.config.relayBodyMaxBytes, this.ctx.counters));
  }

  private release(): void {
    this.ctx.timers.cancel(this.timer);
    this.timer = undefined;
    for (const u of this.subscriptions) u();
    this.subscriptions = [];
  }

  private finish(channel: null): void {
    if (this.done) return;
    this.done = true;
    this.release();
    if (this.circuit?.isOpen) this.circuit.close('closed');
    this.finished(this, channel);
  }
}
