/**
 * A minimal record type for store tests: value = version (u32) || expiresAtMs (u64) || payload. It shows how a
 * later issue adds a record type: write a validator, register it; the store and handlers stay untouched.
 */
import type { RecordValidator } from '../record-validator.ts';
import type { DhtRecord } from '../types.ts';
import { ByteReader, ByteWriter, WireError } from '../wire.ts';

export const RECORD_TYPE_VERSIONED = 0x7f00;

export function versionedRecord(version: number, expiresAtMs: number, payload: Uint8Array = new Uint8Array(0)): DhtRecord {
  const value = new ByteWriter().u16(version >>> 16).u16(version & 0xffff).u64(expiresAtMs).bytes(payload).finish();
  return { recordType: RECORD_TYPE_VERSIONED, value };
}

export const versionedValidator: RecordValidator = {
  recordType: RECORD_TYPE_VERSIONED,
  name: 'versioned (test)',
  validate: (_key, value, nowMs) => {
    try {
      const r = new ByteReader(value);
      const version = r.u16() * 65536 + r.u16();
      const expiresAtMs = r.u64();
      return expiresAtMs <= nowMs ? { ok: false, reason: 'expired' } : { ok: true, version, expiresAtMs };
    } catch (err) {
      if (err instanceof WireError) return { ok: false, reason: 'malformed' };
      throw err;
    }
  },
};
