import { PingNode, type PingChannel, type PingStats } from '../../protocol/ping/ping-node.ts';
import { sessionPingChannel } from '../../protocol/ping/session-channel.ts';
import { SessionManager } from '../../protocol/session/session-manager.ts';
import { sumSessionStats } from './session-stats.ts';
import { PING_BODY_BYTES } from '../../protocol/ping/ping-codec.ts';
import { Sample } from '../metrics/quantiles.ts';
import { samplePeers } from '../scenario/topology.ts';
import type { Conversation } from '../tap/tap-writer.ts';
import type { DriverContext, ProtocolDriver } from './driver.ts';
import { sessionInitOf } from './node-init.ts';

/** What traffic.messagesSent / outcomes count in a ping run (written into the report beside them). */
export const PING_MESSAGE_UNIT =
  'ping: messagesSent = pings sent, messagesDelivered = pings that reached their target (one way); outcomes follow each ping round trip: delivered = its pong came back, failed.timeout = no pong in timeoutMs, failed.stopped = its sender was stopped first, pending = still waiting at the end';

/** Runs the spine's echo protocol: every node pings a few random peers. */
export function pingDriver(ctx: DriverContext): ProtocolDriver {
  const { sim, scenario, transports, names } = ctx;
  const oneWay = new Sample();
  const rtt = new Sample();
  // Ground truth keyed "source>target": first ping sent, last pong received.
  const conversations = new Map<string, Conversation>();
  const observer = {
    pingSent(source: string, target: string, atMs: number) {
      ctx.timeline?.sent(atMs);
      const key = `${source}>${target}`;
      const c = conversations.get(key);
      if (c) c.endMs = Math.max(c.endMs, atMs);
      else conversations.set(key, { source, target, startMs: atMs, endMs: atMs });
    },
    pingReceived(_s: string, _t: string, ms: number) {
      oneWay.add(ms);
      ctx.timeline?.delivered(sim.now());
    },
    pongReceived(source: string, target: string, ms: number) {
      rtt.add(ms);
      const c = conversations.get(`${source}>${target}`);
      if (c) c.endMs = Math.max(c.endMs, sim.now());
    },
  };
  const peerRng = sim.rng('ping/peers');
  const sessions: SessionManager[] = [];
  const secure = scenario.ping.secure ? secureChannels(ctx, sessions) : undefined;
  const channels: PingChannel[] = secure?.channels ?? transports;
  const peersOf = new Map<string, string[]>();
  const nodes = transports.map((_, i) => {
    const peers = samplePeers(peerRng, names.length, i, scenario.ping.peersPerNode).map((j) => names[j]);
    peersOf.set(names[i], peers);
    return new PingNode(
      { channel: channels[i], clock: sim.clock(names[i]), rng: sim.rng(`node/${names[i]}/ping`), self: names[i], observer },
      { intervalMs: scenario.ping.intervalMs, timeoutMs: scenario.ping.timeoutMs, peers },
    );
  });

  return {
    // Every node pings its peers: those are its links (with `secure`, the same pairs hold the sessions).
    networkFacts: () => ({
      nodes: names.map((id) => ({ id, role: 'peer', malicious: false })),
      peersOf: (id) => peersOf.get(id) ?? [],
      circuits: [],
    }),
    start: (i) => {
      secure?.reopen(i);
      nodes[i].start();
    },
    // Stopping a node closes its sessions too (pending handshakes and queued pings end as counted drops); it
    // comes back with fresh sessions under the same NodeID key.
    stop: (i) => {
      nodes[i].stop();
      secure?.close(i);
    },
    finish() {
      const sum = (k: keyof PingStats) => nodes.reduce((s, n) => s + n.stats[k], 0);
      const pingsSent = sum('pingsSent');
      const sessionTotals = sessions.length ? (sumSessionStats(sessions) as Record<string, number>) : undefined;
      return {
        ...(sessionTotals ? { realWireBytes: sessionTotals.realBytesSent } : {}),
        messagesSent: pingsSent,
        messagesDelivered: sum('pingsAnswered'),
        // Each ping's round trip as its sender sees it; pending is read from the nodes, not derived from the rest.
        outcomes: {
          delivered: sum('pongsReceived'),
          deliveredOffline: 0,
          failed: { timeout: sum('timeouts'), stopped: sum('abandoned') },
          pending: nodes.reduce((s, n) => s + n.outstandingCount, 0),
        },
        messageUnit: PING_MESSAGE_UNIT,
        latencyMs: oneWay,
        payloadBytes: (pingsSent + sum('pingsAnswered')) * PING_BODY_BYTES,
        figures: {
          ping: {
            pingsSent,
            pongsReceived: sum('pongsReceived'),
            pongRatio: pingsSent ? sum('pongsReceived') / pingsSent : null,
            timeouts: sum('timeouts'),
            abandonedAtStop: sum('abandoned'),
            outstandingAtEnd: nodes.reduce((s, n) => s + n.outstandingCount, 0),
            malformed: sum('malformed'),
            unexpectedPongs: sum('unexpectedPongs'),
            rttMs: rtt.percentiles(),
          },
          ...(sessionTotals ? { sessions: sessionTotals } : {}),
        },
        conversations: [...conversations.values()],
      };
    },
  };
}

/**
 * One SessionManager per node (NodeID key from the node's own stream), with pings carried inside. A node that
 * churn stopped gets a new manager when it returns (stream `node/<name>/session/gen<k>`); its ping channel
 * forwards to whichever manager is current.
 */
function secureChannels(ctx: DriverContext, sessions: SessionManager[]) {
  const { sim, scenario, transports, names, suite } = ctx;
  const keys = names.map((name) => suite.generateKeyPair(sim.rng(`node/${name}/identity`)));
  const pubByName = new Map(names.map((name, i) => [name, keys[i].publicKey]));
  const current: SessionManager[] = [];
  const handlers: Array<((from: string, body: Uint8Array) => void) | undefined> = [];
  const gens = names.map(() => 0);
  const channelImpls: PingChannel[] = [];
  const build = (i: number): void => {
    const stream = gens[i] === 0 ? `node/${names[i]}/session` : `node/${names[i]}/session/gen${gens[i]}`;
    gens[i]++;
    const manager = new SessionManager(
      { transport: transports[i], clock: sim.clock(names[i]), rng: sim.rng(stream), suite, identity: () => keys[i] },
      sessionInitOf(scenario),
    );
    sessions.push(manager);
    current[i] = manager;
    const inner = sessionPingChannel(manager, (address) => pubByName.get(address));
    const h = handlers[i];
    if (h) inner.onReceive(h);
    channelImpls[i] = inner;
  };
  names.forEach((_, i) => build(i));
  const channels: PingChannel[] = names.map((_, i) => ({
    send: (to, body) => channelImpls[i].send(to, body),
    onReceive: (handler) => {
      handlers[i] = handler;
      channelImpls[i].onReceive(handler);
    },
  }));
  const closed = new Set<number>();
  return {
    channels,
    close: (i: number) => {
      current[i].close();
      closed.add(i);
    },
    reopen: (i: number) => {
      if (closed.delete(i)) build(i);
    },
  };
}
