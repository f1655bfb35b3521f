/**
 * One line of the Runs table: what a report is (scenario, seed, protocol, nodes) and its key figures. Pure, and
 * tolerant: a report from an older format or another protocol simply has nulls where it lacks a figure; a file
 * that is not a report at all is "broken" with the reason.
 */

export interface RunFigures {
  deliveryRatio: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  bandwidthOverhead: number | null;
  eveTop1: number | null;
  eveMethod: string | null;
  degreeOfAnonymity: number | null;
  majorityMaliciousShare: number | null;
}

export interface RunHead {
  scenario: string;
  seed: number | null;
  protocol: string | null;
  nodes: number | null;
  traceHash: string | null;
  figures: RunFigures;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The value at a dot path when it is a finite number, else null. */
export function numberAt(root: unknown, path: string): number | null {
  let v: unknown = root;
  for (const k of path.split('.')) v = isRecord(v) && Object.hasOwn(v, k) ? v[k] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function stringAt(root: unknown, path: string): string | null {
  let v: unknown = root;
  for (const k of path.split('.')) v = isRecord(v) && Object.hasOwn(v, k) ? v[k] : undefined;
  return typeof v === 'string' ? v : null;
}

/** Whether parsed JSON claims to be a run report (has the format version); other JSON files are not listed. */
export function looksLikeReport(json: unknown): boolean {
  return isRecord(json) && 'paratox' in json && !('paratoxSweep' in json);
}

/** The Runs-table head of a report, or throws an Error naming the first missing part (the file is broken). */
export function runHead(json: unknown): RunHead {
  if (!isRecord(json)) throw new Error('not a JSON object');
  if (typeof json.paratox !== 'number') throw new Error('paratox: expected the report format version (a number)');
  if (!isRecord(json.scenario) || typeof json.scenario.name !== 'string') throw new Error('scenario.name: missing');
  if (!isRecord(json.traffic)) throw new Error('traffic: missing');
  return {
    scenario: json.scenario.name,
    seed: numberAt(json, 'seed'),
    protocol: stringAt(json, 'scenario.protocol'),
    nodes: numberAt(json, 'sim.nodes') ?? numberAt(json, 'scenario.nodes'),
    traceHash: typeof json.traceHash === 'string' ? json.traceHash : null,
    figures: {
      deliveryRatio: numberAt(json, 'traffic.deliveryRatio'),
      latencyP50Ms: numberAt(json, 'traffic.latencyMs.p50'),
      latencyP95Ms: numberAt(json, 'traffic.latencyMs.p95'),
      bandwidthOverhead: numberAt(json, 'traffic.bandwidthOverhead'),
      eveTop1: numberAt(json, 'attacks.eve.top1'),
      eveMethod: stringAt(json, 'attacks.eve.method'),
      degreeOfAnonymity: numberAt(json, 'attacks.eve.degreeOfAnonymity'),
      majorityMaliciousShare: numberAt(json, 'attacks.eclipse.victimHarm.majorityMaliciousShare'),
    },
  };
}
