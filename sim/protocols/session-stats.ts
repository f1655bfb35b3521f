import type { SessionManager } from '../../protocol/session/session-manager.ts';
import { sumCounters } from './sum-counters.ts';

/** Adds up every node's session counters (numbers and the per-reason drop tables) for the report. */
export function sumSessionStats(managers: readonly SessionManager[]): Record<string, unknown> {
  const total = sumCounters(managers.map((m) => m.stats()));
  // The drop tables are always present, even with no manager or no drop.
  return { ...total, handshakesByTrigger: total.handshakesByTrigger ?? {}, dropped: total.dropped ?? {}, sendDropped: total.sendDropped ?? {} };
}
