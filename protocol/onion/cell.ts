/**
 * Link cells: the body of every PayloadType.ONION message, exactly CELL_BYTES long so that a cell's kind,
 * circuit position and content length never show in its size (the session layer pads the datagram too).
 *   circId (4, big-endian) | cmd (1) | payload (CELL_PAYLOAD_BYTES: the command's fields, random padding)
 */
import type { Rng } from '../runtime/rng.ts';
import { CELL_BYTES, CELL_HEADER_BYTES, CELL_PAYLOAD_BYTES, CellCmd, NONCE_BYTES } from './constants.ts';
import { AUTH_BYTES, POINT_BYTES } from './ntor.ts';

export interface Cell {
  readonly circId: number;
  readonly cmd: number;
  /** CELL_PAYLOAD_BYTES, a view into the received body. */
  readonly payload: Uint8Array;
}

/** A cell with `fields` at the start of its payload and random padding after them. */
export function encodeCell(rng: Rng, circId: number, cmd: number, ...fields: Uint8Array[]): Uint8Array {
  return encodeCellPadded(rng, true, circId, cmd, fields);
}

/** encodeCell, or with `pad` false a cell only as long as its fields (OnionConfig.cellPadding 'variable'). */
export function encodeCellPadded(rng: Rng, pad: boolean, circId: number, cmd: number, fields: readonly Uint8Array[]): Uint8Array {
  const used = fields.reduce((n, f) => n + f.length, 0);
  if (used > CELL_PAYLOAD_BYTES) throw new RangeError(`cell fields of ${used} bytes exceed ${CELL_PAYLOAD_BYTES}`);
  const out = new Uint8Array(pad ? CELL_BYTES : CELL_HEADER_BYTES + used);
  const view = new DataView(out.buffer);
  view.setUint32(0, circId >>> 0);
  out[4] = cmd;
  let offset = CELL_HEADER_BYTES;
  for (const f of fields) {
    out.set(f, offset);
    offset += f.length;
  }
  if (out.length > offset) out.set(rng.bytes(out.length - offset), offset);
  return out;
}

/**
 * Null unless `body` is exactly CELL_BYTES (or, with `variable`, a header and at most CELL_BYTES) with a known
 * command and a non-zero circuit id.
 */
export function decodeCell(body: Uint8Array, variable = false): Cell | null {
  if (variable ? body.length < CELL_HEADER_BYTES || body.length > CELL_BYTES : body.length !== CELL_BYTES) return null;
  const circId = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(0);
  const cmd = body[4];
  if (circId === 0 || !KNOWN_CMDS.has(cmd)) return null;
  return { circId, cmd, payload: body.subarray(CELL_HEADER_BYTES) };
}

const KNOWN_CMDS = new Set<number>(Object.values(CellCmd));

/** Bytes of the relay-key hint in CREATE: which of a rotating relay's live NodeID keys the client expects. */
export const KEY_HINT_BYTES = 4;
/** CREATE: X | keyHint (first bytes of SHA-256(B), B the NodeID key the client took from the relay's contact). */
export const createFields = (payload: Uint8Array) => ({
  X: payload.subarray(0, POINT_BYTES),
  keyHint: payload.subarray(POINT_BYTES, POINT_BYTES + KEY_HINT_BYTES),
});
/** The CREATE hint of relay key `nodePub`. */
export const keyHintOf = (sha256: (b: Uint8Array) => Uint8Array, nodePub: Uint8Array): Uint8Array => sha256(nodePub).subarray(0, KEY_HINT_BYTES);
/** CREATED: Y | auth. */
export const createdFields = (payload: Uint8Array) => ({
  Y: payload.subarray(0, POINT_BYTES),
  auth: payload.subarray(POINT_BYTES, POINT_BYTES + AUTH_BYTES),
});
/** RELAY: nonce | layered. */
export const relayFields = (payload: Uint8Array) => ({ nonce: payload.subarray(0, NONCE_BYTES), layered: payload.subarray(NONCE_BYTES) });
/** DESTROY: reason code. */
export const destroyFields = (payload: Uint8Array) => ({ reason: payload[0] });
