/**
 * Scenario file format, version 1. A scenario is one documented, runnable experiment (JSON). Every field has a
 * default, so the resolved scenario written into the report states all parameters of the run.
 * Extend by adding optional fields with defaults; never rename or drop one (reports and sweeps rely on them).
 */
import { z } from 'zod';
import { MAX_DESCRIPTION_CHARS, MAX_DURATION_S, MAX_MAX_EVENTS, MAX_NAME_CHARS } from './limits.ts';

/*
 * Every rate and duration has a lower and an upper bound (issue 11): a mean uptime of 1e-300 s looped forever at
 * t = 0 and a ping interval of 1e-300 ms filled the heap. The bounds are far outside any useful experiment; the
 * error message states them. Durations are bounded by MAX_DURATION_S (30 days).
 */
const probability = z.number().min(0).max(1);
/** Seconds in [min, 30 days]. */
const seconds = (min: number) => z.number().min(min).max(MAX_DURATION_S);
/** Milliseconds in [min, max]. */
const millis = (min: number, max: number) => z.number().min(min).max(max);
/** A count in [min, max]. */
const count = (min: number, max: number) => z.number().int().min(min).max(max);
/** Link latency and jitter: up to one minute one way. */
const latencyMs = z.number().min(0).max(60_000);
/** Weights of a mix (regions, NAT types). */
const weight = z.number().min(0).max(1e9);

export const latencySpecSchema = z.strictObject({
  meanMs: latencyMs.describe('Mean one-way link latency (ms).'),
  jitterMs: latencyMs.default(0).describe('Spread of the latency around its mean (ms; the standard deviation for normal).'),
  distribution: z.enum(['normal', 'uniform', 'exponential', 'constant']).default('normal').describe('Shape of the latency distribution (never below 0).'),
});

/** Fractions keyed by a name, e.g. { "eu": 0.6, "us": 0.4 }; they are normalised, so they need not sum to 1. */
const mix = (keys?: readonly [string, ...string[]]) =>
  z
    .partialRecord(keys ? z.enum(keys) : z.string().min(1).max(64), weight)
    .refine((m) => Object.values(m).some((v) => (v ?? 0) > 0), { message: 'needs at least one entry with a weight > 0' });

/** NAT types of the simulated network (sim/network/nat.ts), the keys of `nat`. */
export const NAT_TYPES = ['none', 'fullCone', 'restricted', 'symmetric'] as const;

/**
 * NAT mix plus traversal: weights per NAT type (normalised like `regions`) and `autoPunch`. `autoPunch: true`
 * (dht and messenger runs) makes a node whose handshake to a contact stalls ask the contact's introducer to
 * coordinate a hole punch, falling back to relaying through it (protocol/nat); absent means false, so existing
 * scenarios, their resolved form and their traces stay as they were.
 */
export const natSchema = z
  .strictObject({
    none: weight.optional().describe('Weight of nodes with a public address.'),
    fullCone: weight.optional().describe('Weight of nodes behind a full-cone NAT (one mapping, anyone may send to it).'),
    restricted: weight.optional().describe('Weight of nodes behind an address-restricted NAT (only hosts the node sent to may answer).'),
    symmetric: weight.optional().describe('Weight of nodes behind a symmetric NAT (a new mapping per destination: hole punching mostly fails).'),
    autoPunch: z.boolean().optional().describe('dht and messenger runs: a stalled handshake asks the contact\'s introducer for a hole punch, then a relay (protocol/nat); absent = false.'),
  })
  .refine((m) => NAT_TYPES.some((t) => (m[t] ?? 0) > 0), { message: 'needs at least one NAT type with a weight > 0' });

/** The NAT type weights of `nat`, without `autoPunch`. */
export function natWeights(nat: z.output<typeof natSchema>): Partial<Record<(typeof NAT_TYPES)[number], number>> {
  return Object.fromEntries(NAT_TYPES.filter((t) => nat[t] !== undefined).map((t) => [t, nat[t]]));
}

export const networkSchema = z.strictObject({
  mtuBytes: z.number().int().min(68).max(65_535).default(1280).describe('Largest datagram a link carries; larger ones are dropped and counted.'),
  lossRate: z.number().min(0).lt(1).default(0).describe('Probability that a link loses a datagram.'),
  latency: latencySpecSchema.prefault({ meanMs: 40, jitterMs: 5 }).describe('Link latency between nodes (regionLatency overrides it per region pair).'),
  regionLatency: z.record(z.string().max(129).regex(/^[^|]+\|[^|]+$/, 'keys must look like "regionA|regionB"'), latencySpecSchema).default({}).describe('Keys "a|b" name a region pair (symmetric); they override `latency` for links between those regions.'),
  uplinkBytesPerS: z.number().min(1000).max(1e12).nullable().default(null).describe('Per-node uplink: 1 kB/s (a 1232-byte packet per 1.2 s) up to 1 TB/s.'),
  queueLimitBytes: count(1, 2 ** 30).default(1_048_576).describe('Per-node uplink queue; datagrams beyond it are dropped and counted.'),
});

export const churnSchema = z.strictObject({
  meanUptimeS: seconds(0.1).describe('Mean time a node stays up before leaving (exponential).'),
  meanDowntimeS: seconds(0.1).describe('Mean time a node stays away before rejoining (exponential).'),
  fraction: probability.default(1).describe('Fraction of nodes that churn at all; the rest stay up.'),
});

export const pingSchema = z.strictObject({
  intervalMs: millis(1, 86_400_000).default(1000).describe('Mean interval between a node\'s pings (exponential, so nodes do not synchronise).'),
  peersPerNode: count(1, 1024).default(8).describe('Each node pings peers drawn from this many random peers it knows.'),
  timeoutMs: millis(1, 3_600_000).default(5000).describe('A ping without a pong after this long counts as lost.'),
  secure: z.boolean().default(false).describe('true: pings travel in ECMQV sessions as fixed-size encrypted packets (the real stack, ~5 ms of CPU per new peer pair for the handshake); false: bare datagrams over the transport (the spine\'s raw echo, for scale runs).'),
});

export const packetSchema = z.strictObject({
  wireSize: z.number().int().min(128).max(65_507).default(1232).describe('Every datagram\'s size in \'fixed\' mode; 1232 fits the 1280-byte IPv6 minimum MTU.'),
  paddingMode: z.enum(['fixed', 'variable']).default('fixed').describe('\'variable\' drops the padding, only to show what size correlation does without it.'),
});

/** Parameters of `protocol: "dht"` runs (issue 4). Owned by the DHT driver (sim/protocols/dht-driver.ts). */
export const dhtSchema = z.strictObject({
  k: z.number().int().min(2).max(64).default(20).describe('Bucket size and replication factor.'),
  alpha: z.number().int().min(1).max(16).default(3).describe('Parallel queries per lookup.'),
  bootstrapRefreshes: count(0, 256).nullable().default(null).describe('Random-id lookups a joining node runs after its self lookup (DhtConfig.maxBootstrapRefreshes; Kademlia §2.3 refreshes every bucket farther than the nearest neighbour, BEP 5 only looks up its own id). Each costs ~k queries, mostly to peers the node has no session with yet (one ECMQV handshake each). null: the protocol default (16).'),
  entryNodes: count(1, 10_000).default(8).describe('The first `entryNodes` nodes are entry (bootstrap) nodes, up from t = 0 (at most `nodes`).'),
  entriesPerNewcomer: count(1, 10_000).default(3).describe('How many entry nodes each newcomer knows (drawn at random from the entry nodes).'),
  joinSpreadS: seconds(0).default(20).describe('Nodes join uniformly spread over this period; measurement starts after it.'),
  lookupsPerNodePerMin: z.number().min(0).max(600).default(1).describe('Lookups of existing NodeIDs per node per minute during the measurement phase (exponential gaps).'),
  stores: count(0, 100_000).default(20).describe('Records stored at the start of measurement; after `storeLossAtS`, a `storeLossFraction` of each record\'s holders go down for good.'),
  storeLossFraction: probability.default(1 / 3).describe('Fraction of each stored record\'s holders that go down for good at storeLossAtS.'),
  storeLossAtS: seconds(0).nullable().default(null).describe('When the store holders go down (s of simulated time); null: halfway between measurement start and the store check.'),
  storeChecks: count(1, 1000).default(3).describe('At the end, this many random nodes look each stored record up; it survived if every one finds it.'),
  nonExistentLookups: count(0, 100_000).default(50).describe('Lookups of random ids that no node has, to check they return the closest live nodes.'),
  oneShotQueries: z.boolean().default(false).describe('DHT requests to a node without a session go as one-shot queries (protocol/session/one-shot.ts: one datagram each way, sender authenticated, no forward secrecy against the answering node\'s NodeID key) instead of opening a session with an ECMQV handshake: ~1/3 of a handshake\'s CPU per query, but sessions carry many messages, so runs measured fewer datagrams and lower lookup latency, not less CPU (protocol/dht/README.md). false: every DHT message takes a session. Not with nat.autoPunch (a query never stalls a handshake, so nothing would punch).'),
  oneShotsPerPeer: count(1, 1_000).nullable().default(3).describe('With oneShotQueries: one-shot queries to one peer before the next DHT message to it opens a session instead (ski rental: a query costs ~1/3 of a handshake). null: no limit.'),
  drainS: seconds(0).default(15).describe('No lookup starts in the last `drainS` seconds: store checks start at durationS - drainS, and a measured lookup still unfinished at the end counts as failed (a lookup needs a few seconds at worst: 2 s timeouts, one retry).'),
});

/** What the eclipse attacker does beyond lying to newcomers (sim/adversary/attacker-model.ts). */
export const attackerSchema = z.strictObject({
  colluders: z.enum(['isolated', 'integrated']).default('isolated').describe('\'isolated\': colluders know only each other and ignore honest traffic (the original model); \'integrated\': colluders join the honest DHT through honest entries during the warm-up, publish valid signed bindings, serve honest nodes honestly, and lie to newcomers only (honest entries then confirm them: they exist).'),
  honestMix: probability.default(0).describe('Share of a malicious entry\'s GET_ONLINE answer taken from its honest routing table (0: colluders only).'),
  confirm: z.enum(['team', 'truthful']).default('team').describe('Malicious entries\' CONFIRM: \'team\' = attacker\'s nodes exist, nobody else; \'truthful\' = answer honestly.'),
  wipeReports: z.boolean().default(false).describe('Malicious entries try to wipe reports about themselves (a self-report dated in the future, every 2 s).'),
  reportKeySybils: z.number().int().min(0).max(16).default(0).describe('Extra colluders per malicious entry whose ids are ground (GRIND_BITS leading bits) next to the key reports about that entry are stored under; they accept and drop those STOREs and never return them. They join the honest DHT whatever `colluders` says (a node in nobody\'s table holds nothing).'),
});

/** Malicious entry nodes that answer only with colluders (issue 4, eclipse). Owned by sim/adversary/. */
export const eclipseSchema = z.strictObject({
  maliciousEntries: count(0, 10_000).default(2).describe('How many of the entry nodes are malicious.'),
  colluders: count(1, 100_000).default(20).describe('Colluding (Sybil) nodes the malicious entries hand out instead of honest nodes (extra nodes, beside `nodes`).'),
  defence: z.enum(['none', 'multi-entry', 'cross-check']).default('cross-check').describe('How a victim joins (protocol/dht/entry/cross-checked-join.ts): \'none\' = through its first entry only, trusted; \'multi-entry\' = through every entry it knows, no cross-check (the fair baseline: every comparison is against it); \'cross-check\' = entries cross-checked, flags only on the victim\'s own evidence (disjoint paths).'),
  victims: count(1, 100_000).default(50).describe('Newcomers joining after the warm-up whose views are measured.'),
  publishFlawed: z.boolean().default(false).describe('Publish entries found flawed in the DHT, so later newcomers avoid them too.'),
  confirmBy: z.enum(['table', 'resolve']).default('resolve').describe('How an honest entry answers CONFIRM: \'resolve\' (routing table, else a DHT resolve of the contact\'s signed binding: confirms nearly every honest node, one lookup per unknown contact) or \'table\' (routing table only: free, but an entry knows only O(k log N) nodes). See protocol/dht/entry/existence-oracle.ts.'),
  onlineSample: z.number().int().min(1).max(32).default(8).describe('Contacts a newcomer asks each entry for (GET_ONLINE max).'),
  victimJoinSpreadS: seconds(0).default(10).describe('Victims arrive uniformly over this many seconds, starting when the DHT\'s warm-up (dht.joinSpreadS) ends.'),
  victimLookups: count(0, 1000).default(5).describe('Lookups of existing honest NodeIDs each victim runs once joined (for poisonedLookupFraction).'),
  attacker: attackerSchema.prefault({}).describe('The attacker model (sim/adversary/eclipse-hooks.ts); the defaults are the original attacker.'),
  verifyPaths: z.number().int().min(1).max(8).default(3).describe('Cross-check: how a victim checks a disputed entry\'s list itself (disjoint-path resolves, S/Kademlia).'),
  verifySample: z.number().int().min(1).max(32).default(4).describe('Cross-check: contacts of a disputed list the victim resolves itself (the rest are judged by that sample).'),
  bootstrapFrom: z.enum(['entries', 'union']).default('entries').describe('Cross-check: bootstrap from the unflagged entries (\'entries\', as multi-entry) or also every unbarred listed contact (\'union\').'),
});

/**
 * Onion circuits of `protocol: "messenger"` runs (issue 7): how many hops, how long a circuit lives, how relays
 * are chosen from a node's DHT view. Owned by sim/protocols/messenger-driver.ts.
 */
export const onionSchema = z.strictObject({
  hops: z.number().int().min(1).max(8).default(3).describe('Relays per circuit (Tor: 3).'),
  circuitLifetimeS: z.number().min(10).max(86_400).default(600).describe('A circuit is closed after this long and a fresh one built on demand.'),
  relaySelection: z.enum(['uniform', 'guard']).default('uniform').describe('\'uniform\': every hop drawn from the DHT view; \'guard\': a fixed first hop per node (Tor\'s entry guards).'),
});

/**
 * The conversations workload (issue 7): pairs of accounts writing to each other through circuits and a
 * rendezvous point. Users are drawn from non-entry nodes; each keeps one AccountID for the whole run.
 */
export const conversationsSchema = z.strictObject({
  count: z.number().int().min(1).max(100_000).default(10).describe('Conversations (pairs of distinct users).'),
  users: count(2, 1_000_000).nullable().default(null).describe('Users holding accounts; null: 2 x count, so every user is in exactly one conversation.'),
  arrival: z.enum(['poisson', 'onoff']).default('poisson').describe('\'poisson\': messages at a constant mean rate; \'onoff\': Poisson bursts during exponential on periods.'),
  messagesPerMin: z.number().min(0.01).max(600).default(2).describe('Mean messages per minute per conversation (both directions together; during \'on\' periods for onoff).'),
  meanOnS: seconds(1).default(60).describe('onoff only: mean length of an active period and of a quiet one (exponential).'),
  meanOffS: seconds(1).default(120).describe('onoff only: mean length of a quiet period (exponential).'),
  minBytes: z.number().int().min(1).max(65_536).default(40).describe('Message sizes, uniform in [minBytes, maxBytes]; larger than one cell means a multi-cell message.'),
  maxBytes: z.number().int().min(1).max(65_536).default(400).describe('Largest message size (see minBytes).'),
  startS: seconds(0).default(30).describe('Messages start being written at startS (after the DHT warm-up) and stop at durationS - drainS.'),
  drainS: seconds(0).default(60).describe('No new messages in the last drainS seconds, so late ones can still arrive.'),
  usersChurn: z.boolean().default(false).describe('Whether users\' nodes may churn (relays churn per scenario.churn either way); a user returns with a new NodeID and the same account.'),
  messageTimeoutS: seconds(1).default(120).describe('A message without an end-to-end ack after this long goes to the recipient\'s offline mailbox (or fails \'timeout\' with offline off).'),
  offline: z.boolean().default(true).describe('Unreachable recipients\' messages wait in offline mailboxes (issue 8); false: they fail.'),
  offlinePollS: seconds(1).default(120).describe('How often a user\'s node fetches its own mailbox (also at every return).'),
  mailboxReplicateS: seconds(1).default(600).describe('How often each mailbox holder re-replicates what it holds to the current k closest nodes.'),
  offlineWindow: z
    .strictObject({
      recipients: count(1, 100_000).describe('How many recipients go offline (the second user of each of the first conversations).'),
      fromS: seconds(0).describe('When they go down.'),
      toS: seconds(0).describe('When they return (new NodeID, same account).'),
      holderLossFraction: probability.default(1 / 3).describe('Fraction of the nodes closest to each mailbox key that go down for good at holderLossAtS.'),
      holderLossAtS: seconds(0).nullable().default(null).describe('When the mailbox holders go down; null: never.'),
    })
    .nullable()
    .default(null).describe('Recipients taken offline on purpose (offline-delivery): the second user of each of the first `recipients` conversations goes down at fromS and returns at toS (new NodeID, same account); at holderLossAtS a `holderLossFraction` of the nodes closest to each one\'s mailbox key go down for good. null: none.'),
});

/**
 * Cover traffic (issue 8, protocol/noise): per link 'poisson' dummies on top of real traffic or a 'constant' slot
 * rate where real datagrams take a dummy's slot; loop cover through each user's circuits; mixing delay at relays.
 * 'off' (default) changes nothing. With noise on, sessions rekey after 120 s unless `rekeyAfterS` says otherwise.
 */
export const noiseSchema = z.strictObject({
  policy: z.enum(['off', 'poisson', 'constant', 'constant-node']).default('off').describe('\'poisson\': dummies on top of real traffic per link; \'constant\': a fixed slot rate per link, real datagrams take a dummy\'s slot; \'constant-node\': one slot rate per node shared by its links; \'off\': none.'),
  ratePerS: z.number().min(0.01).max(1000).default(1).describe('Per link: slots per second (\'constant\') or mean dummies per second (\'poisson\').'),
  maxQueuedPerLink: z.number().int().min(1).max(100_000).default(256).describe('\'constant\': real datagrams waiting for a slot, per link; overflow is dropped and counted.'),
  loopRatePerS: z.number().min(0).max(1000).default(0).describe('Loop cover per open circuit of a user (Loopix): mean loops per second; 0 = off.'),
  mixDelayMeanMs: z.number().min(0).max(60_000).default(0).describe('Relays hold each relay cell an exponential time of this mean (Loopix mixing); 0 = off.'),
  slotOrder: z.enum(['real-first', 'round-robin']).default('real-first').describe('constant-node: \'real-first\' (low latency) or \'round-robin\' (every link the same share of the node\'s slots).'),
  keepLinksAlive: z.boolean().default(false).describe('Whether dummies keep a link\'s session alive (links never go quiet, so their start/end leak nothing).'),
  rekeyAfterS: seconds(1).nullable().default(120).describe('Session rekey interval with noise on (WireGuard: 120 s); null: the session default.'),
  rekeyMethod: z.enum(['in-session', 'handshake']).default('in-session').describe('How a session due for a rekey gets its new key: \'in-session\', one fresh ephemeral ECDH inside the session (PFS, ~1/15 of a handshake\'s CPU); \'handshake\', a full handshake (the method before issue 14).'),
});

/** Eve, the global passive observer (issue 9): her attacks run on the run's own tap at the end of messenger runs. */
export const eveSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Run Eve\'s attacks on the run\'s own tap at the end (messenger runs).'),
  maliciousRelayFraction: z.number().min(0).max(1).default(0).describe('Partial adversary beside Eve: this fraction of non-user nodes are malicious relays sharing what they see.'),
  maxTargets: z.number().int().min(1).max(100_000).default(1000).describe('Attack at most this many targets (each conversation\'s source is one).'),
});

/** Timed NodeID rotation of long-running nodes (dht and messenger runs); null: a node keeps its NodeID until churn. */
export const nodeIdRotationSchema = z.strictObject({
  periodS: seconds(10).describe('Lifetime of each NodeID.'),
  graceS: seconds(0).default(60).describe('How long the previous NodeID still accepts handshakes after a rotation (<= periodS).'),
});

/** The run budget (issue 11): a run that exceeds it stops with a one-line error naming the limit (exit 2). */
export const limitsSchema = z.strictObject({
  maxEvents: count(1000, MAX_MAX_EVENTS).nullable().default(null).describe('Events the simulator may process; null: nodes x durationS x 2,000, at least 10 million (limits.ts).'),
});

export const scenarioSchema = z.strictObject({
  paratox: z.literal(1).default(1).describe('Report format and scenario format version.'),
  name: z.string().min(1).max(MAX_NAME_CHARS).default('unnamed').describe('Names the scenario in reports, sweeps and baselines.'),
  description: z.string().max(MAX_DESCRIPTION_CHARS).default('').describe('Copied into every report, so bounded (MAX_DESCRIPTION_CHARS).'),
  seed: count(0, 2 ** 32 - 1).default(1).describe('Seed of every random choice: equal scenario and seed give an equal traceHash (paratox run --seed overrides it).'),
  nodes: count(2, 1_000_000).describe('Capped per protocol as well (limits.ts MAX_NODES, checked in consistency.ts).'),
  durationS: seconds(0.001).describe('Simulated seconds, 1 ms to 30 days.'),
  protocol: z.enum(['ping', 'dht', 'messenger']).default('ping').describe('Which stack and workload runs: pings over sessions, the DHT, or the messenger (circuits, accounts, conversations).'),
  crypto: z
    .strictObject({ backend: z.enum(['fastest', 'node', 'noble']).default('fastest').describe('Crypto back end: node:crypto, @noble, or the fastest per operation (same bytes either way).') })
    .prefault({})
    .describe('Crypto implementation (every back end gives the same bytes and traceHash).'),
  network: networkSchema.prefault({}).describe('Links: MTU, loss, latency (per region pair), uplink bandwidth and queue.'),
  regions: mix().default({ default: 1 }).describe('Region weights, e.g. { "eu": 0.5, "us": 0.5 } (normalised); nodes are spread over them.'),
  nat: natSchema.default({ none: 1 }).describe('NAT type weights (normalised) and autoPunch.'),
  churn: churnSchema.nullable().default(null).describe('Nodes leaving and rejoining (exponential up and down times); null: no churn.'),
  ping: pingSchema.prefault({}).describe('The ping workload (protocol: ping).'),
  packet: packetSchema.prefault({}).describe('Wire size and padding of every datagram.'),
  dht: dhtSchema.prefault({}).describe('The Kademlia DHT (dht and messenger runs): bucket size, entries, lookups, stores.'),
  eclipse: eclipseSchema.nullable().default(null).describe('Malicious entry nodes trying to eclipse newcomers, and the defence; null: no attack.'),
  onion: onionSchema.prefault({}).describe('Onion circuits (messenger runs): hops, lifetime, relay selection.'),
  conversations: conversationsSchema.prefault({}).describe('The messenger workload: pairs of accounts writing to each other, offline mailboxes.'),
  nodeIdRotation: nodeIdRotationSchema.nullable().default(null).describe('Timed NodeID rotation (dht and messenger runs); null: a node keeps its NodeID until churn.'),
  eve: eveSchema.prefault({}).describe('Eve, the global passive observer, and malicious relays beside her (messenger runs).'),
  noise: noiseSchema.prefault({}).describe('Cover traffic and mixing delay.'),
  trace: z
    .strictObject({ enabled: z.boolean().default(true).describe('Record the event trace; false: traceHash is null (faster, not reproducibility-checked).') })
    .prefault({})
    .describe('The ordered event trace behind traceHash.'),
  limits: limitsSchema.prefault({}).describe('The run budget: a run beyond it stops with a one-line error.'),
});

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type LatencySpec = z.output<typeof latencySpecSchema>;
