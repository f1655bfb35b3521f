/**
 * The stronger attacker of issue 10 in the simulator: colluders that join the honest DHT and publish valid
 * bindings, and liars that try to wipe reports about themselves. Small world as in eclipse.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { scenarioSchema, type ScenarioInput } from '../scenario/schema.ts';
import { runScenario } from '../scenario/run-scenario.ts';
import type { EclipseFigures } from '../metrics/eclipse.ts';

type AttackerInput = NonNullable<ScenarioInput['eclipse']>['attacker'];

function run(defence: 'multi-entry' | 'cross-check', attacker: AttackerInput) {
  return runScenario(
    scenarioSchema.parse({
      name: `eclipse-integrated-test-${defence}`,
      seed: 3,
      nodes: 30,
      durationS: 20,
      protocol: 'dht',
      trace: { enabled: false },
      dht: { k: 6, alpha: 3, bootstrapRefreshes: 1, entryNodes: 6, entriesPerNewcomer: 4, joinSpreadS: 6, lookupsPerNodePerMin: 0, stores: 0, nonExistentLookups: 0, drainS: 2 },
      eclipse: { maliciousEntries: 2, colluders: 8, victims: 12, victimJoinSpreadS: 4, victimLookups: 3, defence, publishFlawed: true, attacker },
    } satisfies ScenarioInput),
  );
}

describe('eclipse: integrated colluders and report wiping (issue 10)', () => {
  const integratedMulti = run('multi-entry', { colluders: 'integrated' }).attacks.eclipse as EclipseFigures;
  const integratedCross = run('cross-check', { colluders: 'integrated', wipeReports: true });
  const ic = integratedCross.attacks.eclipse as EclipseFigures;

  it('integrated colluders exist by every test: nothing is flagged, and nobody is flagged by mistake either', () => {
    expect(ic.flaggedEntries).toBe(0);
    expect(ic.victimHarm.falselyFlaggedEntries).toBe(0);
    expect(ic.victimHarm.unfinishedJoins).toBe(0);
    // Same join as multi-entry when nothing is flagged: within one victim of it.
    expect(Math.abs(ic.victimHarm.majorityMaliciousShare! - integratedMulti.victimHarm.majorityMaliciousShare!)).toBeLessThanOrEqual(1 / 12);
  });

  it('honest holders refuse the liars\' future-dated self-reports', () => {
    const attacker = (integratedCross.protocol.eclipse as { attacker: { wipeAttempts: number; wipeAcks: Record<string, number> } }).attacker;
    expect(attacker.wipeAttempts).toBeGreaterThan(0);
    expect(attacker.wipeAcks['foreign-binding']).toBeGreaterThan(0);
    expect(attacker.wipeAcks.stored ?? 0).toBe(0);
  });
});
