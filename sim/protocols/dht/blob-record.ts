/**
 * The record type the DHT driver stores to measure survival: a content-addressed blob, value =
 * expiresAtMs (u64, big-endian) || payload, stored under key = SHA-256(value). Self-certifying like a binding
 * (a holder cannot substitute another value under the key), but owned by nobody, so no node republishes it:
 * whether it survives depends on its holders alone. Registered on every simulated node through the
 * validators hook of DhtNode (record-validator.ts), the way later issues add record types.
 */
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import { bytesEqual, type DhtKey } from '../../../protocol/dht/keys.ts';
import type { RecordValidator } from '../../../protocol/dht/record-validator.ts';
import type { DhtRecord } from '../../../protocol/dht/types.ts';
import { ByteReader, ByteWriter, WireError } from '../../../protocol/dht/wire.ts';

/** Outside the protocol's registry (bindings are 1); 0x7f00 is protocol/dht's test type. Simulation only. */
export const RECORD_TYPE_SIM_BLOB = 0x7f01;

export interface Blob {
  key: DhtKey;
  record: DhtRecord;
}

export function makeBlob(suite: Pick<CryptoSuite, 'sha256'>, payload: Uint8Array, expiresAtMs: number): Blob {
  const value = new ByteWriter().u64(Math.floor(expiresAtMs)).bytes(payload).finish();
  return { key: suite.sha256(value), record: { recordType: RECORD_TYPE_SIM_BLOB, value } };
}

export function blobValidator(suite: Pick<CryptoSuite, 'sha256'>): RecordValidator {
  return {
    recordType: RECORD_TYPE_SIM_BLOB,
    name: 'sim blob (content-addressed)',
    validate(key, value, nowMs) {
      let expiresAtMs: number;
      try {
        expiresAtMs = new ByteReader(value).u64();
      } catch (err) {
        if (err instanceof WireError) return { ok: false, reason: 'malformed' };
        throw err;
      }
      // A value under someone else's key is a forgery; RecordRejection has no better word than 'malformed'.
      if (!bytesEqual(suite.sha256(value), key)) return { ok: false, reason: 'malformed' };
      if (expiresAtMs <= nowMs) return { ok: false, reason: 'expired' };
      return { ok: true, version: 1, expiresAtMs };
    },
  };
}
