/**
 * The tap and its truth file name the same addresses (issue 11, item 15). Guards: under symmetric NAT the tap
 * printed the per-destination mapping (`n3:1`) while the truth named the node (`n3`), so a user's own tools (and
 * Eve on the export) could not join the two.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTapFile, readTruthFile } from '../eve/tap-reader.ts';
import { parseScenario } from '../scenario/load-scenario.ts';
import { runScenario } from '../scenario/run-scenario.ts';

describe('--tap under NAT', () => {
  it('every address in the tap and the truth resolves to a node listed in the truth file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'paratox-tap-'));
    const tapFile = path.join(dir, 'tap.csv');
    runScenario(
      parseScenario({
        seed: 3,
        nodes: 30,
        durationS: 10,
        nat: { none: 0.3, fullCone: 0.2, restricted: 0.2, symmetric: 0.3 },
        ping: { intervalMs: 200, peersPerNode: 4 },
      }),
      { tapFile },
    );
    const tap = await readTapFile(tapFile);
    const truth = readTruthFile(`${tapFile}.truth.json`);
    const nodes = new Set(truth.nodes);
    expect(nodes.size).toBe(30);
    expect(tap.rows).toBeGreaterThan(500);
    const unresolved = tap.addresses.filter((a) => !nodes.has(a));
    expect(unresolved).toEqual([]);
    expect(tap.addresses.length).toBe(30); // every node sent or received; no extra (mapping) names
    for (const c of truth.conversations) {
      expect(nodes.has(c.source) && nodes.has(c.target)).toBe(true);
    }
    expect(truth.conversations.length).toBeGreaterThan(0);
  });
});
