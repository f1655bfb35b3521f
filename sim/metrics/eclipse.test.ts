import { describe, expect, it } from 'vitest';
import { eclipseFigures, isEclipsed, isPoisoned, type VictimObservation } from './eclipse.ts';

function victim(over: Partial<VictimObservation>): VictimObservation {
  return {
    joinFinished: true,
    joined: true,
    tableSize: 20,
    maliciousInTable: 0,
    lookups: [],
    lookupsUnfinished: 0,
    maliciousEntriesKnown: [],
    honestEntriesKnown: ['h1'],
    flaggedMalicious: [],
    flaggedHonest: [],
    ...over,
  };
}

describe('eclipse metrics', () => {
  it('isPoisoned: a failed lookup whose result set is at least half malicious, or empty', () => {
    expect(isPoisoned({ found: false, resultSize: 8, maliciousInResult: 4 })).toBe(true);
    expect(isPoisoned({ found: false, resultSize: 8, maliciousInResult: 3 })).toBe(false);
    expect(isPoisoned({ found: true, resultSize: 8, maliciousInResult: 8 })).toBe(false);
    expect(isPoisoned({ found: false, resultSize: 0, maliciousInResult: 0 })).toBe(true);
  });

  it('isEclipsed: 90 % of the table malicious, or every lookup poisoned', () => {
    expect(isEclipsed(victim({ tableSize: 20, maliciousInTable: 18 }))).toBe(true);
    expect(isEclipsed(victim({ tableSize: 20, maliciousInTable: 17 }))).toBe(false);
    const poisoned = { found: false, resultSize: 4, maliciousInResult: 4 };
    expect(isEclipsed(victim({ lookups: [poisoned, poisoned] }))).toBe(true);
    expect(isEclipsed(victim({ lookups: [poisoned, { ...poisoned, found: true }] }))).toBe(false);
    expect(isEclipsed(victim({ tableSize: 0, joined: false }))).toBe(false);
  });

  it('eclipseFigures counts distinct flagged malicious entries and reports false flags apart', () => {
    const f = eclipseFigures(
      [
        victim({ maliciousEntriesKnown: ['m1'], flaggedMalicious: ['m1'], tableSize: 10, maliciousInTable: 1 }),
        victim({ maliciousEntriesKnown: ['m1', 'm2'], flaggedMalicious: ['m1'], flaggedHonest: ['h1'] }),
        victim({ maliciousEntriesKnown: ['m2'], honestEntriesKnown: [], tableSize: 10, maliciousInTable: 10 }),
      ],
      { totalNodes: 100, maliciousNodes: 25, maliciousEntries: 3 },
    );
    expect(f).toMatchObject({
      maliciousFraction: 0.25,
      victims: 3,
      eclipsedVictims: 1,
      flaggedEntries: 1,
      flagEvents: 2,
      maliciousEntryEncounters: 4,
      flagRecall: 0.5,
      falselyFlaggedEntries: 1,
      falseFlags: 1,
      victimsWithMaliciousMajority: 2,
      victimsWithOnlyMaliciousEntries: 1,
      adversarialCircuitFraction: null,
    });
    expect(f.meanMaliciousTableShare).toBeCloseTo((0.1 + 0 + 1) / 3);
  });
});
