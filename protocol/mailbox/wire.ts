/**
 * Byte formats of the mailbox relay commands (constants.ts MailboxCmd has the layouts). Every decoder returns
 * null on anything malformed and never throws; fuzz.test.ts checks that. Timestamps on the wire are whole ms.
 */
import { concatBytes } from '../crypto/bytes.ts';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from '../crypto/p256.ts';
import { readU64, writeU64 } from '../packet/bytes.ts';
import { RELAY_BODY_MAX } from '../onion/constants.ts';
import { ITEM_ID_BYTES, MAILBOX_KEY_BYTES, REQ_ID_BYTES, SENDER_TAG_BYTES } from './constants.ts';

const APPEND_HEADER = REQ_ID_BYTES + MAILBOX_KEY_BYTES + SENDER_TAG_BYTES;
const REPLICATE_HEADER = APPEND_HEADER + 8;
/** Largest sealed item: what fits in one REPLICATE relay cell (the longest header of the three carrying items). */
export const MAX_ITEM_BYTES = RELAY_BODY_MAX - REPLICATE_HEADER;
/** Item ids one DELETE carries. */
export const MAX_DELETE_IDS = Math.floor((RELAY_BODY_MAX - REQ_ID_BYTES - MAILBOX_KEY_BYTES - PUBLIC_KEY_BYTES - 8 - 1 - SIGNATURE_BYTES) / ITEM_ID_BYTES);

export interface AppendMsg {
  readonly reqId: number;
  readonly key: Uint8Array;
  readonly senderTag: Uint8Array;
  readonly item: Uint8Array;
}
export interface ReplicateMsg extends AppendMsg {
  readonly storedAtMs: number;
}
export interface StatusMsg {
  readonly reqId: number;
  readonly status: number;
  /** LIST_END: items sent; DELETE_REPLY: items deleted. */
  readonly count: number;
}
export interface ProofMsg {
  readonly reqId: number;
  readonly key: Uint8Array;
  readonly blindedPub: Uint8Array;
  readonly timestampMs: number;
  readonly itemIds: readonly Uint8Array[];
  readonly signature: Uint8Array;
}
export interface ListItemMsg {
  readonly reqId: number;
  readonly storedAtMs: number;
  readonly senderTag: Uint8Array;
  readonly item: Uint8Array;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0);
  return b;
}
function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  writeU64(b, 0, Math.max(0, Math.floor(n)));
  return b;
}
function readU32(b: Uint8Array, o: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(o);
}
function readU16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

export function encodeAppend(m: AppendMsg): Uint8Array {
  return concatBytes(u32(m.reqId), m.key, m.senderTag, m.item);
}
export function decodeAppend(b: Uint8Array): AppendMsg | null {
  if (b.length <= APPEND_HEADER || b.length - APPEND_HEADER > MAX_ITEM_BYTES) return null;
  return {
    reqId: readU32(b, 0),
    key: b.slice(4, 36),
    senderTag: b.slice(36, APPEND_HEADER),
    item: b.slice(APPEND_HEADER),
  };
}

export function encodeReplicate(m: ReplicateMsg): Uint8Array {
  return concatBytes(u32(m.reqId), m.key, m.senderTag, u64(m.storedAtMs), m.item);
}
export function decodeReplicate(b: Uint8Array): ReplicateMsg | null {
  if (b.length <= REPLICATE_HEADER || b.length - REPLICATE_HEADER > MAX_ITEM_BYTES) return null;
  const storedAtMs = readU64(b, APPEND_HEADER);
  if (storedAtMs < 0) return null;
  return { reqId: readU32(b, 0), key: b.slice(4, 36), senderTag: b.slice(36, APPEND_HEADER), storedAtMs, item: b.slice(REPLICATE_HEADER) };
}

/** APPEND_REPLY (count ignored), LIST_END and DELETE_REPLY share: reqId(4) | status(1) [| count(2)]. */
export function encodeStatus(m: StatusMsg, withCount: boolean): Uint8Array {
  const b = new Uint8Array(withCount ? 7 : 5);
  b.set(u32(m.reqId));
  b[4] = m.status;
  if (withCount) {
    b[5] = (m.count >> 8) & 0xff;
    b[6] = m.count & 0xff;
  }
  return b;
}
export function decodeStatus(b: Uint8Array, withCount: boolean): StatusMsg | null {
  if (b.length !== (withCount ? 7 : 5)) return null;
  return { reqId: readU32(b, 0), status: b[4], count: withCount ? readU16(b, 5) : 0 };
}

export function encodeProof(m: ProofMsg, withIds: boolean): Uint8Array {
  const ids = withIds ? [Uint8Array.of(m.itemIds.length), ...m.itemIds] : [];
  return concatBytes(u32(m.reqId), m.key, m.blindedPub, u64(m.timestampMs), ...ids, m.signature);
}
export function decodeProof(b: Uint8Array, withIds: boolean): ProofMsg | null {
  const fixed = REQ_ID_BYTES + MAILBOX_KEY_BYTES + PUBLIC_KEY_BYTES + 8;
  if (b.length < fixed + SIGNATURE_BYTES + (withIds ? 1 : 0)) return null;
  let o = 4;
  const key = b.slice(o, (o += MAILBOX_KEY_BYTES));
  const blindedPub = b.slice(o, (o += PUBLIC_KEY_BYTES));
  const timestampMs = readU64(b, o);
  o += 8;
  if (timestampMs < 0) return null;
  const itemIds: Uint8Array[] = [];
  if (withIds) {
    const n = b[o++];
    if (n === 0 || n > MAX_DELETE_IDS) return null;
    for (let i = 0; i < n; i++) itemIds.push(b.slice(o, (o += ITEM_ID_BYTES)));
  }
  if (b.length !== o + SIGNATURE_BYTES) return null;
  return { reqId: readU32(b, 0), key, blindedPub, timestampMs, itemIds, signature: b.slice(o) };
}

export function encodeListItem(m: ListItemMsg): Uint8Array {
  return concatBytes(u32(m.reqId), u64(m.storedAtMs), m.senderTag, m.item);
}
const LIST_ITEM_HEADER = REQ_ID_BYTES + 8 + SENDER_TAG_BYTES;
export function decodeListItem(b: Uint8Array): ListItemMsg | null {
  if (b.length <= LIST_ITEM_HEADER || b.length - LIST_ITEM_HEADER > MAX_ITEM_BYTES) return null;
  const storedAtMs = readU64(b, 4);
  if (storedAtMs < 0) return null;
  return { reqId: readU32(b, 0), storedAtMs, senderTag: b.slice(12, LIST_ITEM_HEADER), item: b.slice(LIST_ITEM_HEADER) };
}
