/**
 * A Transport in front of the session layer that lets punch datagrams in and out. The SessionManager is
 * built over it (instead of the raw transport); every datagram passes through unchanged except those whose
 * first 8 bytes are an id a live punch exchange registered (`expect`), which go to that exchange instead.
 * Ids are 64-bit values derived from a fresh nonce, so a collision with a session connId is negligible; a
 * datagram matching no id goes to the session layer, which counts it like any other unknown packet.
 */
import { hexKey } from '../runtime/hex-key.ts';
import type { Address, ReceiveHandler, Transport } from '../runtime/transport.ts';
import { PUNCH_ID_BYTES } from './punch-datagram.ts';

export type PunchHandler = (from: Address, bytes: Uint8Array) => void;

export class PunchPort implements Transport {
  private downstream: ReceiveHandler | null = null;
  private readonly expected = new Map<string, PunchHandler>();
  /** Datagrams handed to a punch exchange / sent raw; for stats and tests. */
  intercepted = 0;
  rawSent = 0;

  constructor(private readonly inner: Transport) {
    inner.onReceive((from, bytes) => this.receive(from, bytes));
  }

  get localAddress(): Address {
    return this.inner.localAddress;
  }

  send(to: Address, bytes: Uint8Array): void {
    this.inner.send(to, bytes);
  }

  onReceive(handler: ReceiveHandler): void {
    this.downstream = handler;
  }

  /** Sends a datagram outside any session (a punch). */
  sendRaw(to: Address, bytes: Uint8Array): void {
    this.rawSent++;
    this.inner.send(to, bytes);
  }

  /** Routes datagrams starting with `id` to `handler` until the returned function is called. */
  expect(id: Uint8Array, handler: PunchHandler): () => void {
    const key = hexKey(id);
    this.expected.set(key, handler);
    return () => {
      if (this.expected.get(key) === handler) this.expected.delete(key);
    };
  }

  /** Ids currently expected (bounded by the NAT service's maxPunches x (punchAttempts + punchAckLimit)). */
  get expecting(): number {
    return this.expected.size;
  }

  private receive(from: Address, bytes: Uint8Array): void {
    if (this.expected.size > 0 && bytes.length >= PUNCH_ID_BYTES) {
      const handler = this.expected.get(hexKey(bytes.subarray(0, PUNCH_ID_BYTES)));
      if (handler !== undefined) {
        this.intercepted++;
        return handler(from, bytes);
      }
    }
    this.downstream?.(from, bytes);
  }
}
