/**
 * One shared record table standing in for the DHT in account tests: publish validates with the validator (as
 * every holder would), keeps the higher version, and remembers every value offered (what storers saw); findValue
 * answers on a timer.
 */
import { toHex } from '../../crypto/bytes.ts';
import type { RecordValidator } from '../../dht/record-validator.ts';
import type { DhtRecord } from '../../dht/types.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { AccountDht } from '../context.ts';

export class FakeDhtTable {
  readonly records = new Map<string, { record: DhtRecord; version: number; expiresAtMs: number }>();
  /** Every value offered to the table (what holders saw), accepted or not. */
  readonly offered: { key: Uint8Array; record: DhtRecord }[] = [];
  readonly rejected: string[] = [];
  latencyMs = 50;

  constructor(
    readonly clock: Clock,
    private readonly validator: RecordValidator,
  ) {}

  store(key: Uint8Array, record: DhtRecord): void {
    this.offered.push({ key, record });
    const check = this.validator.validate(key, record.value, this.clock.now());
    if (!check.ok) {
      this.rejected.push(check.reason);
      return;
    }
    const id = `${toHex(key)}/${record.recordType}`;
    const old = this.records.get(id);
    if (old !== undefined && old.version >= check.version && old.expiresAtMs > this.clock.now()) return;
    this.records.set(id, { record, version: check.version, expiresAtMs: check.expiresAtMs });
  }

  find(key: Uint8Array, recordType: number): DhtRecord | undefined {
    const e = this.records.get(`${toHex(key)}/${recordType}`);
    return e !== undefined && e.expiresAtMs > this.clock.now() ? e.record : undefined;
  }

  /** A node's view of the table. */
  client(): AccountDht & { published: Set<string> } {
    const published = new Set<string>();
    return {
      published,
      findValue: (key, recordType, cb) => {
        this.clock.setTimer(this.latencyMs, () => cb({ record: this.find(key, recordType) }));
      },
      publish: (key, record) => {
        published.add(`${toHex(key)}/${record.recordType}`);
        this.store(key, record);
      },
      unpublish: (key, recordType) => published.delete(`${toHex(key)}/${recordType}`),
    };
  }
}
