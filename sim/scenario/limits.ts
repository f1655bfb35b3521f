/**
 * Limits of the scenario format and of a run, in one place so the loader, the schema, the runner and
 * scenarios/README.md say the same numbers. Each one turns a malformed or runaway input into a one-line error
 * instead of a hang, an out-of-memory crash or a stack trace.
 */

/** A scenario file larger than this is refused before it is read (the committed ones are < 4 KiB). */
export const MAX_SCENARIO_FILE_BYTES = 1024 * 1024;

/** JSON nesting deeper than this is refused before parsing (a scenario needs 4 levels). */
export const MAX_NESTING_DEPTH = 32;

/**
 * YAML scenarios: how far aliases may expand (the yaml package's maxAliasCount: expanded nodes per alias,
 * relative to the document). A scenario repeats a section a few times at most; a "billion laughs" file
 * (aliases of aliases) is refused instead of filling memory.
 */
export const MAX_YAML_ALIAS_COUNT = 16;

/** `description` is copied into every report; longer ones are refused. */
export const MAX_DESCRIPTION_CHARS = 4096;

/** `name` appears in summaries and progress lines. */
export const MAX_NAME_CHARS = 200;

/** Echoed values and keys in error messages are cut to this many characters. */
export const MAX_ECHO_CHARS = 80;

/** Longest simulated run, and the bound of every duration in the schema (30 days). */
export const MAX_DURATION_S = 86_400 * 30;

/**
 * Most nodes a run may have, per protocol: fixed, documented caps that fit this project's 24 GiB machines with
 * room to spare (measured: ping ~10 KB per node, messenger ~1.8 MB per node on baseline.json, DHT nodes in
 * between). The heap check of the run budget is the backstop for runs that grow anyway.
 */
export const MAX_NODES = { ping: 200_000, dht: 20_000, messenger: 10_000 } as const;

/**
 * Default event budget of a run (limits.maxEvents null): EVENTS_PER_NODE_SECOND per node and simulated second,
 * at least MIN_DEFAULT_MAX_EVENTS, at most MAX_DEFAULT_MAX_EVENTS. The committed scenarios use < 100 events per
 * node-second (constant cover traffic included), so the budget is > 10x what a sane run needs, and it ends a
 * runaway (a rate that keeps the queue full) in minutes instead of never.
 */
export const EVENTS_PER_NODE_SECOND = 2_000;
export const MIN_DEFAULT_MAX_EVENTS = 10_000_000;
export const MAX_DEFAULT_MAX_EVENTS = 2_000_000_000;

/** The largest explicit limits.maxEvents. */
export const MAX_MAX_EVENTS = 1e11;

/** A run stops when the JS heap passes this share of the process's heap limit (v8 heap_size_limit). */
export const HEAP_STOP_FRACTION = 0.85;

export function defaultMaxEvents(nodes: number, durationS: number): number {
  return Math.round(Math.min(MAX_DEFAULT_MAX_EVENTS, Math.max(MIN_DEFAULT_MAX_EVENTS, nodes * durationS * EVENTS_PER_NODE_SECOND)));
}
