/**
 * Signed NodeID -> address bindings. A node publishes `{ nodePub, address, issuedAtMs, expiresAtMs }` signed with
 * its static key under the DHT key SHA-256(nodePub); anyone resolving the NodeID checks the signature, so a
 * holder cannot redirect traffic for a node it does not own.
 *
 * Signed bytes (canonical, fixed order, big-endian):
 *   u8 len || "paratox/v1/binding" || nodePub (33) || u8 len || address (UTF-8) || issuedAtMs (u64) || expiresAtMs (u64)
 * The domain label keeps a binding signature from ever verifying as any other paratox signature.
 * Wire/record bytes: the same fields without the label, then the 64-byte ECDSA-P256 signature.
 *
 * A binding with a later issuedAtMs supersedes an earlier one for the same nodePub. NodeID rotation makes a new
 * key pair, hence a new DHT key: the new NodeID publishes its own binding and the old one simply expires.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import {
  BINDING_TTL_MS,
  MAX_BINDING_TTL_MS,
  MAX_CLOCK_SKEW_MS,
  NODE_PUB_BYTES,
  RECORD_TYPE_BINDING,
  SIGNATURE_BYTES,
} from './constants.ts';
import { keyOfNodePub, keysEqual, type DhtKey } from './keys.ts';
import type { RecordCheck, RecordValidator } from './record-validator.ts';
import { addressBytes, ByteReader, ByteWriter, utf8, WireError, type WireErrorCode } from './wire.ts';

export const BINDING_DOMAIN = 'paratox/v1/binding';
const DOMAIN_BYTES = utf8(BINDING_DOMAIN);

export interface BindingFields {
  readonly nodePub: Uint8Array;
  readonly address: string;
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
}

export interface Binding extends BindingFields {
  readonly signature: Uint8Array;
}

function writeFields(w: ByteWriter, f: BindingFields): ByteWriter {
  return w.bytes(f.nodePub).shortString(f.address).u64(f.issuedAtMs).u64(f.expiresAtMs);
}

function checkFields(f: BindingFields): void {
  if (f.nodePub.length !== NODE_PUB_BYTES) throw new RangeError('binding nodePub must be 33 bytes');
  if (addressBytes(f.address) < 0) throw new RangeError(`binding address must be 1..64 UTF-8 bytes: ${f.address}`);
  if (!(f.expiresAtMs > f.issuedAtMs)) throw new RangeError('binding must expire after it is issued');
}

/** The exact bytes a binding signature covers. */
export function bindingSigningBytes(fields: BindingFields): Uint8Array {
  checkFields(fields);
  const w = new ByteWriter(160).u8(DOMAIN_BYTES.length).bytes(DOMAIN_BYTES);
  return writeFields(w, fields).finish();
}

/** Signs `fields` with `sign` (typically `(m) => suite.sign(privateKey, m)`). Throws RangeError on bad fields. */
export function signBinding(sign: (message: Uint8Array) => Uint8Array, fields: BindingFields): Binding {
  const signature = sign(bindingSigningBytes(fields));
  if (signature.length !== SIGNATURE_BYTES) throw new RangeError('binding signature must be 64 bytes');
  return { ...fields, signature };
}

/** Convenience: a binding valid from `nowMs` for `ttlMs`, signed with `privateKey`. */
export function createBinding(
  suite: Pick<CryptoSuite, 'sign'>,
  privateKey: Uint8Array,
  fields: { nodePub: Uint8Array; address: string; nowMs: number; ttlMs?: number },
): Binding {
  return signBinding((m) => suite.sign(privateKey, m), {
    nodePub: fields.nodePub,
    address: fields.address,
    issuedAtMs: fields.nowMs,
    expiresAtMs: fields.nowMs + (fields.ttlMs ?? BINDING_TTL_MS),
  });
}

export function encodeBinding(b: Binding): Uint8Array {
  checkFields(b);
  return writeFields(new ByteWriter(192), b).bytes(b.signature).finish();
}

export type BindingDecodeResult = { ok: true; binding: Binding } | { ok: false; error: WireErrorCode; detail: string };

export function decodeBinding(bytes: Uint8Array): BindingDecodeResult {
  try {
    const r = new ByteReader(bytes);
    const nodePub = r.nodePub('binding nodePub');
    const address = r.address('binding address');
    const issuedAtMs = r.u64('issuedAtMs');
    const expiresAtMs = r.u64('expiresAtMs');
    const signature = r.bytes(SIGNATURE_BYTES, 'signature');
    r.end();
    return { ok: true, binding: { nodePub, address, issuedAtMs, expiresAtMs, signature } };
  } catch (err) {
    if (err instanceof WireError) return { ok: false, error: err.code, detail: err.message };
    throw err;
  }
}

export function verifyBinding(suite: Pick<CryptoSuite, 'verify'>, b: Binding): boolean {
  let message: Uint8Array;
  try {
    message = bindingSigningBytes(b);
  } catch {
    return false;
  }
  // A suite may throw on a malformed key or signature; to us that is simply "does not verify".
  try {
    return suite.verify(b.nodePub, message, b.signature);
  } catch {
    return false;
  }
}

export interface BindingPolicy {
  /** Longest lifetime a binding may claim (default MAX_BINDING_TTL_MS). */
  maxTtlMs?: number;
  /** How far in our future `issuedAtMs` may lie (default MAX_CLOCK_SKEW_MS). */
  maxClockSkewMs?: number;
}

/**
 * Full check of a binding stored under `key`, cheapest test first: it must decode, belong to `key` (SHA-256 of
 * its nodePub, else 'foreign-binding': someone storing or serving another node's binding), be within its
 * lifetime, and carry a valid signature by nodePub.
 */
export function checkBinding(
  suite: Pick<CryptoSuite, 'sha256' | 'verify'>,
  key: DhtKey,
  bytes: Uint8Array,
  nowMs: number,
  policy: BindingPolicy = {},
): RecordCheck & { binding?: Binding } {
  const decoded = decodeBinding(bytes);
  if (!decoded.ok) return { ok: false, reason: 'malformed' };
  const b = decoded.binding;
  if (!keysEqual(keyOfNodePub(suite, b.nodePub), key)) return { ok: false, reason: 'foreign-binding' };
  const ttl = b.expiresAtMs - b.issuedAtMs;
  if (ttl <= 0 || ttl > (policy.maxTtlMs ?? MAX_BINDING_TTL_MS)) return { ok: false, reason: 'bad-expiry' };
  if (b.expiresAtMs <= nowMs) return { ok: false, reason: 'expired' };
  if (b.issuedAtMs > nowMs + (policy.maxClockSkewMs ?? MAX_CLOCK_SKEW_MS)) return { ok: false, reason: 'not-yet-valid' };
  if (!verifyBinding(suite, b)) return { ok: false, reason: 'bad-signature' };
  return { ok: true, expiresAtMs: b.expiresAtMs, version: b.issuedAtMs, binding: b };
}

/** The record validator for RECORD_TYPE_BINDING; newer issuedAtMs supersedes. */
export function bindingValidator(suite: Pick<CryptoSuite, 'sha256' | 'verify'>, policy: BindingPolicy = {}): RecordValidator {
  return {
    recordType: RECORD_TYPE_BINDING,
    name: 'binding',
    validate: (key, value, nowMs) => {
      const check = checkBinding(suite, key, value, nowMs, policy);
      return check.ok ? { ok: true, expiresAtMs: check.expiresAtMs, version: check.version } : check;
    },
  };
}
