/**
 * Binary codec of DHT messages. Every message travels as one session payload (one payload type for the whole
 * DHT) and starts with a 1-byte message type and an 8-byte request id; replies echo the request's id.
 *
 *   PING        -                                   -> PONG       observed address (u8 len, may be 0)
 *   FIND_NODE   target key (32)                     -> NODES      u8 count, contacts
 *   FIND_VALUE  key (32), record type (u16)         -> VALUE      record type (u16), value (u16 len)  | NODES
 *   STORE       key (32), record type (u16), value  -> STORE_ACK  status (u8)
 *   GET_ONLINE  max (u8)                            -> ONLINE     u8 count, contacts   (entry cross-check)
 *   CONFIRM     u8 count, contacts                  -> CONFIRMED  u8 count, one status byte per contact
 *
 * A contact is nodePub (33, SEC1 compressed) + address (u8 length 1..64, UTF-8). The receiver derives the
 * contact's key as SHA-256(nodePub) itself; keys are never taken from the wire. Types 0x20-0x2f are reserved for
 * hole-punch coordination (a later issue); adding a type means adding one row to `CODECS`.
 *
 * Replies carrying contacts keep as many as fit in `maxBodyBytes` (the session's body budget, default 1190).
 * Decoding returns a discriminated result with a typed error code and never throws.
 */
import { KEY_BYTES, MAX_BODY_BYTES, REQUEST_ID_BYTES } from './constants.ts';
import type { DhtKey } from './keys.ts';
import type { DhtRecord, PeerRef } from './types.ts';
import { addressBytes, ByteReader, ByteWriter, WireError, type WireErrorCode } from './wire.ts';

export const MessageType = {
  PING: 0x01,
  PONG: 0x02,
  FIND_NODE: 0x03,
  NODES: 0x04,
  FIND_VALUE: 0x05,
  VALUE: 0x06,
  STORE: 0x07,
  STORE_ACK: 0x08,
  GET_ONLINE: 0x09,
  ONLINE: 0x0a,
  CONFIRM: 0x0b,
  CONFIRMED: 0x0c,
} as const;
export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];

/** First and last type number reserved for hole-punch coordination. */
export const RESERVED_HOLE_PUNCH_TYPES = [0x20, 0x2f] as const;

/** STORE_ACK status: why a STORE was refused, so publishers can count and report it. Wire value = index;
 * append only. */
/** Why a holder refuses a well-formed STORE; the DHT's drop reasons reuse them (stats.ts). */
export const STORE_REFUSALS = [
  'bad-signature',
  /** A binding stored or served under a key that is not SHA-256 of its own nodePub. */
  'foreign-binding',
  'expired',
  'not-yet-valid',
  'bad-expiry',
  'stale',
  'full',
  'unknown-record-type',
  'oversize',
  /** The key is outside the holder's store radius: it knows enough nodes closer to it (dht/store-admission.ts). */
  'too-far',
  /** The storing NodeID already holds its quota of records here. */
  'peer-quota',
  /** The storing host (IP) already holds its quota of records here, whatever NodeIDs it used. */
  'host-quota',
] as const;

/** STORE_ACK statuses; the index is the wire encoding, so the order is fixed. */
export const StoreStatus = ['stored', 'malformed', ...STORE_REFUSALS] as const;
export type StoreStatus = (typeof StoreStatus)[number];

/** CONFIRMED status per queried contact. */
export const ConfirmStatus = ['unknown', 'exists'] as const;
export type ConfirmStatus = (typeof ConfirmStatus)[number];

export type RequestId = Uint8Array;

export type DhtMessage =
  | { kind: 'ping'; requestId: RequestId }
  | { kind: 'pong'; requestId: RequestId; observedAddress: string }
  | { kind: 'find-node'; requestId: RequestId; target: DhtKey }
  | { kind: 'nodes'; requestId: RequestId; contacts: PeerRef[] }
  | { kind: 'find-value'; requestId: RequestId; key: DhtKey; recordType: number }
  | { kind: 'value'; requestId: RequestId; record: DhtRecord }
  | { kind: 'store'; requestId: RequestId; key: DhtKey; record: DhtRecord }
  | { kind: 'store-ack'; requestId: RequestId; status: StoreStatus }
  | { kind: 'get-online'; requestId: RequestId; max: number }
  | { kind: 'online'; requestId: RequestId; contacts: PeerRef[] }
  | { kind: 'confirm'; requestId: RequestId; contacts: PeerRef[] }
  | { kind: 'confirmed'; requestId: RequestId; statuses: ConfirmStatus[] };

export type MessageKind = DhtMessage['kind'];
export type RequestKind = 'ping' | 'find-node' | 'find-value' | 'store' | 'get-online' | 'confirm';
export type ReplyKind = Exclude<MessageKind, RequestKind>;
export type MessageOf<K extends MessageKind> = Extract<DhtMessage, { kind: K }>;

export type DecodeErrorCode = WireErrorCode;
export type DecodeResult = { ok: true; message: DhtMessage } | { ok: false; error: DecodeErrorCode; detail: string };

/** Requests and the reply kinds each accepts (FIND_VALUE answers with VALUE, or NODES when it has no value). */
export const REPLY_KINDS: Record<RequestKind, readonly ReplyKind[]> = {
  ping: ['pong'],
  'find-node': ['nodes'],
  'find-value': ['value', 'nodes'],
  store: ['store-ack'],
  'get-online': ['online'],
  confirm: ['confirmed'],
};

export function isReply(kind: MessageKind): kind is ReplyKind {
  return !(kind in REPLY_KINDS);
}

export function isRequest(msg: DhtMessage): msg is MessageOf<RequestKind> {
  return msg.kind in REPLY_KINDS;
}

const HEADER_BYTES = 1 + REQUEST_ID_BYTES;
/** Encoded size of a contact. */
export function contactBytes(peer: PeerRef): number {
  const n = addressBytes(peer.address);
  return n < 0 ? -1 : 33 + 1 + n;
}
/** STORE overhead besides the value: header, key, record type, value length. */
export const STORE_OVERHEAD_BYTES = HEADER_BYTES + KEY_BYTES + 2 + 2;

interface Codec<K extends MessageKind> {
  readonly type: number;
  encode(w: ByteWriter, msg: MessageOf<K>, budget: number): void;
  decode(r: ByteReader, requestId: RequestId): MessageOf<K>;
}

type CodecTable = { [K in MessageKind]: Codec<K> };

/** Writes as many contacts as fit in `budget` bytes (after the count byte); skips unencodable addresses. */
function writeContacts(w: ByteWriter, contacts: readonly PeerRef[], budget: number): void {
  const fitting: PeerRef[] = [];
  let used = w.length + 1;
  for (const c of contacts) {
    const size = contactBytes(c);
    if (size < 0 || c.nodePub.length !== 33) continue;
    if (used + size > budget || fitting.length === 255) break;
    fitting.push(c);
    used += size;
  }
  w.u8(fitting.length);
  for (const c of fitting) w.bytes(c.nodePub).shortString(c.address);
}

function readContacts(r: ByteReader): PeerRef[] {
  const count = r.u8('contact count');
  const out: PeerRef[] = [];
  for (let i = 0; i < count; i++) {
    const nodePub = r.nodePub(`contact ${i} nodePub`);
    out.push({ nodePub, address: r.address(`contact ${i} address`) });
  }
  return out;
}

function checkU8(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`${what} must fit in a byte, got ${v}`);
  return v;
}

function readEnum<T extends string>(r: ByteReader, table: readonly T[], what: string): T {
  const v = r.u8(what);
  if (v >= table.length) throw new WireError('bad-field', `${what} ${v}`);
  return table[v];
}

function writeRecord(w: ByteWriter, record: DhtRecord): void {
  w.u16(record.recordType).blob(record.value);
}

function readRecord(r: ByteReader): DhtRecord {
  const recordType = r.u16('record type');
  return { recordType, value: r.blob('value') };
}

const CODECS: CodecTable = {
  ping: { type: MessageType.PING, encode: () => {}, decode: (_r, requestId) => ({ kind: 'ping', requestId }) },
  pong: {
    type: MessageType.PONG,
    encode: (w, m) => void w.shortString(addressBytes(m.observedAddress) < 0 ? '' : m.observedAddress),
    decode: (r, requestId) => ({ kind: 'pong', requestId, observedAddress: r.address('observed address', true) }),
  },
  'find-node': {
    type: MessageType.FIND_NODE,
    encode: (w, m) => void w.bytes(m.target),
    decode: (r, requestId) => ({ kind: 'find-node', requestId, target: r.bytes(KEY_BYTES, 'target') }),
  },
  nodes: {
    type: MessageType.NODES,
    encode: (w, m, budget) => writeContacts(w, m.contacts, budget),
    decode: (r, requestId) => ({ kind: 'nodes', requestId, contacts: readContacts(r) }),
  },
  'find-value': {
    type: MessageType.FIND_VALUE,
    encode: (w, m) => void w.bytes(m.key).u16(m.recordType),
    decode: (r, requestId) => ({ kind: 'find-value', requestId, key: r.bytes(KEY_BYTES, 'key'), recordType: r.u16('record type') }),
  },
  value: {
    type: MessageType.VALUE,
    encode: (w, m) => writeRecord(w, m.record),
    decode: (r, requestId) => ({ kind: 'value', requestId, record: readRecord(r) }),
  },
  store: {
    type: MessageType.STORE,
    encode: (w, m) => writeRecord(w.bytes(m.key), m.record),
    decode: (r, requestId) => ({ kind: 'store', requestId, key: r.bytes(KEY_BYTES, 'key'), record: readRecord(r) }),
  },
  'store-ack': {
    type: MessageType.STORE_ACK,
    encode: (w, m) => void w.u8(StoreStatus.indexOf(m.status)),
    decode: (r, requestId) => ({ kind: 'store-ack', requestId, status: readEnum(r, StoreStatus, 'store status') }),
  },
  'get-online': {
    type: MessageType.GET_ONLINE,
    encode: (w, m) => void w.u8(checkU8(m.max, 'max')),
    decode: (r, requestId) => ({ kind: 'get-online', requestId, max: r.u8('max') }),
  },
  online: {
    type: MessageType.ONLINE,
    encode: (w, m, budget) => writeContacts(w, m.contacts, budget),
    decode: (r, requestId) => ({ kind: 'online', requestId, contacts: readContacts(r) }),
  },
  confirm: {
    type: MessageType.CONFIRM,
    encode: (w, m, budget) => writeContacts(w, m.contacts, budget),
    decode: (r, requestId) => ({ kind: 'confirm', requestId, contacts: readContacts(r) }),
  },
  confirmed: {
    type: MessageType.CONFIRMED,
    encode: (w, m) => {
      w.u8(checkU8(m.statuses.length, 'status count'));
      for (const s of m.statuses) w.u8(ConfirmStatus.indexOf(s));
    },
    decode: (r, requestId) => {
      const count = r.u8('status count');
      const statuses: ConfirmStatus[] = [];
      for (let i = 0; i < count; i++) statuses.push(readEnum(r, ConfirmStatus, `status ${i}`));
      return { kind: 'confirmed', requestId, statuses };
    },
  },
};

const BY_TYPE = new Map<number, Codec<MessageKind>>(Object.values(CODECS).map((c) => [c.type, c as Codec<MessageKind>]));

export interface MessageCodecInit {
  /** Largest body the session layer carries (default MAX_BODY_BYTES = 1190). */
  maxBodyBytes?: number;
}

export class MessageCodec {
  readonly maxBodyBytes: number;

  constructor(init: MessageCodecInit = {}) {
    this.maxBodyBytes = init.maxBodyBytes ?? MAX_BODY_BYTES;
    if (this.maxBodyBytes < STORE_OVERHEAD_BYTES + 1) throw new RangeError(`maxBodyBytes too small: ${this.maxBodyBytes}`);
  }

  /** Largest record value a STORE can carry within the budget. */
  get maxValueBytes(): number {
    return Math.min(0xffff, this.maxBodyBytes - STORE_OVERHEAD_BYTES);
  }

  /**
   * Encodes `msg`. Contact lists are trimmed to the budget; any other message that does not fit (a record value
   * above `maxValueBytes`) is a caller bug and throws RangeError; callers check sizes before building messages.
   */
  encode(msg: DhtMessage): Uint8Array {
    const codec = CODECS[msg.kind] as Codec<MessageKind>;
    if (msg.requestId.length !== REQUEST_ID_BYTES) throw new RangeError('requestId must be 8 bytes');
    const w = new ByteWriter(256);
    w.u8(codec.type).bytes(msg.requestId);
    codec.encode(w, msg, this.maxBodyBytes);
    if (w.length > this.maxBodyBytes) throw new RangeError(`${msg.kind} needs ${w.length} bytes > ${this.maxBodyBytes}`);
    return w.finish();
  }

  decode(body: Uint8Array): DecodeResult {
    if (body.length > this.maxBodyBytes) return fail('oversize', `${body.length} > ${this.maxBodyBytes} bytes`);
    try {
      const r = new ByteReader(body);
      const type = r.u8('type');
      const codec = BY_TYPE.get(type);
      if (codec === undefined) return fail('unknown-type', `type 0x${type.toString(16)}`);
      const requestId = r.bytes(REQUEST_ID_BYTES, 'request id');
      const message = codec.decode(r, requestId);
      r.end();
      return { ok: true, message };
    } catch (err) {
      if (err instanceof WireError) return fail(err.code, err.message);
      throw err;
    }
  }
}

function fail(error: DecodeErrorCode, detail: string): DecodeResult {
  return { ok: false, error, detail };
}
