import { describe, expect, it } from 'vitest';
import { nodeSuite } from '../crypto/node-suite.ts';
import { MailboxStatus, resolveMailboxConfig, type MailboxConfig } from './constants.ts';
import { itemIdOf, MailboxStore } from './mailbox-store.ts';
import { emptyMailboxStats } from './stats.ts';

const key = (n: number) => new Uint8Array(32).fill(n);
const tag = (n: number) => new Uint8Array(16).fill(n);
const item = (n: number, size = 100) => {
  const b = new Uint8Array(size).fill(0xaa);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};

function store(init: Partial<MailboxConfig> = {}) {
  const stats = emptyMailboxStats();
  const config = resolveMailboxConfig({ maxItemsPerMailbox: 8, maxItemsPerSender: 3, maxBytesPerMailbox: 2_000, expiryMs: 1_000, ...init });
  return { s: new MailboxStore(nodeSuite, config, stats), stats };
}

describe('MailboxStore', () => {
  it('append stores an item once (content-addressed) and refuses a sender over its quota', () => {
    const { s, stats } = store();
    expect(s.append(key(1), tag(1), item(1), 0)).toBe(MailboxStatus.STORED);
    expect(s.append(key(1), tag(2), item(1), 0)).toBe(MailboxStatus.DUPLICATE); // same bytes: nothing replaced
    expect(s.append(key(1), tag(1), item(2), 0)).toBe(MailboxStatus.STORED);
    expect(s.append(key(1), tag(1), item(3), 0)).toBe(MailboxStatus.STORED);
    expect(s.append(key(1), tag(1), item(4), 0)).toBe(MailboxStatus.SENDER_QUOTA);
    expect(s.append(key(1), tag(2), item(4), 0)).toBe(MailboxStatus.STORED);
    expect(stats).toMatchObject({ itemsStored: 4, itemsDuplicate: 1, refusedSenderQuota: 1, itemsHeld: 4, mailboxesHeld: 1 });
  });

  it('a forger drawing a fresh tag per item is stopped by the mailbox quota, and later senders are told "full"', () => {
    const { s } = store();
    let n = 0;
    while (s.append(key(1), tag(100 + n), item(n), 0) === MailboxStatus.STORED) n++;
    expect(n).toBe(8);
    expect(s.append(key(1), tag(7), item(999), 0)).toBe(MailboxStatus.MAILBOX_FULL);
    expect(s.append(key(2), tag(7), item(999), 0)).toBe(MailboxStatus.STORED); // other mailboxes unaffected
  });

  it('bytes per mailbox, mailboxes per holder and bytes per holder are bounded', () => {
    const { s } = store({ maxMailboxes: 2, maxHolderBytes: 3_000 });
    expect(s.append(key(1), tag(1), item(1, 1_000), 0)).toBe(MailboxStatus.STORED);
    expect(s.append(key(1), tag(2), item(2, 1_000), 0)).toBe(MailboxStatus.STORED);
    expect(s.append(key(1), tag(3), item(3, 4), 0)).toBe(MailboxStatus.MAILBOX_FULL);
    expect(s.append(key(2), tag(1), item(4, 500), 0)).toBe(MailboxStatus.STORED);
    expect(s.append(key(3), tag(1), item(5, 10), 0)).toBe(MailboxStatus.HOLDER_FULL); // a fresh-key flood
    expect(s.append(key(2), tag(1), item(6, 600), 0)).toBe(MailboxStatus.HOLDER_FULL);
  });

  it('items expire expiryMs after their first store; a REPLICATE cannot extend that', () => {
    const { s, stats } = store();
    s.append(key(1), tag(1), item(1), 0);
    s.append(key(1), tag(1), item(2), 500, 10_000_000); // claims a far-future first store: clamped to now
    s.append(key(1), tag(1), item(3), 500, 0); // replicated: keeps its first store time
    expect(s.list(key(1)).map((i) => i.storedAtMs)).toEqual([0, 500, 0]);
    expect(s.sweep(1_000)).toBe(2);
    expect(s.list(key(1))).toHaveLength(1);
    expect(s.append(key(1), tag(1), item(4), 2_000, 0)).toBe(MailboxStatus.GONE); // already expired
    expect(stats.itemsExpired).toBe(2);
  });

  it('delete-by-ack removes items and tombstones them, so re-replication cannot resurrect them; tombstones are bounded', () => {
    const { s } = store({ maxTombstones: 2 });
    s.append(key(1), tag(1), item(1), 0);
    s.append(key(1), tag(1), item(2), 0);
    expect(s.delete(key(1), [itemIdOf(nodeSuite, item(1)), itemIdOf(nodeSuite, item(9))], 10)).toBe(1);
    expect(s.append(key(1), tag(1), item(1), 20, 0)).toBe(MailboxStatus.GONE);
    s.delete(key(2), [itemIdOf(nodeSuite, item(7)), itemIdOf(nodeSuite, item(8))], 30);
    expect(s.tombstoneCount).toBe(2);
    s.sweep(2_000);
    expect(s.tombstoneCount).toBe(0);
  });
});
