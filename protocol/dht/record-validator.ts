/**
 * Validators by record type. The record store accepts a value only after the validator registered for its type
 * accepts it, so later issues (account descriptors, mailboxes) add a record type by registering a validator,
 * without touching the store or the handlers (the pattern of libp2p's record validators/selectors).
 */
import type { DhtKey } from './keys.ts';
import type { StoreStatus } from './messages.ts';
import type { DhtRecord } from './types.ts';

/** Why a validator refuses a record. Each is also a STORE_ACK status and a counted drop reason. */
export type RecordRejection = 'malformed' | 'bad-signature' | 'foreign-binding' | 'expired' | 'not-yet-valid' | 'bad-expiry';

export type RecordCheck =
  | {
      ok: true;
      /** When holders drop the record. */
      expiresAtMs: number;
      /** Higher supersedes lower for the same key and type (e.g. a binding's issuedAtMs). */
      version: number;
    }
  | { ok: false; reason: RecordRejection };

export interface RecordValidator {
  readonly recordType: number;
  readonly name: string;
  /** Checks `value` stored under `key` at time `nowMs`. Must not throw on any input. */
  validate(key: DhtKey, value: Uint8Array, nowMs: number): RecordCheck;
  /**
   * Optional: a record type whose value is a set (e.g. flawed-entry reports, one per reporter) merges an incoming
   * valid value into the held one instead of "higher version replaces". Both values are already validated; the
   * result is validated again before it is stored.
   */
  merge?(key: DhtKey, held: Uint8Array, incoming: Uint8Array, nowMs: number): Uint8Array;
}

/** Compile-time guard: every rejection has a STORE_ACK status on the wire. */
const _statuses: readonly StoreStatus[] = [] as RecordRejection[];
void _statuses;

export class ValidatorRegistry {
  private readonly byType = new Map<number, RecordValidator>();

  constructor(validators: readonly RecordValidator[] = []) {
    for (const v of validators) this.register(v);
  }

  /** Registers (or replaces) the validator of `validator.recordType`. */
  register(validator: RecordValidator): void {
    if (!Number.isInteger(validator.recordType) || validator.recordType < 0 || validator.recordType > 0xffff) {
      throw new RangeError(`record type must be a u16, got ${validator.recordType}`);
    }
    this.byType.set(validator.recordType, validator);
  }

  get(recordType: number): RecordValidator | undefined {
    return this.byType.get(recordType);
  }

  validate(key: DhtKey, record: DhtRecord, nowMs: number): RecordCheck | { ok: false; reason: 'unknown-record-type' } {
    const validator = this.byType.get(record.recordType);
    if (validator === undefined) return { ok: false, reason: 'unknown-record-type' };
    return validator.validate(key, record.value, nowMs);
  }
}
