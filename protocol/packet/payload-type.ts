/**
 * The type byte of an inner plaintext. Values are grouped in ranges so later layers can add types without
 * renumbering: 0x01-0x0f link-level, 0x10-0x2f overlay (DHT, onion, mailbox), 0xf0-0xff session control.
 * 0x00 is never valid, so an all-zero plaintext does not decode.
 */
export const PayloadType = {
  PING: 0x01,
  PONG: 0x02,
  DATA: 0x03,
  /** Cover traffic; indistinguishable on the wire, discarded by the receiver's noise layer. */
  NOISE: 0x04,
  ACK: 0x05,
  DHT: 0x10,
  /** NAT traversal: rendezvous registration, hole-punch coordination, probes and relays (protocol/nat). */
  NAT: 0x11,
  ONION: 0x18,
  MAILBOX: 0x20,
  /** Session control: the initiator's key-confirmation tag (third handshake message). */
  HANDSHAKE_CONFIRM: 0xf0,
  /** Session control: the responder acknowledges HANDSHAKE_CONFIRM so the initiator stops resending it. */
  HANDSHAKE_ACK: 0xf1,
  /** Session control: an in-session rekey offer, the sender's connId and ephemeral key for the successor (session/rekey.ts). */
  REKEY_INIT: 0xf2,
  /** Session control: the answer to REKEY_INIT, the same fields from the other side. */
  REKEY_RESP: 0xf3,
} as const;

export type PayloadType = (typeof PayloadType)[keyof typeof PayloadType];

const NAMES = new Map<number, string>(Object.entries(PayloadType).map(([name, value]) => [value, name]));

export function isPayloadType(value: number): value is PayloadType {
  return NAMES.has(value);
}

/** `PayloadType.DHT` -> 'DHT'; an unknown byte -> '0x7e'. */
export function payloadTypeName(value: number): string {
  return NAMES.get(value) ?? `0x${value.toString(16).padStart(2, '0')}`;
}

/** Types only the session layer itself may send; `SessionManager.send` refuses them. */
export function isSessionControlType(type: PayloadType): boolean {
  return type >= 0xf0;
}
