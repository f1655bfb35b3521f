import { describe, expect, it } from 'vitest';
import type { Report } from './report.ts';
import { runHealthWarnings } from './run-health.ts';

/** A report with only the protocol section the warnings read. */
function reportWith(protocol: Record<string, unknown>): Report {
  return { protocol } as unknown as Report;
}

describe('runHealthWarnings', () => {
  it('a healthy messenger run has none', () => {
    const r = reportWith({
      messenger: { population: { joinAttempts: 307, joinsOk: 307, joinsFailed: 0 }, written: 107, notWritten: 0 },
      sessions: { handshakesStarted: 11505, handshakesCompleted: 22893 },
      noise: { policy: 'constant-node', queueDelayMs: { p50Ms: 12 } },
    });
    expect(runHealthWarnings(r)).toEqual([]);
  });

  it('names each failure of the starved 500-node scale-10k trial (constant-node cover at 1/s)', () => {
    // The figures of that run's report: every warning below would have told its user why it read 0/0 delivered.
    const r = reportWith({
      messenger: { population: { joinAttempts: 2746, joinsOk: 0, joinsFailed: 2739 }, written: 0, notWritten: 1030 },
      sessions: { handshakesStarted: 12718, handshakesCompleted: 0, handshakeRetransmits: 73767 },
      noise: { policy: 'constant-node', queueDelayMs: { p50Ms: 572748.7 } },
    });
    const w = runHealthWarnings(r);
    expect(w).toHaveLength(4);
    expect(w[0]).toMatch(/no node joined the DHT \(2746 join attempts, 2739 failed\)/);
    expect(w[1]).toMatch(/no session handshake completed \(12718 started, 73767 retransmits\)/);
    expect(w[2]).toMatch(/no conversation message was written: 1030/);
    expect(w[3]).toMatch(/waited p50 573 s for a 'constant-node' slot; raise noise.ratePerS/);
  });

  it('reads a DHT run’s join counts too, and ignores sections a driver does not have', () => {
    expect(runHealthWarnings(reportWith({ dht: { joinAttempts: 8, joinsOk: 0, joinsFailed: 8 } }))).toEqual([
      expect.stringMatching(/no node joined the DHT/),
    ]);
    expect(runHealthWarnings(reportWith({ ping: { roundTrips: 3 } }))).toEqual([]);
  });
});
