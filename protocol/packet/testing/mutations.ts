/** fast-check arbitraries that damage valid datagrams, shared by the packet and session fuzz tests. */
import fc from 'fast-check';

export type Mutation =
  | { readonly kind: 'flip'; readonly bit: number }
  | { readonly kind: 'truncate'; readonly keep: number }
  | { readonly kind: 'extend'; readonly extra: Uint8Array }
  | { readonly kind: 'overwrite'; readonly at: number; readonly bytes: Uint8Array };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.nat().map((bit) => ({ kind: 'flip', bit }) as const) },
  fc.nat().map((keep) => ({ kind: 'truncate', keep }) as const),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((extra) => ({ kind: 'extend', extra }) as const),
  fc.record({ at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }).map((m) => ({ kind: 'overwrite', ...m }) as const),
);

/** Applies `m` to a copy of `packet`; indices wrap modulo the packet length. */
export function mutate(packet: Uint8Array, m: Mutation): Uint8Array {
  const out = packet.slice();
  switch (m.kind) {
    case 'flip': {
      const bit = m.bit % (packet.length * 8);
      out[bit >>> 3] ^= 1 << (bit & 7);
      return out;
    }
    case 'truncate':
      return out.slice(0, m.keep % packet.length);
    case 'extend': {
      const longer = new Uint8Array(packet.length + m.extra.length);
      longer.set(packet);
      longer.set(m.extra, packet.length);
      return longer;
    }
    case 'overwrite': {
      const at = m.at % packet.length;
      out.set(m.bytes.subarray(0, packet.length - at), at);
      return out;
    }
  }
}

/** True when `mutate` changed the bytes (an overwrite can write the same values back). */
export function changed(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return true;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return true;
  return false;
}
