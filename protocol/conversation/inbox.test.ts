import { describe, expect, it } from 'vitest';
import { Inbox, type ByteBudget } from './inbox.ts';
import { Outbox } from './outbox.ts';
import { decodeFrame, encodeAck, FrameType, type FragFrame } from './wire.ts';

const stream = new Uint8Array(8).fill(7);
const id = (n: number) => new Uint8Array(16).fill(n);

function frag(seq: number, index: number, count: number, data: Uint8Array, over: Partial<FragFrame> = {}): FragFrame {
  return { type: FrameType.FRAG, stream, seq, floor: 0, messageId: id(seq), index, count, total: data.length * count, data, ...over };
}

describe('Inbox', () => {
  it('reassembles out of order, releases in seq order, and suppresses duplicates', () => {
    const inbox = new Inbox(4, 1_000, { used: 0, max: 10_000 });
    const d = (n: number) => new Uint8Array(10).fill(n);
    expect(inbox.receive(frag(1, 0, 1, d(1))).deliveries).toEqual([]);
    expect(inbox.receive(frag(0, 1, 2, d(2))).deliveries).toEqual([]);
    const out = inbox.receive(frag(0, 0, 2, d(3))).deliveries;
    expect(out.map((x) => x.body[0])).toEqual([3, 1]);
    expect(inbox.receive(frag(0, 0, 2, d(3))).kind).toBe('duplicate');
    expect(inbox.receive(frag(1, 0, 1, d(1))).kind).toBe('duplicate');
  });

  it('refuses seqs beyond the window and bytes beyond the shared budget', () => {
    const budget: ByteBudget = { used: 0, max: 25 };
    const inbox = new Inbox(4, 1_000, budget);
    const d = new Uint8Array(10);
    expect(inbox.receive(frag(4, 0, 2, d))).toMatchObject({ kind: 'dropped', reason: 'beyond-window' });
    expect(inbox.receive(frag(1, 0, 3, d)).kind).toBe('accepted');
    expect(inbox.receive(frag(2, 0, 3, d)).kind).toBe('accepted');
    expect(inbox.receive(frag(3, 0, 3, d))).toMatchObject({ kind: 'dropped', reason: 'buffer-full' });
    expect(budget.used).toBe(20);
    inbox.clear();
    expect(budget.used).toBe(0);
  });

  it('refuses a total above maxMessageBytes and fragments that do not add up', () => {
    const budget: ByteBudget = { used: 0, max: 10_000 };
    const inbox = new Inbox(4, 100, budget);
    expect(inbox.receive(frag(0, 0, 2, new Uint8Array(60)))).toMatchObject({ kind: 'dropped', reason: 'malformed' });
    inbox.receive(frag(0, 0, 2, new Uint8Array(10), { total: 25 }));
    expect(inbox.receive(frag(0, 1, 2, new Uint8Array(10), { total: 25 }))).toMatchObject({ kind: 'dropped', reason: 'inconsistent-fragment' });
    expect(budget.used).toBe(0);
  });

  it('skips what the sender gave up (floor), cheaply even for a huge floor', () => {
    const inbox = new Inbox(4, 1_000, { used: 0, max: 10_000 });
    inbox.receive(frag(0, 0, 2, new Uint8Array(5)));
    const v = inbox.receive(frag(3, 0, 1, new Uint8Array(5), { floor: 3 }));
    expect(v).toMatchObject({ kind: 'accepted', skipped: 3 });
    expect(v.kind !== 'dropped' && v.deliveries).toHaveLength(1);
    const huge = inbox.receive(frag(4_000_000_000, 0, 1, new Uint8Array(5), { floor: 4_000_000_000 }));
    expect(huge).toMatchObject({ kind: 'accepted', skipped: 4_000_000_000 - 4 });
  });

  it('acks partial messages with a bitmap that fits, and the outbox understands it', () => {
    const outbox = new Outbox(stream, 4, 100, 400);
    const body = new Uint8Array(100).map((_, i) => i);
    outbox.add({ id: 'a', idBytes: id(0), body, sentAtMs: 0 });
    const { frames } = outbox.due(10, 0);
    expect(frames).toHaveLength(10);
    const inbox = new Inbox(4, 1_000, { used: 0, max: 10_000 });
    for (const f of frames) if (f.index % 3 === 0) inbox.receive({ type: FrameType.FRAG, ...f });
    const ack = decodeFrame(encodeAck(inbox.ack(100)!));
    if (!ack.ok || ack.value.type !== FrameType.ACK) throw new Error('ack');
    expect(outbox.applyAck(ack.value, 50)).toEqual([]);
    expect(outbox.due(10, 100).frames.map((f) => f.index)).toEqual([1, 2, 4, 5, 7, 8]);
    // The retransmission timer doubled (100 -> 200) and is capped at 400.
    expect(outbox.nextDueMs()).toBe(300);
    outbox.due(10, 300);
    outbox.due(10, 700);
    expect(outbox.nextDueMs()).toBe(1_100);
    for (const f of frames) inbox.receive({ type: FrameType.FRAG, ...f });
    const done = decodeFrame(encodeAck(inbox.ack(100)!));
    if (!done.ok || done.value.type !== FrameType.ACK) throw new Error('ack');
    expect(done.value.cumulative).toBe(1);
    expect(outbox.applyAck(done.value, 1_200).map((m) => m.id)).toEqual(['a']);
    expect(outbox.size()).toBe(0);
  });

  it('keeps at most `window` messages in flight', () => {
    const outbox = new Outbox(stream, 2, 100, 400);
    for (let i = 0; i < 5; i++) outbox.add({ id: `${i}`, idBytes: id(i), body: new Uint8Array(5), sentAtMs: 0 });
    expect(new Set(outbox.due(100, 0).frames.map((f) => f.seq))).toEqual(new Set([0, 1]));
  });
});
