/**
 * Counters of an OnionService. Every inbound ONION message ends in exactly one place: a handled control
 * cell, a relayed cell, a delivered cell, noise, a refusal, or one drop reason below.
 */
export const ONION_DROPS = [
  /** Not CELL_BYTES long, circuit id 0, unknown cell command, or a bad field (EXTEND, relay length field). */
  'malformed',
  /** A cell for a link circuit this node does not know (closed, expired, never existed). */
  'unknown-circuit',
  /** CREATE for a link circuit id already in use, or with the id bit of the wrong side. */
  'duplicate-circuit',
  /** A forward relay cell that no hop up to here recognised, at the end of the circuit: tagging/tampering. */
  'unrecognized',
  /** A backward relay cell whose mac verifies at no depth, at the origin. */
  'bad-mac',
  /** A relay cell nonce seen before on this circuit and direction. */
  'replay',
  /** CREATE with an invalid X; CREATED/EXTENDED with an invalid Y or auth. */
  'bad-handshake',
  /** A valid cell that makes no sense in the circuit's state (CREATED while not extending, EXTENDED unasked...). */
  'unexpected',
  /** EXTEND that is malformed, names this node or the previous hop, or comes while already extended. */
  'bad-extend',
  /** A recognised relay command this node does not know. */
  'unknown-command',
  /** A service command recognised by a hop that is not the circuit's last. */
  'not-last-hop',
  /** A service command with no handler registered. */
  'no-handler',
  /** A relay cell that found mixMaxHeldCells already held for mixing on its circuit. */
  'mix-overflow',
  /** A relay cell held for mixing when its circuit closed. */
  'mix-closed',
] as const;
export type OnionDropReason = (typeof ONION_DROPS)[number];

export const ONION_REFUSALS = ['rate-limited', 'circuit-limit'] as const;
export type OnionRefusal = (typeof ONION_REFUSALS)[number];

export interface OnionCounters {
  /** Origin side. */
  circuitsBuilt: number;
  circuitsFailed: number;
  buildFailures: Record<string, number>;
  circuitsClosed: number;
  closeReasons: Record<string, number>;
  /** Relay side: CREATEs accepted, and relayed circuits torn down. */
  circuitsRelayed: number;
  relayCircuitsClosed: number;
  /** Relay cells this node started (origin sends, endpoint replies, EXTEND/EXTENDED, keepalives). */
  cellsSent: number;
  /** Relay cells passed on to the next or previous hop. */
  cellsRelayed: number;
  /** Service cells handed to a handler (Circuit.onCell or onRelayCommand). */
  cellsDelivered: number;
  /** DROP and LOOP cells received where they were recognised (LOOP: at the last hop, and back at the origin). */
  noise: number;
  /** Loop cover: LOOP cells an origin sent, last hops echoed, and origins got back. */
  loopsSent: number;
  loopsEchoed: number;
  loopsReturned: number;
  /** Mixing delay: relay cells held (released later, or dropped as mix-closed), and the sum of their delays. */
  cellsMixed: number;
  mixDelaySumMs: number;
  /** CREATEs refused (a DESTROY 'refused' goes back). */
  refused: Partial<Record<OnionRefusal, number>>;
  dropped: Partial<Record<OnionDropReason, number>>;
}

export interface OnionStats extends OnionCounters {
  originCircuits: number;
  relayCircuits: number;
}

export function emptyOnionCounters(): OnionCounters {
  return {
    circuitsBuilt: 0,
    circuitsFailed: 0,
    buildFailures: {},
    circuitsClosed: 0,
    closeReasons: {},
    circuitsRelayed: 0,
    relayCircuitsClosed: 0,
    cellsSent: 0,
    cellsRelayed: 0,
    cellsDelivered: 0,
    noise: 0,
    loopsSent: 0,
    loopsEchoed: 0,
    loopsReturned: 0,
    cellsMixed: 0,
    mixDelaySumMs: 0,
    refused: {},
    dropped: {},
  };
}

export function bump<K extends string>(table: Partial<Record<K, number>>, key: K): void {
  table[key] = (table[key] ?? 0) + 1;
}

export function totalDrops(stats: OnionCounters): number {
  return Object.values(stats.dropped).reduce((a: number, b) => a + (b ?? 0), 0);
}
