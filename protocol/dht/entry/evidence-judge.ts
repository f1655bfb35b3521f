/**
 * The cross-check's verdict when votes are not enough (cross-checked-join.ts, 'cross-check'). Pure, tested alone.
 *
 * Why votes alone cannot flag: with three lying entries and one honest one, the liars confirm each other and deny
 * the honest list; with three honest and one liar the picture is the same with the roles swapped. Nothing in the
 * votes tells the two apart, so a vote only *disputes* a list, it never condemns one. What breaks the symmetry is
 * the newcomer's own evidence: a NodeID's binding is signed by its key, so a contact whose binding the newcomer
 * resolves itself (disjoint-resolve.ts, one path seeded per entry) provably exists.
 *
 *  - disputed: entry i's list, of which some other entry confirmed less than `disputeShare` (DISPUTE_SHARE).
 *  - evidence_i: the share of the checked contacts of a disputed list that the newcomer resolved itself.
 *  - flawed: disputed, checked, and evidence_i < `evidenceThreshold` (the vote and the newcomer's own lookups agree
 *    that the list names nodes nobody can find), or forced by outside evidence (a report, re-checked the same way).
 *  - contested: disputed but not flawed (the accused list resolves, or could not be checked). Nobody is flagged
 *    for it, neither the accused nor the accusers: a liar that denied a real list is merely outvoted by evidence.
 *  - confirmed contact: resolved by the newcomer, or said to exist by at least `minConfirmations` other entries
 *    that are not flawed, except a contact of a flawed list that the newcomer checked and could not resolve (an
 *    unflagged liar must not vouch for a flagged one's colluders). A flawed list's unconfirmed contacts are
 *    barred; its honest contacts that honest entries confirmed stay usable (barring them cost lookups that
 *    could no longer reach them: lookup success 0.91 against multi-entry's 0.95 with half-honest liars).
 *
 * Stated limits: existence is not honesty. Colluders that publish bindings in the honest DHT (or serve their own
 * bindings to the newcomer along a path they control) resolve, so their liar is never flawed; then the join is
 * the plain multi-entry join, neither better nor worse.
 */
import type { ConfirmStatus } from '../messages.ts';
import { DISPUTE_SHARE, EVIDENCE_THRESHOLD, MIN_CONFIRMATIONS } from './constants.ts';
import { countConfirmations, type EntryVerdict, type JudgeInit, type JudgeInput, type Judgement } from './judge.ts';

export interface EvidenceInit extends JudgeInit {
  disputeShare?: number;
  evidenceThreshold?: number;
}

export interface EvidenceInput extends JudgeInput {
  /** resolved[i][c]: the newcomer's own check of contact c of lists[i]; undefined = not checked. */
  resolved?: readonly (readonly (boolean | undefined)[] | undefined)[];
}

export interface EvidenceVerdict extends EntryVerdict {
  disputed: boolean;
  contested: boolean;
  /** Resolved share of the checked contacts, null when none was checked. */
  evidence: number | null;
}

export interface EvidenceJudgement extends Judgement {
  verdicts: EvidenceVerdict[];
}

/** Entries whose list some other entry confirmed less than `disputeShare` of. */
export function disputedEntries(input: JudgeInput, init: EvidenceInit = {}): number[] {
  const threshold = init.disputeShare ?? DISPUTE_SHARE;
  const out: number[] = [];
  input.lists.forEach((list, i) => {
    if (list === undefined || list.length === 0) return;
    const denied = (input.votes[i] ?? []).some(
      (vote, j) => j !== i && vote !== undefined && vote.length === list.length && share(vote) < threshold,
    );
    if (denied) out.push(i);
  });
  return out;
}

export function judgeByEvidence(input: EvidenceInput, init: EvidenceInit = {}): EvidenceJudgement {
  const threshold = init.evidenceThreshold ?? EVIDENCE_THRESHOLD;
  const minConfirmations = init.minConfirmations ?? MIN_CONFIRMATIONS;
  const forced = input.forcedFlawed ?? new Set<number>();
  const disputed = new Set(disputedEntries(input, init));
  const evidence = input.lists.map((_, i) => evidenceOf(input.resolved?.[i]));
  const flawed = new Set<number>(forced);
  for (const i of disputed) {
    const e = evidence[i];
    if (e !== null && e < threshold) flawed.add(i);
  }
  const verdicts: EvidenceVerdict[] = [];
  const confirmed: boolean[][] = [];
  input.lists.forEach((list, i) => {
    const contacts = list ?? [];
    const { counts, voters } = countConfirmations(input, i, contacts, flawed);
    const ok = counts.map((x, c) => {
      const own = input.resolved?.[i]?.[c];
      // Own evidence first; on a flawed list a contact the newcomer checked and could not resolve stays
      // unconfirmed whoever vouches for it (an unflagged liar must not rescue a flagged one's colluders).
      if (own !== undefined && (own || flawed.has(i))) return own;
      return voters > 0 && x >= minConfirmations;
    });
    const nConfirmed = ok.filter(Boolean).length;
    verdicts.push({
      index: i,
      answered: list !== undefined,
      listed: contacts.length,
      confirmed: nConfirmed,
      voters,
      score: voters > 0 && contacts.length > 0 ? counts.filter((x) => x >= minConfirmations).length / contacts.length : null,
      flawed: flawed.has(i),
      forced: forced.has(i),
      disputed: disputed.has(i),
      contested: disputed.has(i) && !flawed.has(i),
      evidence: evidence[i],
    });
    confirmed.push(ok);
  });
  return { verdicts, confirmed };
}

function share(vote: readonly ConfirmStatus[]): number {
  return vote.length === 0 ? 1 : vote.filter((s) => s === 'exists').length / vote.length;
}

function evidenceOf(resolved: readonly (boolean | undefined)[] | undefined): number | null {
  const checked = (resolved ?? []).filter((r) => r !== undefined);
  return checked.length === 0 ? null : checked.filter((r) => r === true).length / checked.length;
}
