/**
 * Entry nodes with a cross-check (the seed design's eclipse defence). Honest entries serve GET_ONLINE / CONFIRM
 * (entryHandlers); newcomers join with createEntryJoin('cross-check' | 'none') and an EntryGuard as their
 * DhtPolicy; flawed entries may be reported in the DHT (flawed-record.ts). Design and threat model:
 * cross-checked-join.ts; how an entry decides existence: existence-oracle.ts; the verdict: judge.ts.
 */
export * from './constants.ts';
export { confirmHandler, type ConfirmComponents, type ConfirmInit } from './confirm-handler.ts';
export {
  createEntryJoin,
  crossCheckedJoin,
  multiEntryJoin,
  singleEntryJoin,
  type CrossCheckOptions,
  type EntryDefence,
  type EntryJoin,
  type EntryJoinResult,
  type JoiningNode,
} from './cross-checked-join.ts';
export { EntryGuard } from './entry-guard.ts';
export { entryHandlers, type EntryHandlerComponents, type EntryHandlerInit } from './entry-handlers.ts';
export { checkAll, createOracle, resolveOracle, tableOracle, type ConfirmBy, type ExistenceOracle } from './existence-oracle.ts';
export * from './flawed-record.ts';
export { getOnlineHandler, sample } from './get-online-handler.ts';
export { judgeEntries, type EntryVerdict, type JudgeInput, type Judgement } from './judge.ts';
export { disjointResolve, seedPaths, type DisjointResolveResult } from './disjoint-resolve.ts';
export { disputedEntries, judgeByEvidence, type EvidenceInput, type EvidenceJudgement, type EvidenceVerdict } from './evidence-judge.ts';
