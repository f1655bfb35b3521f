import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfirmStatus, MessageCodec, MessageType, StoreStatus, type DecodeErrorCode, type DhtMessage } from './messages.ts';
import type { PeerRef } from './types.ts';

const codec = new MessageCodec();
const ERROR_CODES: readonly DecodeErrorCode[] = ['truncated', 'bad-length', 'bad-address', 'bad-pub', 'bad-field', 'unknown-type', 'oversize'];

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const requestId = bytes(8);
const key = bytes(32);
const utf8Length = (s: string) => new TextEncoder().encode(s).length;
const address = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((s) => utf8Length(s) >= 1 && utf8Length(s) <= 64);
const nodePub = fc.tuple(fc.constantFrom(2, 3), bytes(32)).map(([p, x]) => Uint8Array.of(p, ...x));
const peer: fc.Arbitrary<PeerRef> = fc.record({ nodePub, address });
const contacts = fc.array(peer, { maxLength: 10 });
const record = fc.record({ recordType: fc.integer({ min: 0, max: 0xffff }), value: fc.uint8Array({ maxLength: 400 }) });

const message: fc.Arbitrary<DhtMessage> = fc.oneof(
  fc.record({ kind: fc.constant('ping' as const), requestId }),
  fc.record({ kind: fc.constant('pong' as const), requestId, observedAddress: fc.oneof(address, fc.constant('')) }),
  fc.record({ kind: fc.constant('find-node' as const), requestId, target: key }),
  fc.record({ kind: fc.constant('nodes' as const), requestId, contacts }),
  fc.record({ kind: fc.constant('find-value' as const), requestId, key, recordType: fc.integer({ min: 0, max: 0xffff }) }),
  fc.record({ kind: fc.constant('value' as const), requestId, record }),
  fc.record({ kind: fc.constant('store' as const), requestId, key, record }),
  fc.record({ kind: fc.constant('store-ack' as const), requestId, status: fc.constantFrom(...StoreStatus) }),
  fc.record({ kind: fc.constant('get-online' as const), requestId, max: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('online' as const), requestId, contacts }),
  fc.record({ kind: fc.constant('confirm' as const), requestId, contacts }),
  fc.record({ kind: fc.constant('confirmed' as const), requestId, statuses: fc.array(fc.constantFrom(...ConfirmStatus), { maxLength: 40 }) }),
);

/** Decoding must return ok or a typed error; an ok decode must re-encode to the very same bytes (canonical). */
function assertTotal(body: Uint8Array): void {
  const r = codec.decode(body);
  if (r.ok) expect(codec.encode(r.message)).toEqual(body);
  else expect(ERROR_CODES).toContain(r.error);
}

function peerOf(i: number, addressLength: number): PeerRef {
  return { nodePub: Uint8Array.of(2, ...new Uint8Array(32).fill(i)), address: 'x'.repeat(addressLength) };
}

describe('MessageCodec', () => {
  it('decode(encode(m)) = m for every message kind', () => {
    fc.assert(
      fc.property(message, (m) => {
        const encoded = codec.encode(m);
        expect(encoded.length).toBeLessThanOrEqual(codec.maxBodyBytes);
        expect(codec.decode(encoded)).toEqual({ ok: true, message: m });
      }),
      { numRuns: 500 },
    );
  });

  it('a PING is 9 bytes: type and 8-byte request id', () => {
    const encoded = codec.encode({ kind: 'ping', requestId: new Uint8Array(8).fill(1) });
    expect([...encoded]).toEqual([MessageType.PING, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('NODES keeps as many contacts as fit in maxBodyBytes, in order', () => {
    const many = Array.from({ length: 30 }, (_, i) => peerOf(i, 64));
    // header 9 + count 1, then 33 + 1 + 64 = 98 bytes per contact: 12 fit in 1190.
    const r = codec.decode(codec.encode({ kind: 'nodes', requestId: new Uint8Array(8), contacts: many }));
    expect(r.ok && r.message.kind === 'nodes' && r.message.contacts).toEqual(many.slice(0, 12));
    const small = new MessageCodec({ maxBodyBytes: 200 });
    const r2 = small.decode(small.encode({ kind: 'nodes', requestId: new Uint8Array(8), contacts: many }));
    expect(r2.ok && r2.message.kind === 'nodes' && r2.message.contacts.length).toBe(1);
    // Short simulator addresses: all 20 of a k = 20 reply fit.
    const short = Array.from({ length: 20 }, (_, i) => peerOf(i, 4));
    expect(codec.encode({ kind: 'nodes', requestId: new Uint8Array(8), contacts: short }).length).toBe(10 + 20 * 38);
  });

  it('a record value beyond the STORE budget is refused by encode (callers check maxValueBytes)', () => {
    const value = new Uint8Array(codec.maxValueBytes);
    const store: DhtMessage = { kind: 'store', requestId: new Uint8Array(8), key: new Uint8Array(32), record: { recordType: 1, value } };
    expect(codec.encode(store).length).toBe(codec.maxBodyBytes);
    expect(() => codec.encode({ ...store, record: { recordType: 1, value: new Uint8Array(value.length + 1) } })).toThrow(RangeError);
  });

  it('decode reports typed errors for each kind of malformation', () => {
    const id = new Uint8Array(8);
    const findNode = codec.encode({ kind: 'find-node', requestId: id, target: new Uint8Array(32) });
    const nodes = codec.encode({ kind: 'nodes', requestId: id, contacts: [peerOf(1, 3)] });
    const expectError = (body: Uint8Array, error: DecodeErrorCode) => expect(codec.decode(body)).toMatchObject({ ok: false, error });
    expectError(new Uint8Array(0), 'truncated');
    expectError(findNode.subarray(0, 20), 'truncated');
    expectError(Uint8Array.of(0x7e, ...id), 'unknown-type');
    expectError(Uint8Array.of(...findNode, 0), 'bad-length');
    expectError(new Uint8Array(codec.maxBodyBytes + 1), 'oversize');
    const badPrefix = nodes.slice();
    badPrefix[10] = 0x04;
    expectError(badPrefix, 'bad-pub');
    const zeroAddress = nodes.slice(0, 10 + 33 + 1);
    zeroAddress[43] = 0;
    expectError(zeroAddress, 'bad-address');
    const longAddress = codec.encode({ kind: 'nodes', requestId: id, contacts: [peerOf(1, 64)] });
    longAddress[43] = 65;
    expectError(longAddress, 'bad-address');
    const badUtf8 = nodes.slice();
    badUtf8[44] = 0xff;
    expectError(badUtf8, 'bad-address');
    expectError(Uint8Array.of(MessageType.STORE_ACK, ...id, StoreStatus.length), 'bad-field');
  });

  it('random bytes decode to a typed error or a canonical message, never an exception', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1300 }), (b) => assertTotal(b)), { numRuns: 2000 });
    // Bias towards known type bytes so the per-type decoders see garbage too.
    const typed = fc.tuple(fc.integer({ min: 1, max: 0x0c }), fc.uint8Array({ maxLength: 200 })).map(([t, rest]) => Uint8Array.of(t, ...rest));
    fc.assert(fc.property(typed, (b) => assertTotal(b)), { numRuns: 3000 });
  });

  it('mutated valid messages (flips, truncation, insertion, deletion) never make decode throw', () => {
    const mutation = fc.record({
      op: fc.constantFrom('flip', 'truncate', 'insert', 'delete', 'set'),
      at: fc.nat(),
      value: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(message, fc.array(mutation, { minLength: 1, maxLength: 4 }), (m, mutations) => {
        let b = codec.encode(m);
        for (const { op, at, value } of mutations) {
          const i = b.length === 0 ? 0 : at % b.length;
          if (op === 'flip' && b.length > 0) b[i] ^= 1 << value % 8;
          if (op === 'set' && b.length > 0) b[i] = value;
          if (op === 'truncate') b = b.slice(0, i);
          if (op === 'insert') b = Uint8Array.of(...b.subarray(0, i), value, ...b.subarray(i));
          if (op === 'delete') b = Uint8Array.of(...b.subarray(0, i), ...b.subarray(i + 1));
        }
        assertTotal(b);
      }),
      { numRuns: 2000 },
    );
  });
});
