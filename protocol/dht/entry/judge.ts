/**
 * Superseded in the join by evidence-judge.ts (issue 10): a vote alone cannot tell three liars accusing one
 * honest entry from three honest entries accusing one liar, so the join no longer flags on votes. Kept as the
 * vote-only reference (evidence-judge.test.ts shows it condemning the honest minority) and for its tests.
 *
 * The seed cross-check's verdict, as a pure function of what the entries said (no network, so it is tested alone).
 *
 * Entry i listed contacts L_i (GET_ONLINE); every other entry j answered CONFIRM(L_i) with one status per contact,
 * or not at all. A contact of L_i is confirmed when at least `minConfirmations` other entries that are not flawed
 * say it exists; score_i = confirmed / listed, null when nobody voted. Flags are given one at a time: the entry
 * with the lowest score below `flawThreshold` is flawed (ties: the one that said more contacts of already flawed
 * entries exist, then the one more entries voted on, then the first),
 * its votes are discarded, and the scores are tallied again until no unflagged entry is below the threshold.
 * So a liar's confirmations of its colluders cannot save a second liar, and an honest entry that only a liar
 * voted on is not condemned together with the liar (it ends with no votes, score null, and stays unflagged).
 *
 * Limits, stated: with a majority of lying entries among those a newcomer knows, the liars confirm each other
 * and call the honest minority flawed; no vote among entries can fix that. `forcedFlawed` lets outside evidence
 * (a published flawed-entry report, flawed-record.ts) mark an entry before the vote.
 */
import type { ConfirmStatus } from '../messages.ts';
import type { PeerRef } from '../types.ts';
import { FLAW_THRESHOLD, MIN_CONFIRMATIONS } from './constants.ts';

export interface JudgeInput {
  /** lists[i]: entry i's GET_ONLINE answer, undefined when it did not answer. */
  lists: readonly (readonly PeerRef[] | undefined)[];
  /** votes[i][j]: entry j's CONFIRM answer about lists[i] (undefined: not asked, no answer, or malformed). */
  votes: readonly (readonly (readonly ConfirmStatus[] | undefined)[])[];
  forcedFlawed?: ReadonlySet<number>;
}

export interface JudgeInit {
  flawThreshold?: number;
  minConfirmations?: number;
}

export interface EntryVerdict {
  index: number;
  answered: boolean;
  listed: number;
  confirmed: number;
  /** Other entries whose vote on this list counted. */
  voters: number;
  /** confirmed / listed, null when nobody could vote or nothing was listed. */
  score: number | null;
  flawed: boolean;
  /** Flawed because of outside evidence rather than the vote. */
  forced: boolean;
}

export interface Judgement {
  verdicts: EntryVerdict[];
  /** confirmed[i][c]: whether contact c of lists[i] is confirmed. */
  confirmed: boolean[][];
}

export function judgeEntries(input: JudgeInput, init: JudgeInit = {}): Judgement {
  const threshold = init.flawThreshold ?? FLAW_THRESHOLD;
  const minConfirmations = init.minConfirmations ?? MIN_CONFIRMATIONS;
  const forced = input.forcedFlawed ?? new Set<number>();
  const flawed = new Set<number>(forced);
  // Greedy elimination: flag the worst entry below the threshold, discard its votes, tally again. One at a time,
  // so an entry that only a liar voted on is not condemned in the same round as the liar.
  for (;;) {
    const judgement = tally(input, flawed, minConfirmations);
    const complicity = vouchesForFlawed(input, flawed);
    const worst = judgement.verdicts
      .filter((v) => !flawed.has(v.index) && v.score !== null && v.score < threshold)
      .sort((a, b) => a.score! - b.score! || complicity[b.index] - complicity[a.index] || b.voters - a.voters || a.index - b.index)[0];
    if (worst === undefined) return judgement;
    flawed.add(worst.index);
  }
}

/** Per entry: how many contacts of flawed entries' lists it said exist (a liar vouching for a liar's colluders). */
function vouchesForFlawed(input: JudgeInput, flawed: ReadonlySet<number>): number[] {
  const out = input.lists.map(() => 0);
  for (const i of flawed) {
    (input.votes[i] ?? []).forEach((vote, j) => {
      if (vote !== undefined && j !== i) out[j] += vote.filter((s) => s === 'exists').length;
    });
  }
  return out;
}

/**
 * How many voters outside `flawed` (and not entry i itself) confirmed each of entry i's `contacts`, and how many
 * voted at all (a vote of the wrong length is ignored). Shared with evidence-judge.ts.
 */
export function countConfirmations(input: JudgeInput, i: number, contacts: readonly unknown[], flawed: ReadonlySet<number>): { counts: number[]; voters: number } {
  const counts = new Array<number>(contacts.length).fill(0);
  let voters = 0;
  (input.votes[i] ?? []).forEach((vote, j) => {
    if (j === i || vote === undefined || flawed.has(j) || vote.length !== contacts.length) return;
    voters++;
    vote.forEach((s, c) => {
      if (s === 'exists') counts[c]++;
    });
  });
  return { counts, voters };
}

/** Scores every list with the votes of entries not in `flawed`; `flawed` entries keep their flag. */
function tally(input: JudgeInput, flawed: ReadonlySet<number>, minConfirmations: number): Judgement {
  const forced = input.forcedFlawed ?? new Set<number>();
  const verdicts: EntryVerdict[] = [];
  const confirmed: boolean[][] = [];
  input.lists.forEach((list, i) => {
    const contacts = list ?? [];
    const { counts, voters } = countConfirmations(input, i, contacts, flawed);
    const ok = counts.map((x) => voters > 0 && x >= minConfirmations);
    const nConfirmed = ok.filter(Boolean).length;
    const score = voters > 0 && contacts.length > 0 ? nConfirmed / contacts.length : null;
    verdicts.push({
      index: i,
      answered: list !== undefined,
      listed: contacts.length,
      confirmed: nConfirmed,
      voters,
      score,
      flawed: flawed.has(i),
      forced: forced.has(i),
    });
    confirmed.push(ok);
  });
  return { verdicts, confirmed };
}
