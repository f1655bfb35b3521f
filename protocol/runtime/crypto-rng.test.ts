import { describe, expect, it } from 'vitest';
import { CryptoRng } from './crypto-rng.ts';

describe('CryptoRng', () => {
  // Guards fillBytes (issue 14): the data-packet padding is drawn into a view of the datagram being built.
  it('fillBytes(view) fills the view in place, returns it, and leaves the bytes around it alone', () => {
    const buf = new Uint8Array(80).fill(0);
    const view = buf.subarray(8, 72);
    expect(new CryptoRng().fillBytes(view)).toBe(view);
    expect([...buf.subarray(0, 8), ...buf.subarray(72)]).toEqual(new Array(16).fill(0));
    expect(view.some((b) => b !== 0)).toBe(true); // 64 zero bytes from a CSPRNG: probability 2^-512
  });
});
