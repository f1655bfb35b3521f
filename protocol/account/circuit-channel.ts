/**
 * A Channel (protocol/messenger/channel.ts) over one end of a rendezvous: each payload is the body of one DATA
 * relay cell on our circuit to the rendezvous point, which re-sends it on the other end's circuit. Neither end
 * learns the other's address. The rendezvous point sees the payloads, so the layer above (protocol/conversation)
 * encrypts them end to end. The channel closes once: when either side closes it or a circuit under it dies.
 */
import type { Channel } from '../messenger/channel.ts';
import type { Unsubscribe } from '../messenger/messenger.ts';
import { RelayCommand } from './constants.ts';
import type { Circuit } from './onion-api.ts';
import type { AccountCounters } from './stats.ts';

/** What a channel runs over: our circuit to the rendezvous point, or (when we are it) the client's endpoint. */
export type ChannelPipe = Pick<Circuit, 'isOpen' | 'send' | 'onCell' | 'onClose' | 'close'>;

export class CircuitChannel implements Channel {
  private readonly receivers = new Set<(payload: Uint8Array) => void>();
  private readonly closers = new Set<(reason: string) => void>();
  private readonly unsubscribe: Unsubscribe[];
  private closed = false;

  constructor(
    private readonly circuit: ChannelPipe,
    readonly maxPayloadBytes: number,
    private readonly counters: AccountCounters,
    /** Called once when the channel closes (the service forgets it). */
    private readonly onClosed: (channel: CircuitChannel) => void = () => {},
  ) {
    this.unsubscribe = [circuit.onCell((command, body) => this.onCell(command, body)), circuit.onClose((reason) => this.finish(reason))];
    if (!circuit.isOpen) this.finish('closed');
  }

  get isOpen(): boolean {
    return !this.closed && this.circuit.isOpen;
  }

  send(payload: Uint8Array): boolean {
    if (!this.isOpen) {
      this.counters.drop('channel-closed');
      return false;
    }
    if (payload.length > this.maxPayloadBytes) {
      this.counters.drop('payload-too-large');
      return false;
    }
    if (!this.circuit.send(RelayCommand.DATA, payload)) {
      this.counters.drop('relay-failed');
      return false;
    }
    this.counters.channels.payloadsSent++;
    return true;
  }

  onReceive(handler: (payload: Uint8Array) => void): Unsubscribe {
    this.receivers.add(handler);
    return () => void this.receivers.delete(handler);
  }

  onClose(handler: (reason: string) => void): Unsubscribe {
    this.closers.add(handler);
    return () => void this.closers.delete(handler);
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.circuit.close(reason);
    this.finish(reason);
  }

  private onCell(command: number, body: Uint8Array): void {
    if (this.closed) return;
    if (command !== RelayCommand.DATA) {
      this.counters.drop('unexpected-cell');
      return;
    }
    if (this.receivers.size === 0) {
      this.counters.drop('unhandled-data');
      return;
    }
    this.counters.channels.payloadsReceived++;
    for (const h of [...this.receivers]) h(body);
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unsubscribe) u();
    this.onClosed(this);
    for (const h of [...this.closers]) h(reason);
    this.closers.clear();
    this.receivers.clear();
  }
}
