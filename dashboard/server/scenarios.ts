/**
 * The scenarios a run can start from: scenario files of the scenarios directory and its sweeps/ subfolder (where
 * the tiny base scenarios of the sweeps live; sweep files there do not load as scenarios and are left out). The
 * id is the file's path relative to the scenarios directory ("ping-small.json", "sweeps/messenger-noise-tiny.json").
 */
import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { loadScenario } from '../../sim/scenario/load-scenario.ts';
import { isScenarioFileName } from '../../sim/scenario/scenario-files.ts';
import type { Scenario } from '../../sim/scenario/schema.ts';

export interface ScenarioEntry {
  id: string;
  name: string;
  description: string;
  protocol: string;
  nodes: number;
  durationS: number;
}

const SUBDIRS = ['', 'sweeps'];

/** Every loadable scenario, with the resolved scenario itself (for the run form's defaults). */
export function loadScenarios(dir: string): Array<{ entry: ScenarioEntry; scenario: Scenario; file: string }> {
  const out: Array<{ entry: ScenarioEntry; scenario: Scenario; file: string }> = [];
  for (const sub of SUBDIRS) {
    const d = sub === '' ? dir : join(dir, sub);
    if (!existsSync(d)) continue;
    for (const name of readdirSync(d).filter(isScenarioFileName).sort()) {
      const full = join(d, name);
      // Relative to the working directory when inside it, so a report's `reproduce` line works elsewhere.
      const rel = relative(process.cwd(), full);
      const file = rel.startsWith('..') || isAbsolute(rel) ? full : rel;
      let scenario: Scenario;
      try {
        scenario = loadScenario(file);
      } catch {
        continue; // a sweep file, or a broken scenario: not offered
      }
      const id = sub === '' ? name : `${sub}/${name}`;
      out.push({ entry: { id, name: scenario.name, description: scenario.description ?? '', protocol: scenario.protocol, nodes: scenario.nodes, durationS: scenario.durationS }, scenario, file });
    }
  }
  return out;
}

/** The scenario with this id or name, or undefined. */
export function findScenario(dir: string, idOrName: string): { entry: ScenarioEntry; scenario: Scenario; file: string } | undefined {
  const all = loadScenarios(dir);
  return all.find((s) => s.entry.id === idOrName) ?? all.find((s) => s.entry.name === idOrName);
}
