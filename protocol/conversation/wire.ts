/**
 * Byte formats carried over a Channel. Every channel payload starts with a kind byte:
 *
 *   INIT      0x01  ECIES_to_SB( SA (33) || EA (33) || timestampMs (8) )          aad = kind        124 B
 *   RESPONSE  0x02  ER (33) || tagR (32)                                                              66 B
 *   CONFIRM   0x03  tagI (32)                                                                         33 B
 *   RECORD    0x04  counter (8) || AES-256-GCM(key_dir, nonce = 0^4 || counter, frame, aad = kind || counter)
 *
 * SA / SB: the AccountID (static) keys of initiator Alice / responder Bob; EA / ER: fresh ephemerals. Only
 * INIT names Alice, and only inside the ECIES box: the rendezvous point and relays see a random point and
 * ciphertext. RESPONSE and CONFIRM carry a random point and HMAC tags keyed by Z, which nobody without a static
 * private key can check against a guess of who is talking.
 *
 * Frames inside a RECORD (first byte = frame type):
 *   FRAG   0x10  stream (8) || seq u32 || floor u32 || messageId (16) || index u16 || count u16 || total u32 || data
 *   ACK    0x11  stream (8) || cumulative u32 || n u8 || n x ( seq u32 || count u16 || first u16 || bits u16 || bitmap )
 *   READY  0x12  (empty: the responder saw the confirmation; stops the initiator resending it)
 *
 * `stream` names one sender's numbering of messages (random per sender and peer), so a restarted sender is not
 * taken for a replay. `floor`: every seq below it is resolved at the sender (acknowledged or given up), so the
 * receiver may skip a gap. An ACK entry says fragments [0, first) are held and bitmap bit i tells fragment
 * first + i; first = count means the whole message is held. Decoders never throw.
 */
import { ECIES_OVERHEAD_BYTES } from '../crypto/ecies.ts';
import { PUBLIC_KEY_BYTES } from '../crypto/p256.ts';
import { readU64, writeU64 } from '../packet/bytes.ts';
import type { ConversationDropReason } from './stats.ts';

export const PayloadKind = { INIT: 0x01, RESPONSE: 0x02, CONFIRM: 0x03, RECORD: 0x04 } as const;
export const FrameType = { FRAG: 0x10, ACK: 0x11, READY: 0x12 } as const;

export const TAG_BYTES = 32;
export const STREAM_BYTES = 8;
export const MESSAGE_ID_BYTES = 16;
export const COUNTER_BYTES = 8;
export const AEAD_TAG_BYTES = 16;
export const INIT_PLAINTEXT_BYTES = 2 * PUBLIC_KEY_BYTES + 8;
export const INIT_BYTES = 1 + ECIES_OVERHEAD_BYTES + INIT_PLAINTEXT_BYTES;
export const RESPONSE_BYTES = 1 + PUBLIC_KEY_BYTES + TAG_BYTES;
export const CONFIRM_BYTES = 1 + TAG_BYTES;
export const RECORD_OVERHEAD_BYTES = 1 + COUNTER_BYTES + AEAD_TAG_BYTES;
export const FRAG_HEADER_BYTES = 1 + STREAM_BYTES + 4 + 4 + MESSAGE_ID_BYTES + 2 + 2 + 4;
export const ACK_HEADER_BYTES = 1 + STREAM_BYTES + 4 + 1;
export const ACK_ENTRY_HEADER_BYTES = 4 + 2 + 2 + 2;
export const MAX_FRAGMENTS = 0xffff;
export const MAX_U32 = 0xffff_ffff;

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: ConversationDropReason };
export const ok = <T>(value: T): Decoded<T> => ({ ok: true, value });
export const fail = <T = never>(reason: ConversationDropReason): Decoded<T> => ({ ok: false, reason });

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

// ---- handshake payloads -----------------------------------------------------------------------------------

export interface ResponsePayload {
  readonly responderEphemeralPub: Uint8Array;
  readonly tag: Uint8Array;
}

export function encodeResponse(p: ResponsePayload): Uint8Array {
  const out = new Uint8Array(RESPONSE_BYTES);
  out[0] = PayloadKind.RESPONSE;
  out.set(p.responderEphemeralPub, 1);
  out.set(p.tag, 1 + PUBLIC_KEY_BYTES);
  return out;
}

export function decodeResponse(b: Uint8Array): Decoded<ResponsePayload> {
  if (b.length !== RESPONSE_BYTES || b[0] !== PayloadKind.RESPONSE) return fail('malformed');
  return ok({ responderEphemeralPub: b.slice(1, 1 + PUBLIC_KEY_BYTES), tag: b.slice(1 + PUBLIC_KEY_BYTES) });
}

export function encodeConfirm(tag: Uint8Array): Uint8Array {
  const out = new Uint8Array(CONFIRM_BYTES);
  out[0] = PayloadKind.CONFIRM;
  out.set(tag, 1);
  return out;
}

export function decodeConfirm(b: Uint8Array): Decoded<Uint8Array> {
  if (b.length !== CONFIRM_BYTES || b[0] !== PayloadKind.CONFIRM) return fail('malformed');
  return ok(b.slice(1));
}

export interface InitPlaintext {
  readonly initiatorStaticPub: Uint8Array;
  readonly initiatorEphemeralPub: Uint8Array;
  readonly timestampMs: number;
}

export function encodeInitPlaintext(p: InitPlaintext): Uint8Array {
  const out = new Uint8Array(INIT_PLAINTEXT_BYTES);
  out.set(p.initiatorStaticPub, 0);
  out.set(p.initiatorEphemeralPub, PUBLIC_KEY_BYTES);
  writeU64(out, 2 * PUBLIC_KEY_BYTES, Math.max(0, Math.floor(p.timestampMs)));
  return out;
}

export function decodeInitPlaintext(b: Uint8Array): Decoded<InitPlaintext> {
  if (b.length !== INIT_PLAINTEXT_BYTES) return fail('malformed');
  const timestampMs = readU64(b, 2 * PUBLIC_KEY_BYTES);
  if (timestampMs < 0) return fail('stale-handshake');
  return ok({ initiatorStaticPub: b.slice(0, PUBLIC_KEY_BYTES), initiatorEphemeralPub: b.slice(PUBLIC_KEY_BYTES, 2 * PUBLIC_KEY_BYTES), timestampMs });
}

// ---- records ----------------------------------------------------------------------------------------------

export interface RecordHeader {
  readonly counter: number;
}

export function parseRecordHeader(b: Uint8Array): Decoded<RecordHeader> {
  if (b.length < RECORD_OVERHEAD_BYTES || b[0] !== PayloadKind.RECORD) return fail('malformed');
  const counter = readU64(b, 1);
  if (counter < 0) return fail('malformed');
  return ok({ counter });
}

// ---- frames -----------------------------------------------------------------------------------------------

export interface FragFrame {
  readonly type: typeof FrameType.FRAG;
  readonly stream: Uint8Array;
  readonly seq: number;
  readonly floor: number;
  readonly messageId: Uint8Array;
  readonly index: number;
  readonly count: number;
  readonly total: number;
  readonly data: Uint8Array;
}

export interface AckEntry {
  readonly seq: number;
  readonly count: number;
  /** Fragments [0, first) are held. first === count: the whole message is held. */
  readonly first: number;
  /** Bit i (LSB first within each byte) = fragment first + i is held. */
  readonly bits: number;
  readonly bitmap: Uint8Array;
}

export interface AckFrame {
  readonly type: typeof FrameType.ACK;
  readonly stream: Uint8Array;
  /** Every seq below it is delivered (or skipped). */
  readonly cumulative: number;
  readonly entries: readonly AckEntry[];
}

export interface ReadyFrame {
  readonly type: typeof FrameType.READY;
}

export type Frame = FragFrame | AckFrame | ReadyFrame;

export function encodeFrag(f: Omit<FragFrame, 'type'>): Uint8Array {
  const out = new Uint8Array(FRAG_HEADER_BYTES + f.data.length);
  const v = view(out);
  out[0] = FrameType.FRAG;
  out.set(f.stream, 1);
  let o = 1 + STREAM_BYTES;
  v.setUint32(o, f.seq);
  v.setUint32(o + 4, f.floor);
  out.set(f.messageId, o + 8);
  o += 8 + MESSAGE_ID_BYTES;
  v.setUint16(o, f.index);
  v.setUint16(o + 2, f.count);
  v.setUint32(o + 4, f.total);
  out.set(f.data, FRAG_HEADER_BYTES);
  return out;
}

export function ackEntryBytes(e: AckEntry): number {
  return ACK_ENTRY_HEADER_BYTES + Math.ceil(e.bits / 8);
}

export function encodeAck(f: Omit<AckFrame, 'type'>): Uint8Array {
  const length = f.entries.reduce((n, e) => n + ackEntryBytes(e), ACK_HEADER_BYTES);
  const out = new Uint8Array(length);
  const v = view(out);
  out[0] = FrameType.ACK;
  out.set(f.stream, 1);
  let o = 1 + STREAM_BYTES;
  v.setUint32(o, f.cumulative);
  out[o + 4] = f.entries.length;
  o += 5;
  for (const e of f.entries) {
    v.setUint32(o, e.seq);
    v.setUint16(o + 4, e.count);
    v.setUint16(o + 6, e.first);
    v.setUint16(o + 8, e.bits);
    out.set(e.bitmap.subarray(0, Math.ceil(e.bits / 8)), o + ACK_ENTRY_HEADER_BYTES);
    o += ackEntryBytes(e);
  }
  return out;
}

export function encodeReady(): Uint8Array {
  return Uint8Array.of(FrameType.READY);
}

function decodeFrag(b: Uint8Array): Decoded<FragFrame> {
  if (b.length < FRAG_HEADER_BYTES) return fail('malformed');
  const v = view(b);
  let o = 1 + STREAM_BYTES;
  const seq = v.getUint32(o);
  const floor = v.getUint32(o + 4);
  const messageId = b.slice(o + 8, o + 8 + MESSAGE_ID_BYTES);
  o += 8 + MESSAGE_ID_BYTES;
  const index = v.getUint16(o);
  const count = v.getUint16(o + 2);
  const total = v.getUint32(o + 4);
  const data = b.slice(FRAG_HEADER_BYTES);
  // An honest sender never leaves seq below floor in flight, never sends an empty fragment, index < count.
  if (count === 0 || index >= count || floor > seq || data.length > total || (data.length === 0 && total !== 0)) return fail('malformed');
  return ok({ type: FrameType.FRAG, stream: b.slice(1, 1 + STREAM_BYTES), seq, floor, messageId, index, count, total, data });
}

function decodeAck(b: Uint8Array): Decoded<AckFrame> {
  if (b.length < ACK_HEADER_BYTES) return fail('malformed');
  const v = view(b);
  const cumulative = v.getUint32(1 + STREAM_BYTES);
  const n = b[1 + STREAM_BYTES + 4];
  const entries: AckEntry[] = [];
  let o = ACK_HEADER_BYTES;
  for (let i = 0; i < n; i++) {
    if (o + ACK_ENTRY_HEADER_BYTES > b.length) return fail('malformed');
    const seq = v.getUint32(o);
    const count = v.getUint16(o + 4);
    const first = v.getUint16(o + 6);
    const bits = v.getUint16(o + 8);
    const end = o + ACK_ENTRY_HEADER_BYTES + Math.ceil(bits / 8);
    if (end > b.length || count === 0 || first > count || first + bits > count) return fail('malformed');
    entries.push({ seq, count, first, bits, bitmap: b.slice(o + ACK_ENTRY_HEADER_BYTES, end) });
    o = end;
  }
  if (o !== b.length) return fail('malformed');
  return ok({ type: FrameType.ACK, stream: b.slice(1, 1 + STREAM_BYTES), cumulative, entries });
}

const FRAME_DECODERS: Record<number, (b: Uint8Array) => Decoded<Frame>> = {
  [FrameType.FRAG]: decodeFrag,
  [FrameType.ACK]: decodeAck,
  [FrameType.READY]: (b) => (b.length === 1 ? ok({ type: FrameType.READY }) : fail('malformed')),
};

export function decodeFrame(b: Uint8Array): Decoded<Frame> {
  const decoder = b.length > 0 ? FRAME_DECODERS[b[0]] : undefined;
  return decoder ? decoder(b) : fail('malformed');
}
