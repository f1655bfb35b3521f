/**
 * One direction of a session: an AES-256-GCM key plus either a send counter or a receive replay window.
 * The counter is the nonce's invocation field (SP 800-38D §8.2.1), so a nonce never repeats under one key:
 * the sender refuses to seal once the counter reaches its limit and the session must rekey.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import { openDataPacket, parseDataHeader, sealDataFrame, type DataPacketOptions } from '../packet/data-packet.ts';
import { decoded, PacketEncodeError, rejected, type DecodeResult } from '../packet/errors.ts';
import type { Frame } from '../packet/frame.ts';
import { toggleHeaderMaskInPlace } from '../packet/header-protection.ts';
import { decodeInner } from '../packet/inner-codec.ts';
import type { Rng } from '../runtime/rng.ts';
import { ReplayWindow } from './replay-window.ts';

/*
 * The ciphers keep where their keys and ids lie (buffer, offset, length), not the views they were given: every
 * Uint8Array object costs ~100 B of heap beyond the 8-32 bytes it shows, and a node holds dozens of sessions with
 * four such views each (issue 14: <= 100 KiB per DHT node). A session's views all lie in its one `material` buffer
 * (session-material.ts), so what stays is that buffer, shared; a short-lived view is made per packet. Same memory
 * as the caller's arrays: destroy() erases the caller's bytes as before.
 */

export class SendCipher {
  private nextSeq = 0;
  private readonly keyBuffer: ArrayBufferLike;
  private readonly keyAt: number;
  private readonly keyLength: number;
  private readonly connIdBuffer: ArrayBufferLike;
  private readonly connIdAt: number;
  private readonly connIdLength: number;
  private readonly headerKeyBuffer: ArrayBufferLike;
  private readonly headerKeyAt: number;
  private readonly headerKeyLength: number;

  constructor(
    private readonly suite: CryptoSuite,
    key: Uint8Array,
    private readonly label: Uint8Array,
    /** The connId the peer chose for receiving: it heads every packet we send it. */
    remoteConnId: Uint8Array,
    /** The peer's header-protection key: every connId || seq we send it is masked under it. */
    remoteHeaderKey: Uint8Array,
    /** Packets this key may seal (seqs 0 .. limit-1). */
    private readonly limit: number,
  ) {
    this.keyBuffer = key.buffer;
    this.keyAt = key.byteOffset;
    this.keyLength = key.length;
    this.connIdBuffer = remoteConnId.buffer;
    this.connIdAt = remoteConnId.byteOffset;
    this.connIdLength = remoteConnId.length;
    this.headerKeyBuffer = remoteHeaderKey.buffer;
    this.headerKeyAt = remoteHeaderKey.byteOffset;
    this.headerKeyLength = remoteHeaderKey.length;
  }

  /** The connId the peer chose for receiving (a view made on demand). */
  get remoteConnId(): Uint8Array {
    return new Uint8Array(this.connIdBuffer, this.connIdAt, this.connIdLength);
  }

  private key(): Uint8Array {
    return new Uint8Array(this.keyBuffer, this.keyAt, this.keyLength);
  }

  private remoteHeaderKey(): Uint8Array {
    return new Uint8Array(this.headerKeyBuffer, this.headerKeyAt, this.headerKeyLength);
  }

  /** True once no more packets may be sealed under this key. */
  exhausted(): boolean {
    return this.nextSeq >= this.limit;
  }

  sent(): number {
    return this.nextSeq;
  }

  /** Seals `frame` under the next seq and masks its header. Throws PacketEncodeError('seq-exhausted') past the limit. */
  seal(frame: Frame, options: DataPacketOptions & { readonly rng: Rng }): Uint8Array {
    if (this.exhausted()) throw new PacketEncodeError('seq-exhausted', `send key used ${this.nextSeq} times; rekey`);
    const packet = sealDataFrame(this.suite, this.key(), this.label, { connId: this.remoteConnId, seq: this.nextSeq }, frame, options);
    this.nextSeq++;
    toggleHeaderMaskInPlace(this.suite, this.remoteHeaderKey(), packet); // a fresh datagram: mask it where it lies
    return packet;
  }

  /** Overwrites the key: after this nothing sealed under it can be produced again by this process. */
  destroy(): void {
    this.key().fill(0);
    this.nextSeq = this.limit;
  }
}

export class ReceiveCipher {
  readonly window: ReplayWindow;

  private readonly keyBuffer: ArrayBufferLike;
  private readonly keyAt: number;
  private readonly keyLength: number;

  constructor(
    private readonly suite: CryptoSuite,
    key: Uint8Array,
    private readonly label: Uint8Array,
    windowSize: number,
  ) {
    this.keyBuffer = key.buffer;
    this.keyAt = key.byteOffset;
    this.keyLength = key.length;
    this.window = new ReplayWindow(windowSize);
  }

  private key(): Uint8Array {
    return new Uint8Array(this.keyBuffer, this.keyAt, this.keyLength);
  }

  /**
   * `bytes` is the clear form: the receiver unmasked the header with its own header key to find the session.
   * Replay check (cheap, before decryption), then AEAD, then the window is advanced (only for authentic
   * packets, RFC 6479 §2), then the inner frame is decoded. Never throws.
   */
  open(bytes: Uint8Array, options: DataPacketOptions): DecodeResult<{ readonly seq: number; readonly frame: Frame }> {
    const header = parseDataHeader(bytes, options);
    if (!header.ok) return header;
    const seq = header.value.seq;
    const verdict = this.window.check(seq);
    if (verdict === 'replay') return rejected('replay', `seq ${seq} already received`);
    if (verdict === 'too-old') return rejected('too-old', `seq ${seq} is older than the replay window`);
    const opened = openDataPacket(this.suite, this.key(), this.label, bytes, options);
    if (!opened.ok) return opened;
    this.window.commit(seq);
    const frame = decodeInner(opened.value.inner);
    if (!frame.ok) return frame;
    return decoded({ seq, frame: frame.value });
  }

  /**
   * Whether `bytes` (clear form) authenticates under this key, without the replay window and without moving
   * it: tells the responder's first packet (seq 0) from another msg2 (also seq 0) after establishment.
   */
  authentic(bytes: Uint8Array, options: DataPacketOptions): boolean {
    return openDataPacket(this.suite, this.key(), this.label, bytes, options).ok;
  }

  destroy(): void {
    this.key().fill(0);
  }
}
