/**
 * Bodies of the introduction and rendezvous relay cells (rend-spec-v3 §3, reduced). Big-endian, fixed order:
 *
 *   ESTABLISH_INTRO         authKey (33) || issuedAtMs (u64) || sig (64)       service -> intro point
 *                           sig = ECDSA(authPriv, u8 len || "paratox/v1/establish-intro" || authKey || issuedAtMs)
 *   INTRO_ESTABLISHED       status (u8)                                        intro point -> service
 *   INTRODUCE1 / 2          authKey (33) || u16 len || sealed                  client -> intro -> service
 *   INTRODUCE_ACK           status (u8)                                        intro point -> client
 *   ESTABLISH_RENDEZVOUS    cookie (20)                                        client -> rendezvous point
 *   RENDEZVOUS_ESTABLISHED  status (u8)                                        rendezvous point -> client/service
 *   RENDEZVOUS1             cookie (20) || tag (32)                            service -> rendezvous point
 *   RENDEZVOUS2             tag (32)                                           rendezvous point -> client
 *   DATA                    payload (raw, <= RELAY_BODY_MAX)                   either end <-> rendezvous point
 *
 * Decoders never throw: any defect returns null, which the receiver counts as a 'malformed' drop.
 */
import { utf8 } from '../crypto/bytes.ts';
import { NODE_PUB_BYTES, SIGNATURE_BYTES } from '../dht/constants.ts';
import { ByteReader, ByteWriter, WireError } from '../dht/wire.ts';
import { COOKIE_BYTES, ESTABLISH_INTRO_LABEL, RENDEZVOUS_TAG_BYTES } from './constants.ts';

/** Status byte of INTRO_ESTABLISHED, INTRODUCE_ACK and RENDEZVOUS_ESTABLISHED. Wire value = index; append only. */
export const STATUSES = [
  'ok',
  'malformed',
  /** INTRODUCE1 names no registered auth key. */
  'unknown-service',
  'rate-limited',
  /** A bounded table (registrations, cookies, splices) is full. */
  'full',
  /** ESTABLISH_INTRO not newer than the registration it would replace, or outside the clock-skew window. */
  'stale',
  'bad-proof',
  /** This circuit already holds an intro registration, a cookie or a splice. */
  'circuit-in-use',
  'cookie-in-use',
  'unknown-cookie',
  /** The service's intro circuit did not take the cell. */
  'relay-failed',
] as const;
export type Status = (typeof STATUSES)[number];

const ESTABLISH_LABEL_BYTES = utf8(ESTABLISH_INTRO_LABEL);

export interface EstablishIntro {
  readonly authKey: Uint8Array;
  readonly issuedAtMs: number;
  readonly signature: Uint8Array;
}

export interface Introduce {
  readonly authKey: Uint8Array;
  readonly sealed: Uint8Array;
}

export interface Rendezvous1 {
  readonly cookie: Uint8Array;
  readonly tag: Uint8Array;
}

function decodeWith<T>(bytes: Uint8Array, read: (r: ByteReader) => T): T | null {
  try {
    const r = new ByteReader(bytes);
    const value = read(r);
    r.end();
    return value;
  } catch (err) {
    if (err instanceof WireError) return null;
    throw err;
  }
}

/** The bytes an intro auth key signs to claim a registration (fresh issuedAtMs: a replay cannot take it over). */
export function establishIntroSigningBytes(authKey: Uint8Array, issuedAtMs: number): Uint8Array {
  return new ByteWriter(80).u8(ESTABLISH_LABEL_BYTES.length).bytes(ESTABLISH_LABEL_BYTES).bytes(authKey).u64(issuedAtMs).finish();
}

export function encodeEstablishIntro(m: EstablishIntro): Uint8Array {
  return new ByteWriter(112).bytes(m.authKey).u64(m.issuedAtMs).bytes(m.signature).finish();
}

export function decodeEstablishIntro(bytes: Uint8Array): EstablishIntro | null {
  return decodeWith(bytes, (r) => ({ authKey: r.nodePub('auth key'), issuedAtMs: r.u64('issuedAtMs'), signature: r.bytes(SIGNATURE_BYTES, 'signature') }));
}

export function encodeStatus(status: Status): Uint8Array {
  return Uint8Array.of(STATUSES.indexOf(status));
}

export function decodeStatus(bytes: Uint8Array): Status | null {
  return bytes.length === 1 && bytes[0] < STATUSES.length ? STATUSES[bytes[0]] : null;
}

export function encodeIntroduce(m: Introduce): Uint8Array {
  return new ByteWriter(NODE_PUB_BYTES + 2 + m.sealed.length).bytes(m.authKey).blob(m.sealed).finish();
}

export function decodeIntroduce(bytes: Uint8Array): Introduce | null {
  return decodeWith(bytes, (r) => ({ authKey: r.nodePub('auth key'), sealed: r.blob('sealed') }));
}

export function encodeCookie(cookie: Uint8Array): Uint8Array {
  if (cookie.length !== COOKIE_BYTES) throw new RangeError(`cookie must be ${COOKIE_BYTES} bytes`);
  return cookie.slice();
}

export function decodeCookie(bytes: Uint8Array): Uint8Array | null {
  return bytes.length === COOKIE_BYTES ? bytes.slice() : null;
}

export function encodeRendezvous1(m: Rendezvous1): Uint8Array {
  return new ByteWriter(COOKIE_BYTES + RENDEZVOUS_TAG_BYTES).bytes(m.cookie).bytes(m.tag).finish();
}

export function decodeRendezvous1(bytes: Uint8Array): Rendezvous1 | null {
  return decodeWith(bytes, (r) => ({ cookie: r.bytes(COOKIE_BYTES, 'cookie'), tag: r.bytes(RENDEZVOUS_TAG_BYTES, 'tag') }));
}

export function decodeRendezvous2(bytes: Uint8Array): Uint8Array | null {
  return bytes.length === RENDEZVOUS_TAG_BYTES ? bytes.slice() : null;
}
