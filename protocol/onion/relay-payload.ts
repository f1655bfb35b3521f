/**
 * The plaintext under the onion layers of a RELAY cell, and the bodies of the control relay commands.
 *   mac (16) | command (1) | length (2) | body (length) | random padding      (LAYERED_BYTES in all)
 *   mac = HMAC-SHA256(M, nonce | command | length | body | padding)[0:16]
 * M is the hop's forward MAC key Mf (cells to it) or backward Mb (cells from it), and nonce the cell nonce
 * as that hop sees it. A hop "recognises" a cell when the mac verifies under its key: a tag or bit flip by an
 * earlier relay turns the plaintext into noise, so it is recognised nowhere and dropped at the end.
 */
import { concatBytes, constantTimeEqual } from '../crypto/bytes.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import type { MessengerPeer } from '../messenger/messenger.ts';
import type { Rng } from '../runtime/rng.ts';
import { LAYERED_BYTES, MAC_BYTES, RELAY_BODY_MAX, RELAY_HEADER_BYTES } from './constants.ts';
import { AUTH_BYTES, POINT_BYTES } from './ntor.ts';

export function relayMac(suite: CryptoSuite, macKey: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return suite.hmacSha256(macKey, concatBytes(nonce, plaintext.subarray(MAC_BYTES))).subarray(0, MAC_BYTES);
}

/** A full LAYERED_BYTES plaintext carrying `command`/`body`, its mac computed for `nonce` under `macKey`. */
export function sealRelayPlaintext(
  suite: CryptoSuite,
  rng: Rng,
  macKey: Uint8Array,
  nonce: Uint8Array,
  command: number,
  body: Uint8Array,
  /** false: no padding (OnionConfig.cellPadding 'variable'). */
  pad = true,
): Uint8Array {
  if (body.length > RELAY_BODY_MAX) throw new RangeError(`relay body of ${body.length} bytes exceeds ${RELAY_BODY_MAX}`);
  const size = pad ? LAYERED_BYTES : RELAY_HEADER_BYTES + body.length;
  const p = new Uint8Array(size);
  p[MAC_BYTES] = command;
  p[MAC_BYTES + 1] = body.length >>> 8;
  p[MAC_BYTES + 2] = body.length & 0xff;
  p.set(body, RELAY_HEADER_BYTES);
  if (size > RELAY_HEADER_BYTES + body.length) p.set(rng.bytes(size - RELAY_HEADER_BYTES - body.length), RELAY_HEADER_BYTES + body.length);
  p.set(relayMac(suite, macKey, nonce, p), 0);
  return p;
}

export function isRecognized(suite: CryptoSuite, macKey: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): boolean {
  return constantTimeEqual(relayMac(suite, macKey, nonce, plaintext), plaintext.subarray(0, MAC_BYTES));
}

/** Command and body of a recognised plaintext; null when the length field overruns the cell. */
export function openRelayPlaintext(plaintext: Uint8Array): { command: number; body: Uint8Array } | null {
  // LAYERED_BYTES when cells are padded; shorter with cellPadding 'variable' (decodeCell enforced the mode).
  if (plaintext.length < RELAY_HEADER_BYTES || plaintext.length > LAYERED_BYTES) return null;
  const length = (plaintext[MAC_BYTES + 1] << 8) | plaintext[MAC_BYTES + 2];
  if (length > RELAY_BODY_MAX || RELAY_HEADER_BYTES + length > plaintext.length) return null;
  return { command: plaintext[MAC_BYTES], body: plaintext.slice(RELAY_HEADER_BYTES, RELAY_HEADER_BYTES + length) };
}

const te = new TextEncoder();
const td = new TextDecoder('utf-8', { fatal: true });
const ADDRESS_MAX_BYTES = 255;

/** EXTEND: nodePub (33) | X (33) | address length (1) | address (UTF-8). */
export function encodeExtend(next: MessengerPeer, X: Uint8Array): Uint8Array {
  const address = te.encode(next.address);
  if (address.length > ADDRESS_MAX_BYTES || next.nodePub.length !== POINT_BYTES || X.length !== POINT_BYTES) {
    throw new RangeError('EXTEND: address over 255 bytes or key not 33 bytes');
  }
  return concatBytes(next.nodePub, X, Uint8Array.of(address.length), address);
}

export function decodeExtend(body: Uint8Array): { next: MessengerPeer; X: Uint8Array } | null {
  const at = 2 * POINT_BYTES;
  if (body.length < at + 1 || body.length !== at + 1 + body[at]) return null;
  const nodePub = body.slice(0, POINT_BYTES);
  if (nodePub[0] !== 0x02 && nodePub[0] !== 0x03) return null;
  let address: string;
  try {
    address = td.decode(body.subarray(at + 1));
  } catch {
    return null;
  }
  if (address.length === 0) return null;
  return { next: { address, nodePub }, X: body.slice(POINT_BYTES, at) };
}

/** EXTENDED: Y (33) | auth (32). */
export function decodeExtended(body: Uint8Array): { Y: Uint8Array; auth: Uint8Array } | null {
  if (body.length !== POINT_BYTES + AUTH_BYTES) return null;
  return { Y: body.subarray(0, POINT_BYTES), auth: body.subarray(POINT_BYTES) };
}
