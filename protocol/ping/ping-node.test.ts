import { describe, expect, it } from 'vitest';
import { FakeClock } from '../dht/testing/fake-clock.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { PingNode, type PingChannel } from './ping-node.ts';

/** A channel that swallows everything: no ping is ever answered. */
function blackHole(): PingChannel & { sent: number } {
  return {
    sent: 0,
    send() {
      this.sent++;
    },
    onReceive() {},
  };
}

describe('PingNode', () => {
  it('stop() counts the pings still waiting as abandoned: sent = pongs + timeouts + abandoned + outstanding', () => {
    // Guards: stop() used to clear outstanding pings uncounted, so sent != pongs + timeouts after churn.
    const clock = new FakeClock();
    const channel = blackHole();
    const node = new PingNode({ channel, clock, rng: new SeededRng(3), self: 'a' }, { intervalMs: 100, timeoutMs: 1000, peers: ['b', 'c'] });
    node.start();
    clock.runUntil(3000);
    const s = node.stats;
    expect(s.timeouts).toBeGreaterThan(0);
    expect(node.outstandingCount).toBeGreaterThan(0);
    expect(s.pingsSent).toBe(s.pongsReceived + s.timeouts + s.abandoned + node.outstandingCount);
    const waiting = node.outstandingCount;
    node.stop();
    expect(s.abandoned).toBe(waiting);
    expect(node.outstandingCount).toBe(0);
    expect(s.pingsSent).toBe(s.pongsReceived + s.timeouts + s.abandoned);
    expect(clock.pending).toBe(0);
    expect(channel.sent).toBe(s.pingsSent);
  });
});
