/**
 * x^e mod p for the P-256 prime p and a FIXED public exponent e, on OpenSSL's Montgomery exponentiation
 * (about twice as fast as p256-field's BigInt chain: ~35 µs against ~70 µs). Elligator Squared spends most
 * of its time in two such powers (square roots), so this is its hot path under Node.
 *
 * node:crypto has no modular exponentiation, but finite-field Diffie-Hellman is one: computeSecret(y) =
 * y^priv mod m. So a DiffieHellman object with priv = e computes y^e mod m. OpenSSL refuses moduli below
 * 512 bits, hence m = p^2 (512 bits, odd): y^e mod p^2 reduced mod p is y^e mod p. No secret is involved:
 * e is one of p256-field's public exponents and y a public field element (the DH "key" names are only the
 * API's). DH_check_pub_key accepts 1 < y < m - 1, which holds for every y in [2, p); 0 and 1 are their own
 * powers.
 *
 * Absent (undefined) without node:crypto, e.g. in a browser: p256-field then keeps its BigInt chain. A
 * self-check against that chain when the power is built, and a zero-result guard on every call (a failing
 * computeSecret can return zeros instead of throwing; y^e is never 0 mod p for y != 0), also send it back
 * to the BigInt chain rather than give a wrong value.
 */
import type * as NodeCrypto from 'node:crypto';
import { nodeCrypto } from './node-crypto.ts';
import { P256_P } from './p256.ts';

const P = P256_P;
const MODULUS_HEX = (P * P).toString(16).padStart(128, '0');

/** x^e mod p for x in [0, p), or undefined when OpenSSL could not compute it (the caller falls back). */
export type FixedPower = (x: bigint) => bigint | undefined;

/**
 * The power x -> x^exponent mod p on OpenSSL, or undefined when node:crypto is missing or the result
 * disagrees with `check` (the BigInt reference) on a few fixed inputs.
 */
export function opensslFixedPower(exponent: bigint, check: (x: bigint) => bigint): FixedPower | undefined {
  const crypto = nodeCrypto;
  if (crypto === undefined || exponent <= 0n) return undefined;
  let dh: NodeCrypto.DiffieHellman;
  try {
    dh = crypto.createDiffieHellman(Buffer.from(MODULUS_HEX, 'hex'), Buffer.from([2]));
    dh.setPrivateKey(Buffer.from(exponent.toString(16).padStart(64, '0'), 'hex'));
  } catch {
    return undefined;
  }
  const power: FixedPower = (x) => {
    if (x < 2n) return x; // 0^e = 0, 1^e = 1; DH rejects both as public keys
    let out: Buffer;
    try {
      out = dh.computeSecret(Buffer.from(x.toString(16).padStart(128, '0'), 'hex'));
    } catch {
      return undefined;
    }
    const r = BigInt('0x' + out.toString('hex')) % P;
    return r === 0n ? undefined : r;
  };
  for (const x of [2n, 3n, 0xdeadbeefn, P - 1n, P - 2n, P >> 1n]) if (power(x) !== check(x)) return undefined;
  return power;
}
