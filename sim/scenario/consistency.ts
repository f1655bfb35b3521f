/**
 * Checks across fields of a resolved scenario that the schema cannot express field by field: contradictions
 * (more entry nodes than nodes, a drain as long as the run), sections that only apply to another protocol (an
 * `eclipse` section under `protocol: "ping"` was silently ignored), and the per-protocol node cap. Each problem
 * is "field: problem"; the loader reports the first.
 *
 * A section counts as written when it differs from its default, so a resolved scenario (all defaults filled in,
 * e.g. the one a report holds, or `paratox seeds --set` rewrites) parses again unchanged.
 */
import { echo } from './echo.ts';
import { MAX_NODES } from './limits.ts';
import { conversationsSchema, dhtSchema, eveSchema, noiseSchema, onionSchema, pingSchema, type Scenario } from './schema.ts';

type Protocol = Scenario['protocol'];

/** Sections that only some protocols read, with the value that means "not written". */
const SECTIONS: Array<{ section: keyof Scenario; protocols: readonly Protocol[]; unset: unknown }> = [
  { section: 'ping', protocols: ['ping'], unset: pingSchema.parse({}) },
  { section: 'dht', protocols: ['dht', 'messenger'], unset: dhtSchema.parse({}) },
  { section: 'eclipse', protocols: ['dht'], unset: null },
  { section: 'nodeIdRotation', protocols: ['dht', 'messenger'], unset: null },
  { section: 'noise', protocols: ['dht', 'messenger'], unset: noiseSchema.parse({}) },
  { section: 'onion', protocols: ['messenger'], unset: onionSchema.parse({}) },
  { section: 'conversations', protocols: ['messenger'], unset: conversationsSchema.parse({}) },
  { section: 'eve', protocols: ['messenger'], unset: eveSchema.parse({}) },
];

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function quoteList(items: readonly string[]): string {
  return items.map((p) => `"${p}"`).join(' or ');
}

function sectionProblems(s: Scenario): string[] {
  return SECTIONS.filter(({ section, protocols, unset }) => !protocols.includes(s.protocol) && !sameValue(s[section], unset)).map(
    ({ section, protocols }) => `${section}: only applies to protocol ${quoteList(protocols)}, but protocol is "${s.protocol}" (remove the section or change protocol)`,
  );
}

/** Nodes the simulator holds: `nodes` plus an eclipse attacker's colluders, victims and report-key Sybils. */
export function simulatedNodes(s: Scenario): number {
  const e = s.protocol === 'dht' ? s.eclipse : null;
  return s.nodes + (e ? e.colluders + e.victims + e.maliciousEntries * e.attacker.reportKeySybils : 0);
}

function sizeProblems(s: Scenario): string[] {
  const cap = MAX_NODES[s.protocol];
  const total = simulatedNodes(s);
  if (total <= cap) return [];
  const what = total === s.nodes ? `${s.nodes}` : `${s.nodes} + ${total - s.nodes} eclipse colluders and victims = ${total}`;
  return [`nodes: at most ${cap} simulated nodes for protocol "${s.protocol}" (got ${what}; see MAX_NODES in sim/scenario/limits.ts)`];
}

function networkProblems(s: Scenario): string[] {
  const regions = new Set(Object.keys(s.regions));
  const problems: string[] = [];
  for (const key of Object.keys(s.network.regionLatency)) {
    const unknown = key.split('|').filter((r) => !regions.has(r));
    if (unknown.length > 0) {
      problems.push(`network.regionLatency: key ${echo(key)} names region ${echo(unknown[0])}, which is not in regions (${[...regions].map((r) => echo(r, 20)).join(', ')})`);
    }
  }
  return problems;
}

function dhtProblems(s: Scenario): string[] {
  if (s.protocol === 'ping') return [];
  const { dht } = s;
  const problems: string[] = [];
  if (dht.entryNodes > s.nodes) problems.push(`dht.entryNodes: ${dht.entryNodes} entry nodes but only ${s.nodes} nodes (must be <= nodes)`);
  if (s.protocol === 'dht' && dht.drainS >= s.durationS) problems.push(`dht.drainS: ${dht.drainS} s must be < durationS (${s.durationS} s): no lookup could start`);
  const e = s.protocol === 'dht' ? s.eclipse : null;
  if (e && e.maliciousEntries > dht.entryNodes) problems.push(`eclipse.maliciousEntries: ${e.maliciousEntries} is more than dht.entryNodes (${dht.entryNodes})`);
  return problems;
}

function messengerProblems(s: Scenario): string[] {
  if (s.protocol !== 'messenger') return [];
  const c = s.conversations;
  const problems: string[] = [];
  const users = c.users ?? 2 * c.count;
  const candidates = s.nodes - Math.min(s.dht.entryNodes, s.nodes);
  if (users > candidates) {
    problems.push(`conversations.users: ${users} users${c.users === null ? ' (2 x count)' : ''} but only ${candidates} non-entry nodes (nodes - dht.entryNodes)`);
  }
  if (c.count > (users * (users - 1)) / 2) problems.push(`conversations.count: ${c.count} conversations need more than ${users} users (at most ${(users * (users - 1)) / 2} pairs)`);
  if (c.minBytes > c.maxBytes) problems.push(`conversations.minBytes: ${c.minBytes} is more than maxBytes (${c.maxBytes})`);
  if (c.startS >= s.durationS - c.drainS) {
    problems.push(`conversations.startS: ${c.startS} s must be < durationS - drainS (${s.durationS} - ${c.drainS} s): no message would be written`);
  }
  const w = c.offlineWindow;
  if (w !== null) {
    if (w.recipients > c.count) problems.push(`conversations.offlineWindow.recipients: ${w.recipients} is more than conversations.count (${c.count})`);
    if (w.toS < w.fromS) problems.push(`conversations.offlineWindow.toS: ${w.toS} s is before fromS (${w.fromS} s)`);
  }
  return problems;
}

function rotationProblems(s: Scenario): string[] {
  const r = s.nodeIdRotation;
  return r !== null && r.graceS > r.periodS ? [`nodeIdRotation.graceS: ${r.graceS} s must be <= periodS (${r.periodS} s)`] : [];
}

/** Ping nodes have no NAT traversal service: autoPunch there would be silently ignored. */
function natProblems(s: Scenario): string[] {
  if (s.protocol === 'ping' && s.nat.autoPunch === true) return ['nat.autoPunch: only applies to protocol "dht" or "messenger", but protocol is "ping" (ping nodes do not traverse NATs)'];
  // Hole punching starts when a handshake stalls; a one-shot query has none, so a NATed contact would stay unreachable.
  if (s.dht.oneShotQueries && s.nat.autoPunch === true) return ['dht.oneShotQueries: cannot run with nat.autoPunch (punching starts from a stalled handshake, and one-shot queries make none)'];
  return [];
}

/** Every cross-field problem of a resolved scenario, as "field: problem"; empty when it is consistent. */
export function consistencyProblems(s: Scenario): string[] {
  return [...sectionProblems(s), ...sizeProblems(s), ...networkProblems(s), ...dhtProblems(s), ...messengerProblems(s), ...rotationProblems(s), ...natProblems(s)];
}
