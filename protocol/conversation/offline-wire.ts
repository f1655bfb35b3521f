/**
 * Payloads of offline letters (inside the offline seal): kind (1) | sentAtMs (8, whole ms) | data.
 *   MESSAGE: data = body
 *   ACK:     data = n (1, >= 1) | messageId (16) * n       the receiver's end-to-end ack of offline messages
 * decodeOfflinePayload returns null on anything malformed and never throws.
 */
import { concatBytes } from '../crypto/bytes.ts';
import { readU64, writeU64 } from '../packet/bytes.ts';
import { MESSAGE_ID_BYTES } from './wire.ts';

export const OfflineKind = { MESSAGE: 0x01, ACK: 0x02 } as const;
export const OFFLINE_HEADER_BYTES = 9;
export const MAX_ACK_IDS = 32;

export type OfflinePayload =
  | { readonly kind: 'message'; readonly sentAtMs: number; readonly body: Uint8Array }
  | { readonly kind: 'ack'; readonly sentAtMs: number; readonly ids: readonly Uint8Array[] };

function header(kind: number, sentAtMs: number): Uint8Array {
  const h = new Uint8Array(OFFLINE_HEADER_BYTES);
  h[0] = kind;
  writeU64(h, 1, Math.max(0, Math.floor(sentAtMs)));
  return h;
}

export function encodeOfflineMessage(sentAtMs: number, body: Uint8Array): Uint8Array {
  return concatBytes(header(OfflineKind.MESSAGE, sentAtMs), body);
}

export function encodeOfflineAck(sentAtMs: number, ids: readonly Uint8Array[]): Uint8Array {
  if (ids.length < 1 || ids.length > MAX_ACK_IDS) throw new RangeError(`an offline ack carries 1..${MAX_ACK_IDS} ids`);
  return concatBytes(header(OfflineKind.ACK, sentAtMs), Uint8Array.of(ids.length), ...ids);
}

export function decodeOfflinePayload(b: Uint8Array): OfflinePayload | null {
  if (b.length < OFFLINE_HEADER_BYTES) return null;
  const sentAtMs = readU64(b, 1);
  if (sentAtMs < 0) return null;
  const data = b.subarray(OFFLINE_HEADER_BYTES);
  if (b[0] === OfflineKind.MESSAGE) return { kind: 'message', sentAtMs, body: data.slice() };
  if (b[0] !== OfflineKind.ACK || data.length < 1) return null;
  const n = data[0];
  if (n < 1 || n > MAX_ACK_IDS || data.length !== 1 + n * MESSAGE_ID_BYTES) return null;
  const ids: Uint8Array[] = [];
  for (let i = 0; i < n; i++) ids.push(data.slice(1 + i * MESSAGE_ID_BYTES, 1 + (i + 1) * MESSAGE_ID_BYTES));
  return { kind: 'ack', sentAtMs, ids };
}
