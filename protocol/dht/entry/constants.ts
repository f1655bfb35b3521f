/**
 * Defaults of the entry-node cross-check (the seed design's eclipse defence: "a newcomer knows several entry
 * nodes; from each it asks for online nodes, then asks the other entries to confirm them; an entry whose answers
 * the others call non-existent is marked flawed and avoided"). See cross-checked-join.ts for the procedure.
 */

/** Contacts a newcomer asks each entry for (GET_ONLINE max). */
export const ONLINE_SAMPLE = 8;
/** Most contacts an entry hands out per GET_ONLINE, whatever the request asks (limit everything). */
export const MAX_ONLINE_ANSWER = 32;
/** An entry "believes online" a contact it heard from directly within this window (then the most recent others). */
export const ONLINE_WINDOW_MS = 10 * 60_000;
/** Longest CONFIRM list an entry answers; longer ones are a counted 'malformed' drop. */
export const MAX_CONFIRM_CONTACTS = 64;
/**
 * An entry is flawed when fewer than this fraction of the contacts it listed are confirmed by the other entries.
 * Honest answers are confirmed almost entirely when entries confirm by DHT resolve (existence-oracle.ts); 0.5
 * leaves room for churn (a listed contact that left since) and for a lying co-entry that denies honest contacts.
 */
export const FLAW_THRESHOLD = 0.5;
/** A listed contact counts as confirmed when at least this many other (non-flawed) entries say it exists. */
export const MIN_CONFIRMATIONS = 1;

/**
 * An entry answers CONFIRM at the latest this long after the request, with 'unknown' for contacts it could not
 * resolve in time: below the requester's REQUEST_TIMEOUT_MS (2 s), so the answer arrives before its first retry.
 */
export const CONFIRM_DEADLINE_MS = 1_500;
/** CONFIRM requests an entry works on at once; further ones are answered from its routing table alone. */
export const MAX_PENDING_CONFIRMS = 64;
/** DHT resolves one entry runs at once for CONFIRM answers; contacts beyond it are answered 'unknown'. */
export const MAX_PENDING_RESOLVES = 128;
/** Remembered resolve outcomes (positive and negative) per entry. */
export const RESOLVE_CACHE_SIZE = 2048;
/** A contact confirmed by resolve stays confirmed this long without a new resolve. */
export const RESOLVE_POSITIVE_TTL_MS = 10 * 60_000;
/** A contact that did not resolve is not resolved again for this long. */
export const RESOLVE_NEGATIVE_TTL_MS = 60_000;
/** Answered CONFIRM request ids remembered, so a retransmitted CONFIRM gets the same answer without new work. */
export const CONFIRM_REPLY_MEMORY = 256;
/**
 * Contacts of one CONFIRM the entry checks with the 'resolve' oracle (one DHT lookup each, at most); the rest are
 * answered from the routing table alone. Twice the ONLINE_SAMPLE an honest newcomer lists, so honest CONFIRMs are
 * unaffected and a MAX_CONFIRM_CONTACTS-long one costs 16 lookups, not 64.
 */
export const MAX_RESOLVES_PER_CONFIRM = 16;
/**
 * New CONFIRM requests per requester, by its NodeID and by its host (IP), each a token bucket: a burst of
 * CONFIRM_BURST, then one per CONFIRM_REFILL_MS. An honest newcomer sends an entry one CONFIRM per other entry
 * it knows (3 with 4 entries), once per join. Beyond it a CONFIRM is a counted 'confirm-rate' drop, unanswered.
 */
export const CONFIRM_BURST = 8;
export const CONFIRM_REFILL_MS = 10_000;
/** Requesters (NodeIDs, hosts) the CONFIRM rate limit remembers each (least recently used forgotten). */
export const CONFIRM_RATE_KEYS = 1_024;

/**
 * Record type of a signed "flawed entry" report (flawed-record.ts). Record types 0x0100-0x01ff are taken here
 * for entry-node records, away from the low numbers core record types use (1 = binding).
 */
export const RECORD_TYPE_FLAWED_ENTRY = 0x0101;
/** Lifetime of a flawed-entry report: long enough to warn the next newcomers, short enough to forgive a fixed node. */
export const FLAWED_REPORT_TTL_MS = 6 * 60 * 60_000;
/** Reports claiming a longer lifetime are refused. */
export const MAX_FLAWED_REPORT_TTL_MS = 24 * 60 * 60_000;

/** Disjoint lookup paths a newcomer uses to check a disputed list itself (S/Kademlia's d). */
export const VERIFY_PATHS = 3;
/** Contacts of a disputed list the newcomer resolves itself. */
export const VERIFY_SAMPLE = 4;
/** Most reports (distinct reporters) held per accused entry; a full set refuses new reporters. */
export const MAX_FLAWED_REPORTS = 6;
/**
 * A list is disputed (the newcomer checks it itself) when some other entry confirms less than this share of it.
 * Stricter than FLAW_THRESHOLD: a liar that mixes honest contacts into its list (issue 10: half honest passed
 * the old "< 0.5") is still disputed; the cost of a dispute is only the newcomer's own lookups.
 */
export const DISPUTE_SHARE = 0.75;
/**
 * A disputed list is flawed when the newcomer resolves less than this share of its checked sample (a random
 * VERIFY_SAMPLE of the list, so the liar cannot put its honest contacts first). Honest lists resolve entirely
 * in a network without churn; 0.75 allows one unresolvable contact in four.
 */
export const EVIDENCE_THRESHOLD = 0.75;
