/**
 * The end-of-run accounting invariant (issue 11, item 6): every message ends delivered, failed with a reason or
 * pending; every datagram delivered, dropped with a reason, or still queued / on a link. Each test guards one way
 * the accounting used to leak (stated beside it) and fails without the fix.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../engine/simulator.ts';
import { SimNetwork } from '../network/sim-network.ts';
import type { SimNode } from '../network/sim-node.ts';
import { pingDriver } from '../protocols/ping-driver.ts';
import type { DriverFactory } from '../protocols/driver.ts';
import { parseScenario } from '../scenario/load-scenario.ts';
import { runScenario } from '../scenario/run-scenario.ts';
import { checkDatagrams, checkOutcomes, checkParts, InvariantError } from './accounting.ts';

const CONST_10 = { meanMs: 10, jitterMs: 0, distribution: 'constant' as const };

/** A network double with a leak: one datagram in every ten is counted as sent and then forgotten. */
class LeakyNetwork extends SimNetwork {
  private n = 0;
  override sendFrom(src: SimNode, to: string, bytes: Uint8Array): void {
    if (++this.n % 10 === 0) {
      this.stats.sent++;
      return;
    }
    super.sendFrom(src, to, bytes);
  }
}

function traffic(net: SimNetwork, sim: Simulator, untilMs: number): void {
  const a = net.addNode('a');
  const b = net.addNode('b');
  b.onReceive(() => {});
  for (let i = 0; i < 40; i++) a.send('b', new Uint8Array(100));
  a.send('nobody', new Uint8Array(10)); // dropped: unknown
  sim.runUntil(untilMs);
}

describe('checkDatagrams', () => {
  it('accepts a run cut off with datagrams still queued and on links, and reports where they are', () => {
    // Guards: datagrams in an uplink queue at the end used to vanish from the report (no figure held them).
    const sim = new Simulator({ seed: 1 });
    const net = new SimNetwork(sim, { latency: CONST_10, uplinkBytesPerS: 10_000 }); // 100 bytes = 10 ms each
    traffic(net, sim, 105);
    const account = net.datagramAccount();
    expect(() => checkDatagrams(account)).not.toThrow();
    expect(account).toMatchObject({ sent: 41, delivered: 9, queuedAtEnd: 30, inFlightAtEnd: 1 });
    expect(account.dropped.unknown).toBe(1);
  });

  it('fails with a clear message when a datagram vanished (leaky network double)', () => {
    const sim = new Simulator({ seed: 1 });
    const net = new LeakyNetwork(sim, { latency: CONST_10 });
    traffic(net, sim, 1000);
    expect(() => checkDatagrams(net.datagramAccount())).toThrow(InvariantError);
    expect(() => checkDatagrams(net.datagramAccount())).toThrow(
      /41 datagrams sent but 37 accounted for \(delivered 36, dropped 1, queued at end 0, in flight at end 0\): 4 unaccounted/,
    );
  });
});

describe('checkOutcomes / checkParts', () => {
  it('name the numbers when the parts do not add up', () => {
    expect(() => checkOutcomes(10, { delivered: 5, deliveredOffline: 0, failed: { timeout: 2 }, pending: 2 })).toThrow(
      /10 messages sent but outcomes sum to 9/,
    );
    expect(() => checkParts('lookups issued', 7, { finished: 3, unfinished: 3 })).toThrow(
      /7 lookups issued but their ends sum to 6 \(finished 3, unfinished 3\)/,
    );
    expect(() => checkParts('lookups issued', 6, { finished: 3, unfinished: 3 })).not.toThrow();
  });
});

const pingChurn = parseScenario({
  nodes: 40,
  durationS: 20,
  nat: { none: 0.5, restricted: 0.3, symmetric: 0.2 },
  churn: { meanUptimeS: 4, meanDowntimeS: 2, fraction: 1 },
  ping: { intervalMs: 200, peersPerNode: 4, timeoutMs: 1000 },
});

describe('runScenario enforces the invariant on every run', () => {
  it('a ping run under full churn accounts for every ping: pong, timeout, stopped with its sender, or pending', () => {
    // Guards: PingNode.stop() discarded outstanding pings uncounted, and pings outstanding at the end were in no figure.
    const r = runScenario(pingChurn);
    const o = r.traffic.outcomes!;
    const ping = r.protocol.ping as Record<string, number>;
    expect(o.failed.stopped).toBeGreaterThan(0);
    expect(o.pending).toBeGreaterThan(0);
    expect(o.delivered + o.failed.timeout + o.failed.stopped + o.pending).toBe(r.traffic.messagesSent);
    expect(o.delivered).toBe(ping.pongsReceived);
    expect(o.failed.stopped).toBe(ping.abandonedAtStop);
    expect(r.traffic.messageUnit).toMatch(/^ping:/);
    const d = r.traffic.datagrams;
    expect(d.sent).toBe(d.delivered + d.dropped + d.queuedAtEnd + d.inFlightAtEnd);
    expect(d.dropped).toBe(Object.values(d.droppedByReason).reduce((a, b) => a + b, 0));
    expect(d.droppedByReason.down).toBeGreaterThan(0);
    expect(d.transmitted).toBe(r.traffic.wirePackets);
  });

  it('a driver that loses a message fails the run with the numbers (test double)', () => {
    const leaky: DriverFactory = (ctx) => {
      const inner = pingDriver(ctx);
      return {
        ...inner,
        finish() {
          const result = inner.finish();
          result.outcomes.failed.timeout -= 1; // one ping vanishes from the outcomes
          return result;
        },
      };
    };
    expect(() => runScenario(pingChurn, { driver: leaky })).toThrow(InvariantError);
    expect(() => runScenario(pingChurn, { driver: leaky })).toThrow(/accounting: \d+ messages sent but outcomes sum to \d+/);
  });
});
