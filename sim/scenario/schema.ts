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
  meanMs: latencyMs,
  jitterMs: latencyMs.default(0),
  distribution: z.enum(['normal', 'uniform', 'exponential', 'constant']).default('normal'),
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
    none: weight.optional(),
    fullCone: weight.optional(),
    restricted: weight.optional(),
    symmetric: weight.optional(),
    autoPunch: z.boolean().optional(),
  })
  .refine((m) => NAT_TYPES.some((t) => (m[t] ?? 0) > 0), { message: 'needs at least one NAT type with a weight > 0' });

/** The NAT type weights of `nat`, without `autoPunch`. */
export function natWeights(nat: z.output<typeof natSchema>): Partial<Record<(typeof NAT_TYPES)[number], number>> {
  return Object.fromEntries(NAT_TYPES.filter((t) => nat[t] !== undefined).map((t) => [t, nat[t]]));
}

export const networkSchema = z.strictObject({
  mtuBytes: z.number().int().min(68).max(65_535).default(1280),
  lossRate: z.number().min(0).lt(1).default(0),
  latency: latencySpecSchema.prefault({ meanMs: 40, jitterMs: 5 }),
  /** Keys "a|b" name a region pair (symmetric); they override `latency` for links between those regions. */
  regionLatency: z.record(z.string().max(129).regex(/^[^|]+\|[^|]+$/, 'keys must look like "regionA|regionB"'), latencySpecSchema).default({}),
  /** Per-node uplink: 1 kB/s (a 1232-byte packet per 1.2 s) up to 1 TB/s. */
  uplinkBytesPerS: z.number().min(1000).max(1e12).nullable().default(null),
  queueLimitBytes: count(1, 2 ** 30).default(1_048_576),
});

export const churnSchema = z.strictObject({
  /** Mean time a node stays up before leaving (exponential). */
  meanUptimeS: seconds(0.1),
  /** Mean time a node stays away before rejoining (exponential). */
  meanDowntimeS: seconds(0.1),
  /** Fraction of nodes that churn at all; the rest stay up. */
  fraction: probability.default(1),
});

export const pingSchema = z.strictObject({
  /** Mean interval between a node's pings (exponential, so nodes do not synchronise). */
  intervalMs: millis(1, 86_400_000).default(1000),
  /** Each node pings peers drawn from this many random peers it knows. */
  peersPerNode: count(1, 1024).default(8),
  /** A ping without a pong after this long counts as lost. */
  timeoutMs: millis(1, 3_600_000).default(5000),
  /**
   * true: pings travel in ECMQV sessions as fixed-size encrypted packets (the real stack, ~5 ms of CPU per new
   * peer pair for the handshake); false: bare datagrams over the transport (the spine's raw echo, for scale runs).
   */
  secure: z.boolean().default(false),
});

export const packetSchema = z.strictObject({
  /** Every datagram's size in 'fixed' mode; 1232 fits the 1280-byte IPv6 minimum MTU. */
  wireSize: z.number().int().min(128).max(65_507).default(1232),
  /** 'variable' drops the padding, only to show what size correlation does without it. */
  paddingMode: z.enum(['fixed', 'variable']).default('fixed'),
});

/** Parameters of `protocol: "dht"` runs (issue 4). Owned by the DHT driver (sim/protocols/dht-driver.ts). */
export const dhtSchema = z.strictObject({
  /** Bucket size and replication factor. */
  k: z.number().int().min(2).max(64).default(20),
  /** Parallel queries per lookup. */
  alpha: z.number().int().min(1).max(16).default(3),
  /**
   * Random-id lookups a joining node runs after its self lookup (DhtConfig.maxBootstrapRefreshes; Kademlia §2.3
   * refreshes every bucket farther than the nearest neighbour, BEP 5 only looks up its own id). Each costs
   * ~k queries, mostly to peers the node has no session with yet (one ECMQV handshake each). null: the
   * protocol default (16).
   */
  bootstrapRefreshes: count(0, 256).nullable().default(null),
  /** The first `entryNodes` nodes are entry (bootstrap) nodes, up from t = 0 (at most `nodes`). */
  entryNodes: count(1, 10_000).default(8),
  /** How many entry nodes each newcomer knows (drawn at random from the entry nodes). */
  entriesPerNewcomer: count(1, 10_000).default(3),
  /** Nodes join uniformly spread over this period; measurement starts after it. */
  joinSpreadS: seconds(0).default(20),
  /** Lookups of existing NodeIDs per node per minute during the measurement phase (exponential gaps). */
  lookupsPerNodePerMin: z.number().min(0).max(600).default(1),
  /** Records stored at the start of measurement; after `storeLossAtS`, a `storeLossFraction` of each record's holders go down for good. */
  stores: count(0, 100_000).default(20),
  storeLossFraction: probability.default(1 / 3),
  /** When the store holders go down (s of simulated time); null: halfway between measurement start and the store check. */
  storeLossAtS: seconds(0).nullable().default(null),
  /** At the end, this many random nodes look each stored record up; it survived if every one finds it. */
  storeChecks: count(1, 1000).default(3),
  /** Lookups of random ids that no node has, to check they return the closest live nodes. */
  nonExistentLookups: count(0, 100_000).default(50),
  /**
   * No lookup starts in the last `drainS` seconds: store checks start at durationS - drainS, and a measured lookup
   * still unfinished at the end counts as failed (a lookup needs a few seconds at worst: 2 s timeouts, one retry).
   */
  drainS: seconds(0).default(15),
});

/** What the eclipse attacker does beyond lying to newcomers (sim/adversary/attacker-model.ts). */
export const attackerSchema = z.strictObject({
  /**
   * 'isolated': colluders know only each other and ignore honest traffic (the original model); 'integrated':
   * colluders join the honest DHT through honest entries during the warm-up, publish valid signed bindings, serve
   * honest nodes honestly, and lie to newcomers only (honest entries then confirm them: they exist).
   */
  colluders: z.enum(['isolated', 'integrated']).default('isolated'),
  /** Share of a malicious entry's GET_ONLINE answer taken from its honest routing table (0: colluders only). */
  honestMix: probability.default(0),
  /** Malicious entries' CONFIRM: 'team' = attacker's nodes exist, nobody else; 'truthful' = answer honestly. */
  confirm: z.enum(['team', 'truthful']).default('team'),
  /** Malicious entries try to wipe reports about themselves (a self-report dated in the future, every 2 s). */
  wipeReports: z.boolean().default(false),
  /**
   * Extra colluders per malicious entry whose ids are ground (GRIND_BITS leading bits) next to the key reports
   * about that entry are stored under; they accept and drop those STOREs and never return them. They join the
   * honest DHT whatever `colluders` says (a node in nobody's table holds nothing).
   */
  reportKeySybils: z.number().int().min(0).max(16).default(0),
});

/** Malicious entry nodes that answer only with colluders (issue 4, eclipse). Owned by sim/adversary/. */
export const eclipseSchema = z.strictObject({
  /** How many of the entry nodes are malicious. */
  maliciousEntries: count(0, 10_000).default(2),
  /** Colluding (Sybil) nodes the malicious entries hand out instead of honest nodes (extra nodes, beside `nodes`). */
  colluders: count(1, 100_000).default(20),
  /**
   * How a victim joins (protocol/dht/entry/cross-checked-join.ts): 'none' = through its first entry only,
   * trusted; 'multi-entry' = through every entry it knows, no cross-check (the fair baseline: every comparison is
   * against it); 'cross-check' = entries cross-checked, flags only on the victim's own evidence (disjoint paths).
   */
  defence: z.enum(['none', 'multi-entry', 'cross-check']).default('cross-check'),
  /** Newcomers joining after the warm-up whose views are measured. */
  victims: count(1, 100_000).default(50),
  /** Publish entries found flawed in the DHT, so later newcomers avoid them too. */
  publishFlawed: z.boolean().default(false),
  /**
   * How an honest entry answers CONFIRM: 'resolve' (routing table, else a DHT resolve of the contact's signed
   * binding: confirms nearly every honest node, one lookup per unknown contact) or 'table' (routing table only:
   * free, but an entry knows only O(k log N) nodes). See protocol/dht/entry/existence-oracle.ts.
   */
  confirmBy: z.enum(['table', 'resolve']).default('resolve'),
  /** Contacts a newcomer asks each entry for (GET_ONLINE max). */
  onlineSample: z.number().int().min(1).max(32).default(8),
  /** Victims arrive uniformly over this many seconds, starting when the DHT's warm-up (dht.joinSpreadS) ends. */
  victimJoinSpreadS: seconds(0).default(10),
  /** Lookups of existing honest NodeIDs each victim runs once joined (for poisonedLookupFraction). */
  victimLookups: count(0, 1000).default(5),
  /** The attacker model (sim/adversary/eclipse-hooks.ts); the defaults are the original attacker. */
  attacker: attackerSchema.prefault({}),
  /** Cross-check: how a victim checks a disputed entry's list itself (disjoint-path resolves, S/Kademlia). */
  verifyPaths: z.number().int().min(1).max(8).default(3),
  /** Cross-check: contacts of a disputed list the victim resolves itself (the rest are judged by that sample). */
  verifySample: z.number().int().min(1).max(32).default(4),
  /** Cross-check: bootstrap from the unflagged entries ('entries', as multi-entry) or also every unbarred listed contact ('union'). */
  bootstrapFrom: z.enum(['entries', 'union']).default('entries'),
});

/**
 * Onion circuits of `protocol: "messenger"` runs (issue 7): how many hops, how long a circuit lives, how relays
 * are chosen from a node's DHT view. Owned by sim/protocols/messenger-driver.ts.
 */
export const onionSchema = z.strictObject({
  /** Relays per circuit (Tor: 3). */
  hops: z.number().int().min(1).max(8).default(3),
  /** A circuit is closed after this long and a fresh one built on demand. */
  circuitLifetimeS: z.number().min(10).max(86_400).default(600),
  /** 'uniform': every hop drawn from the DHT view; 'guard': a fixed first hop per node (Tor's entry guards). */
  relaySelection: z.enum(['uniform', 'guard']).default('uniform'),
});

/**
 * The conversations workload (issue 7): pairs of accounts writing to each other through circuits and a
 * rendezvous point. Users are drawn from non-entry nodes; each keeps one AccountID for the whole run.
 */
export const conversationsSchema = z.strictObject({
  /** Conversations (pairs of distinct users). */
  count: z.number().int().min(1).max(100_000).default(10),
  /** Users holding accounts; null: 2 x count, so every user is in exactly one conversation. */
  users: count(2, 1_000_000).nullable().default(null),
  /** 'poisson': messages at a constant mean rate; 'onoff': Poisson bursts during exponential on periods. */
  arrival: z.enum(['poisson', 'onoff']).default('poisson'),
  /** Mean messages per minute per conversation (both directions together; during 'on' periods for onoff). */
  messagesPerMin: z.number().min(0.01).max(600).default(2),
  /** onoff only: mean length of an active period and of a quiet one (exponential). */
  meanOnS: seconds(1).default(60),
  meanOffS: seconds(1).default(120),
  /** Message sizes, uniform in [minBytes, maxBytes]; larger than one cell means a multi-cell message. */
  minBytes: z.number().int().min(1).max(65_536).default(40),
  maxBytes: z.number().int().min(1).max(65_536).default(400),
  /** Messages start being written at startS (after the DHT warm-up) and stop at durationS - drainS. */
  startS: seconds(0).default(30),
  drainS: seconds(0).default(60),
  /** Whether users' nodes may churn (relays churn per scenario.churn either way); a user returns with a new NodeID and the same account. */
  usersChurn: z.boolean().default(false),
  /** A message without an end-to-end ack after this long goes to the recipient's offline mailbox (or fails 'timeout' with offline off). */
  messageTimeoutS: seconds(1).default(120),
  /** Unreachable recipients' messages wait in offline mailboxes (issue 8); false: they fail. */
  offline: z.boolean().default(true),
  /** How often a user's node fetches its own mailbox (also at every return). */
  offlinePollS: seconds(1).default(120),
  /** How often each mailbox holder re-replicates what it holds to the current k closest nodes. */
  mailboxReplicateS: seconds(1).default(600),
  /**
   * Recipients taken offline on purpose (offline-delivery): the second user of each of the first `recipients`
   * conversations goes down at fromS and returns at toS (new NodeID, same account); at holderLossAtS a
   * `holderLossFraction` of the nodes closest to each one's mailbox key go down for good. null: none.
   */
  offlineWindow: z
    .strictObject({
      recipients: count(1, 100_000),
      fromS: seconds(0),
      toS: seconds(0),
      holderLossFraction: probability.default(1 / 3),
      holderLossAtS: seconds(0).nullable().default(null),
    })
    .nullable()
    .default(null),
});

/**
 * Cover traffic (issue 8, protocol/noise): per link 'poisson' dummies on top of real traffic or a 'constant' slot
 * rate where real datagrams take a dummy's slot; loop cover through each user's circuits; mixing delay at relays.
 * 'off' (default) changes nothing. With noise on, sessions rekey after 120 s unless `rekeyAfterS` says otherwise.
 */
export const noiseSchema = z.strictObject({
  policy: z.enum(['off', 'poisson', 'constant', 'constant-node']).default('off'),
  /** Per link: slots per second ('constant') or mean dummies per second ('poisson'). */
  ratePerS: z.number().min(0.01).max(1000).default(1),
  /** 'constant': real datagrams waiting for a slot, per link; overflow is dropped and counted. */
  maxQueuedPerLink: z.number().int().min(1).max(100_000).default(256),
  /** Loop cover per open circuit of a user (Loopix): mean loops per second; 0 = off. */
  loopRatePerS: z.number().min(0).max(1000).default(0),
  /** Relays hold each relay cell an exponential time of this mean (Loopix mixing); 0 = off. */
  mixDelayMeanMs: z.number().min(0).max(60_000).default(0),
  /** constant-node: 'real-first' (low latency) or 'round-robin' (every link the same share of the node's slots). */
  slotOrder: z.enum(['real-first', 'round-robin']).default('real-first'),
  /** Whether dummies keep a link's session alive (links never go quiet, so their start/end leak nothing). */
  keepLinksAlive: z.boolean().default(false),
  /** Session rekey interval with noise on (WireGuard: 120 s); null: the session default. */
  rekeyAfterS: seconds(1).nullable().default(120),
});

/** Eve, the global passive observer (issue 9): her attacks run on the run's own tap at the end of messenger runs. */
export const eveSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Partial adversary beside Eve: this fraction of non-user nodes are malicious relays sharing what they see. */
  maliciousRelayFraction: z.number().min(0).max(1).default(0),
  /** Attack at most this many targets (each conversation's source is one). */
  maxTargets: z.number().int().min(1).max(100_000).default(1000),
});

/** Timed NodeID rotation of long-running nodes (dht and messenger runs); null: a node keeps its NodeID until churn. */
export const nodeIdRotationSchema = z.strictObject({
  /** Lifetime of each NodeID. */
  periodS: seconds(10),
  /** How long the previous NodeID still accepts handshakes after a rotation (<= periodS). */
  graceS: seconds(0).default(60),
});

/** The run budget (issue 11): a run that exceeds it stops with a one-line error naming the limit (exit 2). */
export const limitsSchema = z.strictObject({
  /** Events the simulator may process; null: nodes x durationS x 2,000, at least 10 million (limits.ts). */
  maxEvents: count(1000, MAX_MAX_EVENTS).nullable().default(null),
});

export const scenarioSchema = z.strictObject({
  /** Report format and scenario format version. */
  paratox: z.literal(1).default(1),
  name: z.string().min(1).max(MAX_NAME_CHARS).default('unnamed'),
  /** Copied into every report, so bounded (MAX_DESCRIPTION_CHARS). */
  description: z.string().max(MAX_DESCRIPTION_CHARS).default(''),
  seed: count(0, 2 ** 32 - 1).default(1),
  /** Capped per protocol as well (limits.ts MAX_NODES, checked in consistency.ts). */
  nodes: count(2, 1_000_000),
  /** Simulated seconds, 1 ms to 30 days. */
  durationS: seconds(0.001),
  protocol: z.enum(['ping', 'dht', 'messenger']).default('ping'),
  crypto: z.strictObject({ backend: z.enum(['fastest', 'node', 'noble']).default('fastest') }).prefault({}),
  network: networkSchema.prefault({}),
  regions: mix().default({ default: 1 }),
  nat: natSchema.default({ none: 1 }),
  churn: churnSchema.nullable().default(null),
  ping: pingSchema.prefault({}),
  packet: packetSchema.prefault({}),
  dht: dhtSchema.prefault({}),
  eclipse: eclipseSchema.nullable().default(null),
  onion: onionSchema.prefault({}),
  conversations: conversationsSchema.prefault({}),
  nodeIdRotation: nodeIdRotationSchema.nullable().default(null),
  eve: eveSchema.prefault({}),
  noise: noiseSchema.prefault({}),
  trace: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
  limits: limitsSchema.prefault({}),
});

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type LatencySpec = z.output<typeof latencySpecSchema>;
