/**
 * Who Eve ranks and for whom. Candidates are the users: every address that is a conversation endpoint in the
 * truth file, or, without truth, every address that both sends and receives. Targets are users with a known
 * partner (each conversation's source and its target). Traffic between users goes through relays, so nobody
 * exchanges datagrams with their partner directly: attacks compare the target's own link activity (everything it
 * sends or receives, to anyone) with each candidate's own activity (end-to-end correlation).
 */
import type { GroundTruth } from '../tap/tap-writer.ts';
import type { TapColumns } from './tap-reader.ts';

export interface EvePopulation {
  /** Candidate addresses, sorted; a user's index here is its "user index". */
  users: string[];
  /** Tap address id -> user index, or -1 for relays and other non-users. */
  userOfId: Int32Array;
  /** User indices Eve attacks. */
  targets: Uint32Array;
  /** Per target, the user indices of its true partners (empty without truth). */
  partners: number[][];
  hasTruth: boolean;
}

export function buildPopulation(tap: TapColumns, truth: GroundTruth | null, maxTargets = Infinity): EvePopulation {
  let users: string[];
  if (truth) {
    const set = new Set<string>();
    for (const c of truth.conversations) set.add(c.source).add(c.target);
    users = [...set].sort();
  } else {
    const sends = new Uint8Array(tap.addresses.length);
    for (let r = 0; r < tap.rows; r++) {
      sends[tap.source[r]] |= 1;
      sends[tap.target[r]] |= 2;
    }
    users = tap.addresses.filter((_, id) => sends[id] === 3).sort();
  }
  const userIndex = new Map(users.map((u, i) => [u, i]));
  const userOfId = new Int32Array(tap.addresses.length).fill(-1);
  for (let id = 0; id < tap.addresses.length; id++) userOfId[id] = userIndex.get(tap.addresses[id]) ?? -1;

  const partnerSets = users.map(() => new Set<number>());
  if (truth) {
    for (const c of truth.conversations) {
      const s = userIndex.get(c.source)!;
      const t = userIndex.get(c.target)!;
      partnerSets[s].add(t);
      partnerSets[t].add(s);
    }
  }
  const targetList: number[] = [];
  for (let u = 0; u < users.length && targetList.length < maxTargets; u++) {
    if (!truth || partnerSets[u].size > 0) targetList.push(u);
  }
  return {
    users,
    userOfId,
    targets: Uint32Array.from(targetList),
    partners: targetList.map((u) => [...partnerSets[u]].sort((a, b) => a - b)),
    hasTruth: truth !== null,
  };
}

/** Per user, the tap rows it sends and receives, in time order (CSR layout: rows of user u are start[u]..start[u+1]). */
export interface UserRows {
  outStart: Uint32Array;
  outRows: Uint32Array;
  inStart: Uint32Array;
  inRows: Uint32Array;
}

export function indexUserRows(tap: TapColumns, userOfId: Int32Array, users: number): UserRows {
  const outStart = new Uint32Array(users + 1);
  const inStart = new Uint32Array(users + 1);
  for (let r = 0; r < tap.rows; r++) {
    const s = userOfId[tap.source[r]];
    if (s >= 0) outStart[s + 1]++;
    const t = userOfId[tap.target[r]];
    if (t >= 0) inStart[t + 1]++;
  }
  for (let u = 0; u < users; u++) {
    outStart[u + 1] += outStart[u];
    inStart[u + 1] += inStart[u];
  }
  const outRows = new Uint32Array(outStart[users]);
  const inRows = new Uint32Array(inStart[users]);
  const outFill = outStart.slice(0, users);
  const inFill = inStart.slice(0, users);
  for (let r = 0; r < tap.rows; r++) {
    const s = userOfId[tap.source[r]];
    if (s >= 0) outRows[outFill[s]++] = r;
    const t = userOfId[tap.target[r]];
    if (t >= 0) inRows[inFill[t]++] = r;
  }
  return { outStart, outRows, inStart, inRows };
}

/** What every attack receives: the tap, who is who, and each user's rows. */
export interface EveContext {
  tap: TapColumns;
  population: EvePopulation;
  rows: UserRows;
  /** Number of users (= candidates). */
  users: number;
  startMs: number;
  endMs: number;
}

export function buildContext(tap: TapColumns, population: EvePopulation): EveContext {
  const users = population.users.length;
  return {
    tap,
    population,
    rows: indexUserRows(tap, population.userOfId, users),
    users,
    startMs: tap.rows ? tap.timeMs[0] : 0,
    endMs: tap.rows ? tap.timeMs[tap.rows - 1] : 0,
  };
}

/**
 * Counts (or weights) of a user's datagrams per time bin, as a users x bins row-major matrix.
 * `direction` picks what the user sends, receives, or both; `weight` maps a row to its contribution (default 1).
 */
export function binMatrix(
  ctx: EveContext,
  binMs: number,
  bins: number,
  direction: 'out' | 'in' | 'both',
  weight?: (row: number) => number,
): Float32Array {
  const m = new Float32Array(ctx.users * bins);
  const { timeMs } = ctx.tap;
  const add = (start: Uint32Array, rows: Uint32Array): void => {
    for (let u = 0; u < ctx.users; u++) {
      const base = u * bins;
      for (let k = start[u]; k < start[u + 1]; k++) {
        const r = rows[k];
        const b = Math.min(bins - 1, Math.floor((timeMs[r] - ctx.startMs) / binMs));
        m[base + b] += weight ? weight(r) : 1;
      }
    }
  };
  if (direction !== 'in') add(ctx.rows.outStart, ctx.rows.outRows);
  if (direction !== 'out') add(ctx.rows.inStart, ctx.rows.inRows);
  return m;
}

export function binCount(ctx: EveContext, binMs: number): number {
  return Math.max(1, Math.floor((ctx.endMs - ctx.startMs) / binMs) + 1);
}
