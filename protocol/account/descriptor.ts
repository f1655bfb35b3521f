/**
 * Account descriptors: the DHT record that tells a client where an account's introduction points are
 * (rend-spec-v3 §2.4-2.5, reduced). Stored under SHA-256("paratox/v1/desc" || A') and signed by the blinded
 * key a' (blinding.ts), so a storer can check it without learning the account, and only the owner can write it.
 *
 * Record bytes (big-endian):
 *   header = u8 version (1) || A' (33) || period (u64) || issuedAtMs (u64) || expiresAtMs (u64) || nonce (12)
 *   record = header || u16 len || body || signature (64)
 * body = AES-256-GCM(key, nonce, intro list (intro-list.ts, padded), aad = header), with
 *   key = HKDF-SHA256(ikm = A, salt = "paratox/v1/desc-enc", info = A' || period_u64, 32)
 * so only those who know A can read it (rend-spec-v3 §2.5.1: the descriptor's encryption is keyed by the
 * credential derived from the identity key). signature = ECDSA-P256(a', u8 len || "paratox/v1/descriptor" ||
 * record without the signature). A later issuedAtMs supersedes an earlier one for the same key.
 */
import { concatBytes, utf8 } from '../crypto/bytes.ts';
import { AEAD_KEY_BYTES } from '../crypto/aead-checks.ts';
import type { CryptoSuite, KeyPair } from '../crypto/suite.ts';
import type { Rng } from '../runtime/rng.ts';
import { SIGNATURE_BYTES } from '../dht/constants.ts';
import { ByteReader, ByteWriter, WireError } from '../dht/wire.ts';
import { blindKeyPair, descriptorKey, periodBytes } from './blinding.ts';
import { DESCRIPTOR_ENC_LABEL, DESCRIPTOR_NONCE_BYTES, DESCRIPTOR_SIGN_LABEL, DESCRIPTOR_VERSION } from './constants.ts';
import { decodeIntroList, encodeIntroList, type IntroPointInfo } from './intro-list.ts';

const SIGN_LABEL_BYTES = utf8(DESCRIPTOR_SIGN_LABEL);
const ENC_LABEL_BYTES = utf8(DESCRIPTOR_ENC_LABEL);

export interface DescriptorFields {
  readonly blindedPub: Uint8Array;
  readonly period: number;
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
  readonly nonce: Uint8Array;
  /** The encrypted intro list. */
  readonly body: Uint8Array;
}

export interface Descriptor extends DescriptorFields {
  readonly signature: Uint8Array;
}

function header(f: Omit<DescriptorFields, 'body'>): Uint8Array {
  return new ByteWriter(80)
    .u8(DESCRIPTOR_VERSION)
    .bytes(f.blindedPub)
    .u64(f.period)
    .u64(f.issuedAtMs)
    .u64(f.expiresAtMs)
    .bytes(f.nonce)
    .finish();
}

function unsigned(f: DescriptorFields): Uint8Array {
  return new ByteWriter(1024).bytes(header(f)).blob(f.body).finish();
}

/** The exact bytes the blinded key signs. */
export function descriptorSigningBytes(f: DescriptorFields): Uint8Array {
  return concatBytes(Uint8Array.of(SIGN_LABEL_BYTES.length), SIGN_LABEL_BYTES, unsigned(f));
}

export function encodeDescriptor(d: Descriptor): Uint8Array {
  return concatBytes(unsigned(d), d.signature);
}

export type DescriptorDecodeResult = { ok: true; descriptor: Descriptor } | { ok: false; reason: 'malformed' };

/** Parses record bytes; never throws. Point validity of A' is the signature check's job. */
export function decodeDescriptor(bytes: Uint8Array): DescriptorDecodeResult {
  try {
    const r = new ByteReader(bytes);
    if (r.u8('version') !== DESCRIPTOR_VERSION) return { ok: false, reason: 'malformed' };
    const blindedPub = r.nodePub('blinded key');
    const period = r.u64('period');
    const issuedAtMs = r.u64('issuedAtMs');
    const expiresAtMs = r.u64('expiresAtMs');
    const nonce = r.bytes(DESCRIPTOR_NONCE_BYTES, 'nonce');
    const body = r.blob('body');
    const signature = r.bytes(SIGNATURE_BYTES, 'signature');
    r.end();
    return { ok: true, descriptor: { blindedPub, period, issuedAtMs, expiresAtMs, nonce, body, signature } };
  } catch (err) {
    if (err instanceof WireError) return { ok: false, reason: 'malformed' };
    throw err;
  }
}

export function verifyDescriptorSignature(suite: Pick<CryptoSuite, 'verify'>, d: Descriptor): boolean {
  try {
    return suite.verify(d.blindedPub, descriptorSigningBytes(d), d.signature);
  } catch {
    return false; // a malformed key or signature simply does not verify
  }
}

/** The body key: HKDF-SHA256(A, salt "paratox/v1/desc-enc", info A' || period). Needs A, not just A'. */
export function descriptorBodyKey(suite: Pick<CryptoSuite, 'hkdf'>, accountPub: Uint8Array, blindedPub: Uint8Array, period: number): Uint8Array {
  return suite.hkdf(accountPub, ENC_LABEL_BYTES, concatBytes(blindedPub, periodBytes(period)), AEAD_KEY_BYTES);
}

export interface CreateDescriptorInput {
  readonly account: KeyPair;
  readonly period: number;
  readonly nowMs: number;
  readonly ttlMs: number;
  readonly intros: readonly IntroPointInfo[];
}

/** Blinds, encrypts and signs: the record value to publish and the DHT key to publish it under. */
export function createDescriptor(
  suite: CryptoSuite,
  rng: Rng,
  input: CreateDescriptorInput,
): { key: Uint8Array; value: Uint8Array; descriptor: Descriptor } {
  const blinded = blindKeyPair(suite, input.account, input.period);
  const partial = {
    blindedPub: blinded.publicKey,
    period: input.period,
    issuedAtMs: input.nowMs,
    expiresAtMs: input.nowMs + input.ttlMs,
    nonce: rng.bytes(DESCRIPTOR_NONCE_BYTES),
  };
  const key = descriptorBodyKey(suite, input.account.publicKey, blinded.publicKey, input.period);
  const body = suite.aeadSeal(key, partial.nonce, encodeIntroList(input.intros), header(partial));
  const fields: DescriptorFields = { ...partial, body };
  const descriptor: Descriptor = { ...fields, signature: suite.sign(blinded.privateKey, descriptorSigningBytes(fields)) };
  return { key: descriptorKey(suite, blinded.publicKey), value: encodeDescriptor(descriptor), descriptor };
}

/** Decrypts the intro list with the account key A; null when it does not authenticate or parse. */
export function openDescriptor(suite: CryptoSuite, accountPub: Uint8Array, d: Descriptor): IntroPointInfo[] | null {
  const key = descriptorBodyKey(suite, accountPub, d.blindedPub, d.period);
  const plain = suite.aeadOpen(key, d.nonce, d.body, header(d));
  if (plain === null) return null;
  const list = decodeIntroList(plain);
  return list.ok ? list.intros : null;
}
