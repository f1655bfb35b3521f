/**
 * `paratox node`: one real node on UDP. By default a DHT node (ParatoxNode: NodeID, secure sessions, Kademlia):
 * it prints its address and NodeID, joins through `--entry host:port#pxn1...`, publishes its signed binding,
 * and resolves every `--lookup pxn1...` to an address. `--ping` (or `--peer`) runs the spine's ping protocol
 * instead, as before.
 *
 * Output is one fact per line, stable for scripts and tests:
 *   paratox node listening on 127.0.0.1:7000
 *   nodeid pxn1...
 *   entry 127.0.0.1:7000#pxn1...          (what others pass as --entry)
 *   joined reachable=2 table=9 lookups=4  | first node (no --entry): waiting for others
 *   published binding replicas=5
 *   resolved pxn1... 127.0.0.1:7001 hops=1 messages=3
 * Failures go to stderr ("join failed: ...", "not found pxn1... after 5 attempts", or "not found pxn1...: stopped
 * by --duration-s before the lookup finished") and set exit code 1.
 * Counters (dht, session, udp with drops by reason, oversized datagrams included) are one JSON line
 * {"stats":"periodic"|"final","uptimeS":...}: every --stats-every-s seconds (default 60, 0 = never), and on stop
 * (--duration-s, SIGINT or SIGTERM; then the node exits cleanly).
 * Bad --host values, a host that is not this machine's, and seeded keys on a non-loopback address (without
 * --insecure-seed) are one-line errors, exit 2.
 */
import { fastestSuite } from '../protocol/crypto/select-suite.ts';
import { formatId, IdParseError, parseId } from '../protocol/crypto/identity.ts';
import type { CryptoSuite, KeyPair } from '../protocol/crypto/suite.ts';
import { keyOfNodePub } from '../protocol/dht/keys.ts';
import type { PeerRef } from '../protocol/dht/types.ts';
import { ParatoxNode } from '../protocol/node/paratox-node.ts';
import { PingNode } from '../protocol/ping/ping-node.ts';
import type { Rng } from '../protocol/runtime/rng.ts';
import { CryptoRng } from '../protocol/runtime/crypto-rng.ts';
import { SeededRng } from '../protocol/runtime/seeded-rng.ts';
import { DEFAULT_WIRE_SIZE } from '../protocol/packet/constants.ts';
import { parseUdpAddress, type UdpTransport } from '../protocol/runtime/udp-transport.ts';
import { WallClock } from '../protocol/runtime/wall-clock.ts';
import { UsageError } from './errors.ts';
import { accountFromSeed, checkChatOptions, startChat, type ChatOptions } from './node-chat.ts';
import { checkHost, checkSeedExposure, openUdp } from './node-host.ts';

export interface NodeCommandOptions {
  host: string;
  port: number;
  /** DHT mode: entries to join through, "host:port#pxn1...". */
  entry: string[];
  /** DHT mode: NodeIDs (pxn1...) to resolve once joined. */
  lookup: string[];
  /** DHT mode: derive the NodeID key pair from this seed, so the NodeID is known before start (tests, demos). */
  identitySeed?: number;
  /** Ping mode (also implied by --peer). */
  ping?: boolean;
  peer: string[];
  intervalMs: number;
  durationS?: number;
  seed?: number;
  /** Chat: a fresh account, or one from a seed (demos); --to/--send/--stdin send to an AccountID. */
  account?: boolean;
  accountSeed?: number;
  to?: string;
  send?: string[];
  stdin?: boolean;
  /** Print the counters every this many seconds (0: only at stop). */
  statsEveryS?: number;
  /** Allow --seed / --identity-seed / --account-seed on a non-loopback --host (warned loudly). */
  insecureSeed?: boolean;
}

/** Default period of the counters line. */
export const STATS_EVERY_S = 60;

/** A resolve that finds nothing is tried again this many times in all, this far apart (the target may still be
 * publishing its binding). */
export const LOOKUP_ATTEMPTS = 5;
export const LOOKUP_RETRY_MS = 1_000;

/** Parses "host:port#pxn1..." into a PeerRef; throws a one-line UsageError saying what is wrong. */
export function parseEntry(text: string): PeerRef {
  const hash = text.indexOf('#');
  if (hash < 0) throw new UsageError(`--entry must look like host:port#pxn1..., got "${text}" (missing "#<NodeID>")`);
  const address = text.slice(0, hash);
  if (!parseUdpAddress(address)) throw new UsageError(`--entry "${text}": address must look like host:port, got "${address}"`);
  return { address, nodePub: parseNodeId(`--entry "${text}"`, text.slice(hash + 1)) };
}

/** Parses an id text form of `kind` (pxn1... / pxa1...) into its public key; a one-line UsageError led by `what`. */
export function parseIdOfKind(kind: 'node' | 'account', what: string, text: string): Uint8Array {
  const label = kind === 'node' ? 'NodeID' : 'AccountID';
  let parsed;
  try {
    parsed = parseId(text);
  } catch (err) {
    if (err instanceof IdParseError) throw new UsageError(`${what}: bad ${label}: ${err.message}`);
    throw err;
  }
  if (parsed.kind !== kind) {
    throw new UsageError(kind === 'node' ? `${what}: expected a NodeID (pxn1...), got an AccountID (pxa1...)` : `${what}: expected an AccountID (pxa1...), got a NodeID (pxn1...)`);
  }
  return parsed.publicKey;
}

/** Parses a NodeID text form (pxn1...) into its public key; throws a one-line UsageError led by `what`. */
export function parseNodeId(what: string, text: string): Uint8Array {
  return parseIdOfKind('node', what, text);
}

/** The NodeID key pair `--identity-seed n` gives: deterministic, so only for tests and demos. */
export function identityFromSeed(suite: CryptoSuite, seed: number): KeyPair {
  return suite.generateKeyPair(new SeededRng(`paratox-node-identity/${seed}`));
}

export async function nodeCommand(opts: NodeCommandOptions): Promise<void> {
  checkHost(opts.host);
  const warning = checkSeedExposure(opts.host, opts);
  if (warning) process.stderr.write(`paratox node: ${warning}\n`);
  const pingMode = opts.ping === true || opts.peer.length > 0;
  if (pingMode) {
    if (opts.entry.length > 0 || opts.lookup.length > 0 || opts.identitySeed !== undefined) {
      throw new UsageError('--entry, --lookup and --identity-seed are DHT options; they cannot be combined with --ping/--peer');
    }
    return pingCommand(opts);
  }
  return dhtCommand(opts);
}

/** Why a node stopped, in words for the "not found" lines. */
type StopCause = 'stopped by --duration-s' | 'stopped by a signal' | 'stopped';

/**
 * Calls `stop` once: after --duration-s, on SIGINT/SIGTERM, or when the returned function is called. Prints
 * `counters()` as a "periodic" line every `statsEveryS` seconds until then. Leaves no timer behind, so the
 * process exits by itself once `stop` has closed the socket.
 */
function stopLater(opts: NodeCommandOptions, counters: () => object, stop: (cause: StopCause) => Promise<void>): () => void {
  let stopped = false;
  const started = Date.now();
  const statsLine = (kind: 'periodic' | 'final'): string => JSON.stringify({ stats: kind, uptimeS: Math.round((Date.now() - started) / 1000), ...counters() });
  const every = opts.statsEveryS ?? STATS_EVERY_S;
  const ticker = every > 0 ? setInterval(() => say(statsLine('periodic')), every * 1000) : undefined;
  const timer = opts.durationS === undefined ? undefined : setTimeout(() => once('stopped by --duration-s'), opts.durationS * 1000);
  const onSignal = (): void => once('stopped by a signal');
  function once(cause: StopCause): void {
    if (stopped) return;
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    if (ticker !== undefined) clearInterval(ticker);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    void stop(cause).then(() => say(statsLine('final')));
  }
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => once('stopped');
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function fail(line: string): void {
  process.stderr.write(`paratox node: ${line}\n`);
  process.exitCode = 1;
}

async function dhtCommand(opts: NodeCommandOptions): Promise<void> {
  // Every argument is checked before a socket opens, so a typo costs nothing but a one-line error.
  const suite = fastestSuite();
  const entries = opts.entry.map(parseEntry);
  const lookups = opts.lookup.map((text) => ({ text, key: keyOfNodePub(suite, parseNodeId(`--lookup "${text}"`, text)) }));
  const chat: ChatOptions = { account: opts.account, accountSeed: opts.accountSeed, to: opts.to, send: opts.send ?? [], stdin: opts.stdin };
  const to = checkChatOptions(chat);
  const transport = await openUdp({ host: opts.host, port: opts.port, maxDatagramBytes: DEFAULT_WIRE_SIZE });
  const clock = new WallClock();
  // --seed makes a real node's choices reproducible for debugging; keys stay CSPRNG-grade only without it.
  const rng: Rng = opts.seed === undefined ? new CryptoRng() : new SeededRng(opts.seed);
  const identity = opts.identitySeed === undefined ? undefined : identityFromSeed(suite, opts.identitySeed);
  // Every real node relays circuits and serves as introduction and rendezvous point for others.
  const node = new ParatoxNode({ transport, clock, rng, suite }, { identity, messenger: {} });
  const nodeId = formatId('node', node.identity.publicKey);
  const account: KeyPair | undefined =
    chat.accountSeed !== undefined ? accountFromSeed(suite, chat.accountSeed) : chat.account ? suite.generateKeyPair(rng.fork('account-key')) : undefined;
  say(`paratox node listening on ${transport.localAddress}`);
  say(`nodeid ${nodeId}`);
  say(`entry ${transport.localAddress}#${nodeId}`);
  if (account) say(`account ${formatId('account', account.publicKey)}`);
  let stopChat = (): void => {};
  // Lookups not yet answered: each ends in exactly one line, "resolved", "not found ... after n attempts", or
  // "not found ...: stopped ..." when the node stops first (a lookup cut off by --duration-s was silent).
  const pending = new Map(lookups.map((t) => [t.text, t]));
  let joined = false;
  let stopping = false;

  const counters = () => {
    const messenger = account ? { onion: node.onion?.stats(), accounts: node.accounts?.stats(), conversation: node.conversations?.stats() } : {};
    return { dht: node.dht.stats(), session: node.sessions.stats(), udp: transport.stats, ...messenger };
  };
  const stop = stopLater(opts, counters, async (cause) => {
    stopping = true;
    for (const text of pending.keys()) fail(`not found ${text}: ${cause} before ${joined ? 'the lookup finished' : 'the node joined'}`);
    pending.clear();
    stopChat();
    node.stop();
    clock.cancelAll();
    await transport.close();
  });
  const settle = (text: string, line: () => void): void => {
    if (stopping || !pending.delete(text)) return;
    line();
  };
  const resolveAll = (): void => {
    joined = true;
    for (const target of lookups) resolveWithRetries(node, clock, target, 1, settle);
    if (account) stopChat = startChat(node, account, to, chat, say);
  };
  // ParatoxNode.join() is bootstrap + publishBinding; called apart here so the CLI can report the publication.
  const publish = (): void =>
    node.dht.publishBinding((p) => {
      say(`published binding replicas=${p.replicas}`);
      resolveAll();
    });
  if (entries.length === 0) {
    say('first node (no --entry): waiting for others');
    return publish();
  }
  node.dht.bootstrap(entries, (r) => {
    if (!r.ok) {
      fail(`join failed: none of ${entries.length} entries answered`);
      return stop();
    }
    say(`joined reachable=${r.reachable} table=${r.tableSize} lookups=${r.lookups}`);
    publish();
  });
}

function resolveWithRetries(
  node: ParatoxNode,
  clock: WallClock,
  target: { text: string; key: Uint8Array },
  attempt: number,
  settle: (text: string, line: () => void) => void,
): void {
  node.dht.resolve(target.key, (r) => {
    if (r.ok) return settle(target.text, () => say(`resolved ${target.text} ${r.binding.address} hops=${r.hops} messages=${r.messages}`));
    if (attempt >= LOOKUP_ATTEMPTS) return settle(target.text, () => fail(`not found ${target.text} after ${attempt} attempts`));
    clock.setTimer(LOOKUP_RETRY_MS, () => resolveWithRetries(node, clock, target, attempt + 1, settle));
  });
}

/** The spine's ping protocol: answers pings and pings --peer addresses. */
async function pingCommand(opts: NodeCommandOptions): Promise<void> {
  for (const p of opts.peer) {
    if (!parseUdpAddress(p)) throw new UsageError(`--peer must look like host:port, got "${p}"`);
  }
  const transport = await openUdp({ host: opts.host, port: opts.port, maxDatagramBytes: DEFAULT_WIRE_SIZE });
  const clock = new WallClock();
  const rng = opts.seed === undefined ? new CryptoRng() : new SeededRng(opts.seed);
  const node = new PingNode(
    {
      channel: transport,
      clock,
      rng,
      self: transport.localAddress,
      observer: { pongReceived: (_s, target, rttMs) => say(`pong from ${target} rtt ${rttMs.toFixed(2)} ms`) },
    },
    { intervalMs: opts.intervalMs, timeoutMs: 5000, peers: opts.peer },
  );
  say(`paratox node listening on ${transport.localAddress}`);
  node.start();
  stopLater(
    opts,
    () => ({ ping: node.stats, udp: transport.stats }),
    async () => {
      node.stop();
      clock.cancelAll();
      await transport.close();
    },
  );
}
