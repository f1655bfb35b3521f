/**
 * Defaults for the Kademlia DHT. Every constructor takes `(components, init)` and fills `init` from here, as
 * js-libp2p's kad-dht does. Section numbers refer to Maymounkov & Mazieres, "Kademlia: A Peer-to-peer
 * Information System Based on the XOR Metric" (IPTPS 2002).
 */

/** Bucket size and replication parameter k (§2.2; the paper suggests 20). */
export const K = 20;
/** Lookup parallelism alpha (§2.3; the paper suggests 3). */
export const ALPHA = 3;

/** DHT keys are SHA-256 outputs: 256-bit ids, so 256 buckets indexed by common-prefix length. */
export const KEY_BYTES = 32;
export const KEY_BITS = KEY_BYTES * 8;
/** SEC1-compressed P-256 public key. */
export const NODE_PUB_BYTES = 33;
/** Longest address a contact may carry, in UTF-8 bytes ("host:port" of an IPv6 literal fits easily). */
export const MAX_ADDRESS_BYTES = 64;
/** Request ids are 8 random bytes: collisions among a node's pending requests are negligible. */
export const REQUEST_ID_BYTES = 8;
/** ECDSA-P256 r||s. */
export const SIGNATURE_BYTES = 64;
/** Body budget of one session packet (protocol/session); replies are trimmed to fit. */
export const MAX_BODY_BYTES = 1190;

/** Session payload type carrying every DHT message (one type; the DHT message type is the body's first byte).
 * Equals protocol/packet/payload-type.ts `PayloadType.DHT`; repeated so the DHT depends on no session module. */
export const DHT_PAYLOAD_TYPE = 0x10;

/** How long an RPC waits for its reply before the peer counts as unresponsive. */
export const REQUEST_TIMEOUT_MS = 2_000;
/** Times a request is sent again after a timeout before the peer counts as unresponsive (lost datagrams). */
export const REQUEST_RETRIES = 1;
/** Upper bound on requests awaiting a reply; beyond it new requests fail at once (limit everything). */
export const MAX_PENDING_REQUESTS = 4_096;
/** A contact is evicted after this many consecutive failed liveness checks (§2.2 / §4.1 stale contacts). */
export const MAX_FAILURES = 3;
/** Candidates kept per bucket while its least-recently-seen contact is being pinged (§4.1 replacement cache). */
export const REPLACEMENT_CACHE_SIZE = 4;
/** A lookup gives up after this many queries: a bound, far above what a converging lookup needs. */
export const MAX_LOOKUP_QUERIES = 256;

/** Buckets without a lookup in their range for this long get a random-id lookup (§2.3: one hour). */
export const REFRESH_INTERVAL_MS = 60 * 60_000;
/** Holders re-replicate records they have not received a STORE for within this interval (§2.5: hourly). */
export const REPLICATE_INTERVAL_MS = 60 * 60_000;
/** The original publisher republishes its records this often (§2.5 says 24 h; we halve it so that one
 * missed republish does not let a 24 h binding lapse). */
export const REPUBLISH_INTERVAL_MS = 12 * 60 * 60_000;
/** Lifetime of a NodeID -> address binding. */
export const BINDING_TTL_MS = 24 * 60 * 60_000;
/** Bindings claiming a longer lifetime are rejected, so a stolen-then-rotated key cannot pin an address. */
export const MAX_BINDING_TTL_MS = 48 * 60 * 60_000;
/** Tolerated clock difference when checking `issuedAtMs` against our own clock. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** Records a node holds at most (bounded store). When full, a record closer to our key evicts the farthest. */
export const MAX_RECORDS = 10_000;
/**
 * Records one storing NodeID may have placed in our store at once, and one storing host (IP, whatever NodeIDs
 * it uses). An honest node stores at us its own few records plus, replicating hourly, the records it holds that
 * we are close to as well: in a network of N nodes with R records that is about R k / N, far below these.
 */
export const MAX_RECORDS_PER_PEER = 500;
export const MAX_RECORDS_PER_HOST = 1_000;
/**
 * A node stores a key only when fewer than STORE_RADIUS_FACTOR * k of the nodes it knows (the storer aside) are
 * closer to the key than itself (S/Kademlia's and libp2p's "among the k closest"). Twice k, not k: our table
 * still holds contacts that left, and the storer's lookup may not have met every node we know.
 * 0 turns the check off.
 */
export const STORE_RADIUS_FACTOR = 2;
/** Contacts sharing one host accepted from one NODES reply; the rest are dropped ('reply-host-cap'). Two, so a
 * node that came back with a new NodeID at its old address still shows up beside its stale entry. */
export const MAX_REPLY_CONTACTS_PER_HOST = 2;
/**
 * First contacts (a peer not in our table at that address, not heard from lately, not contacted in the last
 * request timeout: the session layer must start a handshake, up to 5 inits) to one host: a burst of
 * FIRST_CONTACT_BURST, then one per FIRST_CONTACT_REFILL_MS. Bounds how hard lying NODES replies can make us
 * knock on a victim's address.
 */
export const FIRST_CONTACT_BURST = 8;
export const FIRST_CONTACT_REFILL_MS = 1_000;
/** Hosts the first-contact limiter remembers (least recently used forgotten). */
export const FIRST_CONTACT_HOSTS = 4_096;
/** A peer that sent us an authenticated message is no first contact for this long (it has a session). */
export const FIRST_CONTACT_HEARD_MS = 10 * 60_000;
/** Peers remembered as heard from or contacted, for the first-contact gate (least recently used forgotten). */
export const FIRST_CONTACT_PEERS = 4_096;
/** Random-id lookups bootstrap runs after its self-lookup, at most (one per bucket farther than the nearest
 * neighbour, §2.3 "joining"). */
export const MAX_BOOTSTRAP_REFRESHES = 16;

/** Record type of a signed NodeID -> address binding (binding.ts). Later issues register further types. */
export const RECORD_TYPE_BINDING = 1;
/** A full bucket's least-recently-seen contact heard from within this window counts as alive without a ping,
 * so a burst of newcomers does not ping the same contact over and over. */
export const LIVENESS_FRESH_MS = 30_000;
