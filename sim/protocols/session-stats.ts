import type { SessionManager } from '../../protocol/session/session-manager.ts';

/** Adds up every node's session counters (numbers and the per-reason drop tables) for the report. */
export function sumSessionStats(managers: readonly SessionManager[]): Record<string, unknown> {
  const total: Record<string, number> = {};
  const dropped: Record<string, number> = {};
  const sendDropped: Record<string, number> = {};
  const addAll = (into: Record<string, number>, from: Record<string, number | undefined>) => {
    for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + (v ?? 0);
  };
  for (const m of managers) {
    const { dropped: d, sendDropped: sd, ...counters } = m.stats();
    addAll(total, counters);
    addAll(dropped, d);
    addAll(sendDropped, sd);
  }
  return { ...total, dropped, sendDropped };
}
