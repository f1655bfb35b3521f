import { PingNode } from '../protocol/ping/ping-node.ts';
import { CryptoRng } from '../protocol/runtime/crypto-rng.ts';
import { SeededRng } from '../protocol/runtime/seeded-rng.ts';
import { parseUdpAddress, UdpTransport } from '../protocol/runtime/udp-transport.ts';
import { WallClock } from '../protocol/runtime/wall-clock.ts';
import { UsageError } from './errors.ts';

export interface NodeCommandOptions {
  host: string;
  port: number;
  peer: string[];
  intervalMs: number;
  durationS?: number;
  seed?: number;
}

/** Runs one real node on UDP: today the spine's ping protocol, answering pings and pinging --peer addresses. */
export async function nodeCommand(opts: NodeCommandOptions): Promise<void> {
  for (const p of opts.peer) {
    if (!parseUdpAddress(p)) throw new UsageError(`--peer must look like host:port, got "${p}"`);
  }
  const transport = await UdpTransport.open({ host: opts.host, port: opts.port });
  const clock = new WallClock();
  // --seed makes a real node's choices reproducible for debugging; keys stay CSPRNG-grade only without it.
  const rng = opts.seed === undefined ? new CryptoRng() : new SeededRng(opts.seed);
  const node = new PingNode(
    {
      channel: transport,
      clock,
      rng,
      self: transport.localAddress,
      observer: { pongReceived: (_s, target, rttMs) => process.stdout.write(`pong from ${target} rtt ${rttMs.toFixed(2)} ms\n`) },
    },
    { intervalMs: opts.intervalMs, timeoutMs: 5000, peers: opts.peer },
  );
  process.stdout.write(`paratox node listening on ${transport.localAddress}\n`);
  node.start();
  const stop = async () => {
    node.stop();
    clock.cancelAll();
    await transport.close();
    process.stdout.write(`${JSON.stringify({ ping: node.stats, udp: transport.stats })}\n`);
  };
  if (opts.durationS !== undefined) {
    setTimeout(() => void stop(), opts.durationS * 1000);
  } else {
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  }
}
