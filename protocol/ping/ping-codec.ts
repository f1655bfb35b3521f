/** Wire form of ping/pong bodies: kind (1) || seq (4, BE) || sentAtMs (8, float64 BE). */
export const PING = 1;
export const PONG = 2;
export const PING_BODY_BYTES = 13;

export interface PingMessage {
  kind: typeof PING | typeof PONG;
  seq: number;
  sentAtMs: number;
}

export function encodePing(msg: PingMessage): Uint8Array {
  const out = new Uint8Array(PING_BODY_BYTES);
  const view = new DataView(out.buffer);
  view.setUint8(0, msg.kind);
  view.setUint32(1, msg.seq >>> 0);
  view.setFloat64(5, msg.sentAtMs);
  return out;
}

/** Returns null for anything that is not exactly a well-formed ping or pong. */
export function decodePing(bytes: Uint8Array): PingMessage | null {
  if (bytes.length !== PING_BODY_BYTES) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = view.getUint8(0);
  const sentAtMs = view.getFloat64(5);
  if ((kind !== PING && kind !== PONG) || !Number.isFinite(sentAtMs)) return null;
  return { kind, seq: view.getUint32(1), sentAtMs };
}
