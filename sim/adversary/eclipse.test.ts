/**
 * The eclipse attack end to end in the simulator: the same small world (seeded) with the defence off and on.
 * Small on purpose (every new peer pair costs an ECMQV handshake); the scenario files are the full-size runs.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioSchema, type ScenarioInput } from '../scenario/schema.ts';
import { runScenario } from '../scenario/run-scenario.ts';
import type { EclipseFigures } from '../metrics/eclipse.ts';

type Defence = 'none' | 'multi-entry' | 'cross-check';
type AttackerInput = NonNullable<ScenarioInput['eclipse']>['attacker'];

function world(defence: Defence, attacker: AttackerInput = {}): ScenarioInput {
  return {
    name: `eclipse-test-${defence}`,
    seed: 3,
    nodes: 30,
    durationS: 20,
    protocol: 'dht',
    trace: { enabled: false },
    dht: { k: 6, alpha: 3, bootstrapRefreshes: 1, entryNodes: 6, entriesPerNewcomer: 4, joinSpreadS: 6, lookupsPerNodePerMin: 0, stores: 0, nonExistentLookups: 0, drainS: 2 },
    eclipse: { maliciousEntries: 2, colluders: 8, victims: 12, victimJoinSpreadS: 4, victimLookups: 3, defence, publishFlawed: true, attacker },
  };
}

const tapFile = join(mkdtempSync(join(tmpdir(), 'paratox-eclipse-')), 'tap.csv');

function run(defence: Defence, attacker: AttackerInput = {}) {
  return runScenario(scenarioSchema.parse(world(defence, attacker)), defence === 'none' && Object.keys(attacker ?? {}).length === 0 ? { tapFile } : {});
}

function eclipse(defence: Defence, attacker: AttackerInput = {}): EclipseFigures {
  const report = run(defence, attacker);
  // The contract section (design.md: attacks.eclipse) carries the figures; protocol.eclipse repeats them with details.
  expect(report.attacks.eclipse).not.toBeNull();
  const figures = report.attacks.eclipse as EclipseFigures;
  for (const key of ['maliciousFraction', 'victims', 'eclipsedVictims', 'poisonedLookupFraction', 'flaggedEntries', 'adversarialCircuitFraction']) {
    expect(figures).toHaveProperty(key);
  }
  for (const key of ['majorityMaliciousShare', 'meanMaliciousTableShare', 'lookupSuccessRate', 'anyPoisonedLookupShare']) {
    const value = (figures.victimHarm as unknown as Record<string, number>)[key];
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThanOrEqual(1);
  }
  return figures;
}

const off = eclipse('none');
const on = eclipse('cross-check');

describe('eclipse scenario (malicious entries + colluders)', () => {

  it('without the cross-check, victims that join through a malicious entry are eclipsed', () => {
    expect(off.victims).toBe(12);
    expect(off.victimsJoined).toBe(12);
    expect(off.eclipsedVictims).toBeGreaterThanOrEqual(2);
    expect(off.poisonedLookupFraction).toBeGreaterThan(0.1);
    expect(off.flaggedEntries).toBe(0);
    expect(off.maliciousFraction).toBeCloseTo(10 / (30 + 8 + 12));
  });

  it('--tap ground truth names the malicious entries and colluders, as the observer sees them on the wire', () => {
    const truth = JSON.parse(readFileSync(`${tapFile}.truth.json`, 'utf8')) as { malicious: string[] };
    expect(truth.malicious).toHaveLength(2 + 8);
    expect(truth.malicious.filter((a) => a.startsWith('colluder'))).toHaveLength(8);
    const wire = readFileSync(tapFile, 'utf8');
    const entry = truth.malicious.find((a) => !a.startsWith('colluder'))!;
    expect(wire).toContain(`,${entry},`);
  });

  it('with the cross-check, fewer victims are eclipsed and the malicious entries are flagged', () => {
    expect(on.victimsMeetingMaliciousEntry).toBe(off.victimsMeetingMaliciousEntry); // same victims, same entries
    expect(on.eclipsedVictims).toBeLessThan(off.eclipsedVictims);
    expect(on.poisonedLookupFraction).toBeLessThan(off.poisonedLookupFraction);
    expect(on.flaggedEntries).toBe(2);
    expect(on.flagRecall).toBeGreaterThan(0.6);
    expect(on.adversarialCircuitFraction).toBeNull();
  });
});

describe('eclipse: the fair baseline (issue 10)', () => {
  const multi = eclipse('multi-entry');

  it('multi-entry (join through every entry) already beats trusting the first entry', () => {
    expect(multi.victimHarm.majorityMaliciousShare!).toBeLessThan(off.victimHarm.majorityMaliciousShare!);
    expect(multi.flaggedEntries).toBe(0);
  });

  it('against isolated colluders the cross-check is no worse than multi-entry and flags only liars', () => {
    expect(on.victimHarm.majorityMaliciousShare!).toBeLessThanOrEqual(multi.victimHarm.majorityMaliciousShare!);
    expect(on.victimHarm.meanMaliciousTableShare!).toBeLessThan(multi.victimHarm.meanMaliciousTableShare!);
    expect(on.flaggedEntries).toBe(2);
    expect(on.victimHarm.falselyFlaggedEntries).toBe(0);
  });
});
