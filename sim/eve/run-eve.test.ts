import { describe, expect, it } from 'vitest';
import { ATTACKS } from './attacks/index.ts';
import { runEve } from './run-eve.ts';
import { syntheticTap } from './synthetic-tap.ts';
import { parseTap } from './tap-reader.ts';

describe('runEve', () => {
  const { tap, truth } = syntheticTap({ nodes: 120, conversations: 30, durationS: 300, paddingMode: 'variable' });
  const r = runEve(tap, truth);

  it('reports every attack with the fields of attacks.eveByMethod', () => {
    expect(Object.keys(r.eveByMethod)).toEqual(ATTACKS.map((a) => a.name));
    for (const [name, f] of Object.entries(r.eveByMethod)) {
      expect(f.method).toBe(name);
      expect(f.targets).toBe(60);
      expect(f.candidates).toBe(59);
      expect(f.maxEntropyBits).toBeCloseTo(Math.log2(59), 12);
      expect(f.degreeOfAnonymity).toBeCloseTo(f.entropyBits / f.maxEntropyBits, 12);
      expect(f.minEntropyBits).toBeLessThanOrEqual(f.entropyBits + 1e-9);
      for (const x of [f.top1!, f.top5!, f.tprAtFpr['0.01']!, f.tprAtFpr['0.001']!]) expect(x).toBeGreaterThanOrEqual(0);
      expect(f.top5!).toBeGreaterThanOrEqual(f.top1!);
      expect(f.meanRank!).toBeGreaterThanOrEqual(1);
      expect(f.roc!.fpr.length).toBeLessThanOrEqual(100);
    }
  });

  it('names the strongest attack (highest top-1) in eve', () => {
    const best = Math.max(...Object.values(r.eveByMethod).map((f) => f.top1!));
    expect(r.eve!.top1).toBe(best);
    expect(r.eve).toEqual(r.eveByMethod[r.eve!.method]);
  });

  it('keeps at most 50 targets with their top 5 candidates, the partner marked', () => {
    expect(r.targets).toHaveLength(50);
    const first = r.targets[0];
    expect(first.target).toBe('n0');
    expect(first.partners).toEqual(['n1']);
    for (const view of Object.values(first.byMethod)) {
      expect(view.top).toHaveLength(5);
      expect(view.top.map((c) => c.score)).toEqual([...view.top.map((c) => c.score)].sort((a, b) => b - a));
      for (const c of view.top) expect(c.isPartner).toBe(c.candidate === 'n1');
    }
    const top1 = r.eveByMethod['size-correlation'].top1!;
    const marked = r.targets.filter((t) => t.byMethod['size-correlation'].top[0].isPartner).length;
    expect(marked / 50).toBeCloseTo(top1, 0);
  });

  it('is deterministic', () => {
    expect(runEve(tap, truth)).toEqual(r);
  });

  it('without truth ranks every address that sends and receives, with null accuracy', () => {
    const blind = runEve(tap, null, { attacks: ['timing-correlation'] });
    const f = blind.eveByMethod['timing-correlation'];
    const sends = new Set(tap.source);
    const both = new Set([...tap.target].filter((id) => sends.has(id)));
    expect(f.targets).toBe(both.size); // users and (used) relays alike
    expect(both.size).toBeGreaterThan(60);
    expect([f.top1, f.top5, f.meanRank, f.roc, f.tprAtFpr['0.01']]).toEqual([null, null, null, null, null]);
    expect(f.temperature).toBe(1);
    expect(blind.targets[0].partners).toEqual([]);
  });

  it('runs a chosen subset and rejects unknown attacks', () => {
    expect(Object.keys(runEve(tap, truth, { attacks: ['disclosure'] }).eveByMethod)).toEqual(['disclosure']);
    expect(() => runEve(tap, truth, { attacks: ['psychic'] })).toThrow(/unknown attack psychic/);
  });

  it('has nothing to report without targets', () => {
    expect(runEve(parseTap('time_ms,source,target,bytes\n'), null)).toEqual({ eve: null, eveByMethod: {}, targets: [] });
  });

  it('keeps truth users the tap never saw as candidates with no activity', () => {
    const quiet = runEve(parseTap('time_ms,source,target,bytes\n1,a,r,100\n2,r,b,100\n'), {
      conversations: [{ source: 'a', target: 'b', startMs: 0, endMs: 1 }, { source: 'c', target: 'd', startMs: 0, endMs: 1 }],
      malicious: [],
    });
    expect(quiet.eve!.targets).toBe(4);
    expect(quiet.eve!.candidates).toBe(3);
    expect(quiet.targets.map((t) => t.target)).toEqual(['a', 'b', 'c', 'd']);
  });
});
