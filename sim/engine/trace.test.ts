import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Trace, type TraceField } from './trace.ts';

type Op = { kind: string; fields: TraceField[] } | { bytes: Uint8Array };

function hashOf(ops: Op[]): string {
  const t = new Trace();
  for (const op of ops) {
    if ('bytes' in op) t.recordBytes(op.bytes);
    else t.record(op.kind, ...op.fields);
  }
  return t.hash();
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.string({ maxLength: 6 }), fields: fc.array(fc.oneof(fc.string({ maxLength: 6, unit: 'binary' }), fc.double({ noNaN: true })), { maxLength: 4 }) }),
  fc.record({ bytes: fc.uint8Array({ maxLength: 40 }) }),
);

describe('Trace', () => {
  it('hashes equal record sequences equally', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 30 }), (ops) => hashOf(ops) === hashOf(ops)));
  });

  it('changes the hash for any difference: a field, a byte, order, or a field boundary', () => {
    const base: Op[] = [
      { kind: 'send', fields: [1.5, 'n1', 'n2', 100] },
      { bytes: new Uint8Array([1, 2, 3]) },
      { kind: 'deliver', fields: [41.25, 'n1', 'n2', 100] },
    ];
    const h = hashOf(base);
    expect(hashOf([{ kind: 'send', fields: [1.5000000001, 'n1', 'n2', 100] }, ...base.slice(1)])).not.toBe(h);
    expect(hashOf([base[0], { bytes: new Uint8Array([1, 2, 4]) }, base[2]])).not.toBe(h);
    expect(hashOf([base[2], base[1], base[0]])).not.toBe(h);
    expect(hashOf(base.slice(0, 2))).not.toBe(h);
    // Bytes moved across a line must change the hash (interleaving is framed).
    expect(hashOf([base[0], base[2], base[1]])).not.toBe(h);
    expect(hashOf([{ kind: 'a', fields: ['b\tc'] }])).not.toBe(hashOf([{ kind: 'a', fields: ['b', 'c'] }]));
    expect(hashOf([{ kind: 'a', fields: ['b\nc'] }])).not.toBe(hashOf([{ kind: 'a', fields: ['b'] }, { kind: 'c', fields: [] }]));
    expect(hashOf([{ kind: 'a', fields: [1] }])).not.toBe(hashOf([{ kind: 'a', fields: ['1'] }]));
    expect(hashOf([{ kind: 'a', fields: [0] }])).toBe(hashOf([{ kind: 'a', fields: [-0] }]));
    expect(hashOf([{ kind: 'a', fields: [NaN] }])).toBe(hashOf([{ kind: 'a', fields: [0 / 0] }]));
    expect(hashOf([{ kind: 'a', fields: ['é\u{1F600}'] }])).not.toBe(hashOf([{ kind: 'a', fields: ['e\u{1F600}'] }]));
    expect(hashOf([{ bytes: new Uint8Array([1, 2]) }, { bytes: new Uint8Array([3]) }])).not.toBe(
      hashOf([{ bytes: new Uint8Array([1]) }, { bytes: new Uint8Array([2, 3]) }]),
    );
  });

  it('differs for different random sequences (property)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 10 }), fc.array(opArb, { maxLength: 10 }), (a, b) => {
        fc.pre(JSON.stringify(a, replacer) !== JSON.stringify(b, replacer));
        return hashOf(a) !== hashOf(b);
      }),
    );
  });

  it('hashes identically however the data straddles its internal flush points', () => {
    const big = new Uint8Array(200_000).map((_, i) => i * 7);
    const ops: Op[] = [];
    for (let i = 0; i < 3000; i++) ops.push({ kind: 'k', fields: [i + 0.5, 'x'.repeat(i % 13)] });
    ops.push({ kind: 'long', fields: ['y'.repeat(40_000)] }); // larger than half the internal block
    ops.push({ bytes: big });
    const oneByOne = new Trace();
    for (const op of ops.slice(0, -1)) if (!('bytes' in op)) oneByOne.record(op.kind, ...op.fields);
    expect(oneByOne.hash()).toBe(hashOf(ops.slice(0, -1)));
    const mid = oneByOne.hash(); // hash() mid-way must not disturb the running hash
    oneByOne.recordBytes(big);
    expect(oneByOne.hash()).toBe(hashOf(ops));
    expect(mid).not.toBe(oneByOne.hash());
    expect(oneByOne.count).toBe(3002);
  });

  it('formats numbers canonically and passes lines to the sink', () => {
    const lines: string[] = [];
    const t = new Trace({ sink: (l) => lines.push(l) });
    t.record('x', 0.1 + 0.2, 1e21, -0, 42, 'a\\b');
    t.recordBytes(new Uint8Array(3));
    expect(lines).toEqual(['x\t0.30000000000000004\t1e+21\t0\t42\ta\\\\b', '#bytes\t3']);
  });

  it('records nothing when disabled', () => {
    const t = new Trace({ enabled: false });
    t.record('x', 1);
    t.recordBytes(new Uint8Array(4));
    expect(t.count).toBe(0);
    expect(t.hash()).toBe(new Trace().hash());
  });
});

function replacer(_k: string, v: unknown): unknown {
  if (v instanceof Uint8Array) return [...v];
  return v;
}
