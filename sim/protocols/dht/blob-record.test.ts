import { describe, expect, it } from 'vitest';
import { nodeSuite } from '../../../protocol/crypto/node-suite.ts';
import { blobValidator, makeBlob, RECORD_TYPE_SIM_BLOB } from './blob-record.ts';

describe('sim blob records', () => {
  const validator = blobValidator(nodeSuite);
  const blob = makeBlob(nodeSuite, Uint8Array.of(1, 2, 3), 10_000);

  it('are stored under SHA-256 of their value and valid until they expire', () => {
    expect(blob.record.recordType).toBe(RECORD_TYPE_SIM_BLOB);
    expect(blob.key).toEqual(nodeSuite.sha256(blob.record.value));
    expect(validator.validate(blob.key, blob.record.value, 9_999)).toEqual({ ok: true, version: 1, expiresAtMs: 10_000 });
    expect(validator.validate(blob.key, blob.record.value, 10_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('reject a value under another key, a changed byte and a truncated value', () => {
    const other = makeBlob(nodeSuite, Uint8Array.of(9), 10_000);
    expect(validator.validate(other.key, blob.record.value, 0)).toEqual({ ok: false, reason: 'malformed' });
    const changed = blob.record.value.slice();
    changed[changed.length - 1] ^= 1;
    expect(validator.validate(blob.key, changed, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(validator.validate(blob.key, blob.record.value.subarray(0, 5), 0)).toEqual({ ok: false, reason: 'malformed' });
  });
});
