/**
 * What a store-flooding attacker mints: self-signed NodeID bindings, each under SHA-256 of a fresh key pair, so
 * every one is valid. Signed through OpenSSL (node:crypto), as an attacker would: the suites sign with noble
 * (RFC 6979, byte-identical across back ends), ~20x slower, which would make 10,000 records a minute-long test.
 * OpenSSL's nonces are random, so the signature bytes differ from run to run; keys, keys' order and every
 * record's validity do not. Signatures are normalised to low S, as verifiers require.
 */
import * as nodeCrypto from 'node:crypto';
import { bigIntToBytes, bytesToBigInt, concatBytes } from '../../crypto/bytes.ts';
import { P256_N, isHighS } from '../../crypto/p256.ts';
import type { CryptoSuite } from '../../crypto/suite.ts';
import type { Rng } from '../../runtime/rng.ts';
import { bindingSigningBytes, encodeBinding, type BindingFields } from '../binding.ts';
import { BINDING_TTL_MS, RECORD_TYPE_BINDING } from '../constants.ts';
import { keyOfNodePub, type DhtKey } from '../keys.ts';
import type { DhtRecord } from '../types.ts';

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/** ECDSA-P256-SHA256 r || s (low S) with OpenSSL. */
function opensslSign(privateKey: Uint8Array, publicKey: Uint8Array, message: Uint8Array): Uint8Array {
  const raw = nodeCrypto.ECDH.convertKey(publicKey, 'prime256v1', undefined, undefined, 'uncompressed') as Buffer;
  const key = nodeCrypto.createPrivateKey({
    key: { kty: 'EC', crv: 'P-256', d: b64url(privateKey), x: b64url(raw.subarray(1, 33)), y: b64url(raw.subarray(33, 65)) },
    format: 'jwk',
  });
  const sig = new Uint8Array(nodeCrypto.sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }));
  const s = bytesToBigInt(sig.subarray(32));
  return isHighS(s) ? concatBytes(sig.subarray(0, 32), bigIntToBytes(P256_N - s, 32)) : sig;
}

/** `n` valid self-signed bindings of fresh key pairs drawn from `rng`, valid from `nowMs`. */
export function mintBindings(suite: Pick<CryptoSuite, 'generateKeyPair' | 'sha256'>, rng: Rng, n: number, nowMs: number): { key: DhtKey; record: DhtRecord }[] {
  return Array.from({ length: n }, () => {
    const pair = suite.generateKeyPair(rng);
    const fields: BindingFields = { nodePub: pair.publicKey, address: 'evil', issuedAtMs: nowMs, expiresAtMs: nowMs + BINDING_TTL_MS };
    const signature = opensslSign(pair.privateKey, pair.publicKey, bindingSigningBytes(fields));
    return { key: keyOfNodePub(suite, pair.publicKey), record: { recordType: RECORD_TYPE_BINDING, value: encodeBinding({ ...fields, signature }) } };
  });
}
