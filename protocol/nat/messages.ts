/**
 * Binary codec of NAT traversal messages. All travel as bodies of one session payload type (PayloadType.NAT),
 * so each is inside an ordinary fixed-size encrypted packet and its sender is authenticated by the session.
 * The first byte is the message type, taken from the 0x20-0x2f range the DHT codec reserved for hole punching.
 *
 *   REGISTER       requestId, mapping                                        client -> rendezvous
 *   REGISTERED     requestId, ttlMs (u64), observedAddress                   rendezvous -> client
 *   PUNCH_REQUEST  requestId, targetPub, mapping                             A -> R
 *   PUNCH_READY    requestId, targetPub, nonce, targetAddress, targetMapping, observedAddress   R -> A
 *   PUNCH_NOTIFY   nonce, requesterPub, requesterAddress, requesterMapping   R -> B
 *   REFUSED        requestId, reason                                         R -> A (register, punch, relay)
 *   PROBE          requestId                                                 A -> B (direct, punched or relayed)
 *   PROBE_ACK      requestId                                                 B -> A
 *   RELAY          requestId, targetPub, sealed (u16 length)                 A -> R
 *   RELAYED        sourcePub, sealed (u16 length)                            R -> B
 *
 * Addresses are as the sender observed them (u8 length, UTF-8, 1..64 bytes); keys are 33-byte SEC1 compressed
 * points. Decoding returns a typed result and never throws (dht/wire.ts's reader signals errors).
 */
import { ByteReader, ByteWriter, WireError, addressBytes, type WireErrorCode } from '../dht/wire.ts';
import { NONCE_BYTES, REQUEST_ID_BYTES } from './constants.ts';

export const NatMessageType = {
  REGISTER: 0x20,
  REGISTERED: 0x21,
  PUNCH_REQUEST: 0x22,
  PUNCH_READY: 0x23,
  PUNCH_NOTIFY: 0x24,
  REFUSED: 0x25,
  PROBE: 0x26,
  PROBE_ACK: 0x27,
  RELAY: 0x28,
  RELAYED: 0x29,
} as const;

/** NAT mapping behaviour (RFC 4787 §4.1) as a node judges its own; wire value = index. Append only. */
export const MappingBehaviour = ['unknown', 'endpoint-independent', 'address-dependent'] as const;
export type MappingBehaviour = (typeof MappingBehaviour)[number];

/** Why a rendezvous refused a request; wire value = index. Append only. */
export const RefusalReason = ['unknown-target', 'self', 'rate-limited', 'overloaded', 'relay-disabled'] as const;
export type RefusalReason = (typeof RefusalReason)[number];

export type NatMessage =
  | { kind: 'register'; requestId: Uint8Array; mapping: MappingBehaviour }
  | { kind: 'registered'; requestId: Uint8Array; ttlMs: number; observedAddress: string }
  | { kind: 'punch-request'; requestId: Uint8Array; targetPub: Uint8Array; mapping: MappingBehaviour }
  | {
      kind: 'punch-ready';
      requestId: Uint8Array;
      targetPub: Uint8Array;
      nonce: Uint8Array;
      targetAddress: string;
      targetMapping: MappingBehaviour;
      observedAddress: string;
    }
  | { kind: 'punch-notify'; nonce: Uint8Array; requesterPub: Uint8Array; requesterAddress: string; requesterMapping: MappingBehaviour }
  | { kind: 'refused'; requestId: Uint8Array; reason: RefusalReason }
  | { kind: 'probe'; requestId: Uint8Array }
  | { kind: 'probe-ack'; requestId: Uint8Array }
  | { kind: 'relay'; requestId: Uint8Array; targetPub: Uint8Array; sealed: Uint8Array }
  | { kind: 'relayed'; sourcePub: Uint8Array; sealed: Uint8Array };

export type NatMessageKind = NatMessage['kind'];
export type NatMessageOf<K extends NatMessageKind> = Extract<NatMessage, { kind: K }>;

export type NatDecodeResult = { ok: true; message: NatMessage } | { ok: false; error: WireErrorCode; detail: string };

interface Codec<K extends NatMessageKind> {
  readonly type: number;
  encode(w: ByteWriter, m: NatMessageOf<K>): void;
  decode(r: ByteReader): NatMessageOf<K>;
}

const id = (r: ByteReader): Uint8Array => r.bytes(REQUEST_ID_BYTES, 'request id');
const nonce = (r: ByteReader): Uint8Array => r.bytes(NONCE_BYTES, 'nonce');

function fixed(b: Uint8Array, n: number, what: string): Uint8Array {
  if (b.length !== n) throw new RangeError(`${what} must be ${n} bytes, got ${b.length}`);
  return b;
}

const writeId = (w: ByteWriter, v: Uint8Array): ByteWriter => w.bytes(fixed(v, REQUEST_ID_BYTES, 'requestId'));
const writeNonce = (w: ByteWriter, v: Uint8Array): ByteWriter => w.bytes(fixed(v, NONCE_BYTES, 'nonce'));
const writePub = (w: ByteWriter, v: Uint8Array, what: string): ByteWriter => w.bytes(fixed(v, 33, what));

function writeAddress(w: ByteWriter, a: string, what: string): ByteWriter {
  if (addressBytes(a) < 0) throw new RangeError(`${what} is not an encodable address: ${JSON.stringify(a)}`);
  return w.shortString(a);
}

function readEnum<T extends string>(r: ByteReader, table: readonly T[], what: string): T {
  const v = r.u8(what);
  if (v >= table.length) throw new WireError('bad-field', `${what} ${v}`);
  return table[v];
}

function writeEnum<T extends string>(w: ByteWriter, table: readonly T[], v: T): ByteWriter {
  const i = table.indexOf(v);
  if (i < 0) throw new RangeError(`unknown enum value ${v}`);
  return w.u8(i);
}

const mapping = (r: ByteReader, what: string): MappingBehaviour => readEnum(r, MappingBehaviour, what);

const CODECS: { [K in NatMessageKind]: Codec<K> } = {
  register: {
    type: NatMessageType.REGISTER,
    encode: (w, m) => void writeEnum(writeId(w, m.requestId), MappingBehaviour, m.mapping),
    decode: (r) => ({ kind: 'register', requestId: id(r), mapping: mapping(r, 'mapping') }),
  },
  registered: {
    type: NatMessageType.REGISTERED,
    encode: (w, m) => void writeAddress(writeId(w, m.requestId).u64(m.ttlMs), m.observedAddress, 'observedAddress'),
    decode: (r) => ({ kind: 'registered', requestId: id(r), ttlMs: r.u64('ttl'), observedAddress: r.address('observed address') }),
  },
  'punch-request': {
    type: NatMessageType.PUNCH_REQUEST,
    encode: (w, m) => void writeEnum(writePub(writeId(w, m.requestId), m.targetPub, 'targetPub'), MappingBehaviour, m.mapping),
    decode: (r) => ({ kind: 'punch-request', requestId: id(r), targetPub: r.nodePub('target'), mapping: mapping(r, 'mapping') }),
  },
  'punch-ready': {
    type: NatMessageType.PUNCH_READY,
    encode: (w, m) => {
      writeNonce(writePub(writeId(w, m.requestId), m.targetPub, 'targetPub'), m.nonce);
      writeEnum(writeAddress(w, m.targetAddress, 'targetAddress'), MappingBehaviour, m.targetMapping);
      writeAddress(w, m.observedAddress, 'observedAddress');
    },
    decode: (r) => ({
      kind: 'punch-ready',
      requestId: id(r),
      targetPub: r.nodePub('target'),
      nonce: nonce(r),
      targetAddress: r.address('target address'),
      targetMapping: mapping(r, 'target mapping'),
      observedAddress: r.address('observed address'),
    }),
  },
  'punch-notify': {
    type: NatMessageType.PUNCH_NOTIFY,
    encode: (w, m) => {
      writePub(writeNonce(w, m.nonce), m.requesterPub, 'requesterPub');
      writeEnum(writeAddress(w, m.requesterAddress, 'requesterAddress'), MappingBehaviour, m.requesterMapping);
    },
    decode: (r) => ({
      kind: 'punch-notify',
      nonce: nonce(r),
      requesterPub: r.nodePub('requester'),
      requesterAddress: r.address('requester address'),
      requesterMapping: mapping(r, 'requester mapping'),
    }),
  },
  refused: {
    type: NatMessageType.REFUSED,
    encode: (w, m) => void writeEnum(writeId(w, m.requestId), RefusalReason, m.reason),
    decode: (r) => ({ kind: 'refused', requestId: id(r), reason: readEnum(r, RefusalReason, 'reason') }),
  },
  probe: {
    type: NatMessageType.PROBE,
    encode: (w, m) => void writeId(w, m.requestId),
    decode: (r) => ({ kind: 'probe', requestId: id(r) }),
  },
  'probe-ack': {
    type: NatMessageType.PROBE_ACK,
    encode: (w, m) => void writeId(w, m.requestId),
    decode: (r) => ({ kind: 'probe-ack', requestId: id(r) }),
  },
  relay: {
    type: NatMessageType.RELAY,
    encode: (w, m) => void writePub(writeId(w, m.requestId), m.targetPub, 'targetPub').blob(m.sealed),
    decode: (r) => ({ kind: 'relay', requestId: id(r), targetPub: r.nodePub('target'), sealed: r.blob('sealed') }),
  },
  relayed: {
    type: NatMessageType.RELAYED,
    encode: (w, m) => void writePub(w, m.sourcePub, 'sourcePub').blob(m.sealed),
    decode: (r) => ({ kind: 'relayed', sourcePub: r.nodePub('source'), sealed: r.blob('sealed') }),
  },
};

const BY_TYPE = new Map<number, Codec<NatMessageKind>>(Object.values(CODECS).map((c) => [c.type, c as Codec<NatMessageKind>]));

/** Bytes RELAY adds around its sealed payload: type, request id, target key, length. */
export const RELAY_OVERHEAD_BYTES = 1 + REQUEST_ID_BYTES + 33 + 2;

/** Encodes `m`; a field of the wrong size or an unencodable address is a caller bug and throws RangeError. */
export function encodeNatMessage(m: NatMessage): Uint8Array {
  const codec = CODECS[m.kind] as Codec<NatMessageKind>;
  const w = new ByteWriter(128);
  codec.encode(w.u8(codec.type), m);
  return w.finish();
}

export function decodeNatMessage(body: Uint8Array): NatDecodeResult {
  try {
    const r = new ByteReader(body);
    const type = r.u8('type');
    const codec = BY_TYPE.get(type);
    if (codec === undefined) return { ok: false, error: 'unknown-type', detail: `type 0x${type.toString(16)}` };
    const message = codec.decode(r);
    r.end();
    return { ok: true, message };
  } catch (err) {
    if (err instanceof WireError) return { ok: false, error: err.code, detail: err.message };
    throw err;
  }
}
