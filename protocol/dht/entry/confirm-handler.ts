/**
 * Honest CONFIRM -> CONFIRMED: for each listed contact, 'exists' or 'unknown' by the entry's existence oracle
 * (existence-oracle.ts). The 'resolve' oracle needs DHT lookups, so the handler answers later through
 * `respond` (DhtNode.respond) instead of returning the reply, and at the latest `confirmDeadlineMs` after the
 * request: contacts still being resolved then are 'unknown' (a lookup that strays into a silent colluder waits
 * out RPC timeouts, and a late answer is worth nothing to a newcomer whose own request has timed out). A
 * retransmitted CONFIRM (same request id, the RPC layer's retry) does not start the work again: while pending it
 * is ignored, once answered it gets the same answer.
 *
 * Attacker's view: any node with a session can send CONFIRM; ~40 bytes per listed contact buy a DHT lookup each
 * (up to maxLookupQueries queries) with the resolve oracle. Bounded three ways: at most `maxResolvesPerConfirm`
 * contacts of one CONFIRM are resolved (the rest answered from the routing table), new CONFIRMs per requester
 * NodeID and per requester host are rate-limited (token buckets; over the limit a counted 'confirm-rate' drop,
 * no answer), and MAX_PENDING_CONFIRMS / MAX_PENDING_RESOLVES bound the work in flight across all requesters.
 * So one requester causes at most (burst + elapsed / refill) * maxResolvesPerConfirm lookups.
 */
import { hexKey } from '../../runtime/hex-key.ts';
import type { Clock } from '../../runtime/clock.ts';
import { hostOf } from '../address-host.ts';
import type { HandlerComponents, RequestHandler } from '../handlers/types.ts';
import { KeyedTokenBuckets } from '../../runtime/keyed-token-buckets.ts';
import { keyToHex } from '../keys.ts';
import type { ConfirmStatus, RequestId } from '../messages.ts';
import type { OutgoingReply } from '../rpc.ts';
import type { PeerRef } from '../types.ts';
import {
  CONFIRM_BURST,
  CONFIRM_DEADLINE_MS,
  CONFIRM_RATE_KEYS,
  CONFIRM_REFILL_MS,
  CONFIRM_REPLY_MEMORY,
  MAX_CONFIRM_CONTACTS,
  MAX_PENDING_CONFIRMS,
  MAX_RESOLVES_PER_CONFIRM,
} from './constants.ts';
import type { ExistenceOracle } from './existence-oracle.ts';

export interface ConfirmComponents extends Pick<HandlerComponents, 'stats'> {
  oracle: ExistenceOracle;
  clock: Pick<Clock, 'now' | 'setTimer' | 'cancelTimer'>;
  /** Cheap synchronous oracle used when too many CONFIRMs are pending, and for contacts past
   * maxResolvesPerConfirm (default: `oracle`). */
  fallback?: ExistenceOracle;
  respond: (peer: PeerRef, requestId: RequestId, reply: OutgoingReply) => void;
}

export interface ConfirmInit {
  maxConfirmContacts?: number;
  maxPendingConfirms?: number;
  confirmDeadlineMs?: number;
  maxResolvesPerConfirm?: number;
  confirmBurst?: number;
  confirmRefillMs?: number;
  confirmRateKeys?: number;
}

export function confirmHandler(components: ConfirmComponents, init: ConfirmInit = {}): RequestHandler<'confirm'> {
  const maxContacts = init.maxConfirmContacts ?? MAX_CONFIRM_CONTACTS;
  const maxPending = init.maxPendingConfirms ?? MAX_PENDING_CONFIRMS;
  const deadlineMs = init.confirmDeadlineMs ?? CONFIRM_DEADLINE_MS;
  const maxResolves = init.maxResolvesPerConfirm ?? MAX_RESOLVES_PER_CONFIRM;
  const rate = {
    burst: init.confirmBurst ?? CONFIRM_BURST,
    refillMs: init.confirmRefillMs ?? CONFIRM_REFILL_MS,
    maxKeys: init.confirmRateKeys ?? CONFIRM_RATE_KEYS,
  };
  const byPeer = new KeyedTokenBuckets(rate);
  const byHost = new KeyedTokenBuckets(rate);
  const cheap = components.fallback ?? components.oracle;
  const answers = new Map<string, ConfirmStatus[] | 'pending'>();
  let pending = 0;
  return (from, msg) => {
    if (msg.contacts.length === 0 || msg.contacts.length > maxContacts) {
      components.stats.drop('malformed');
      return undefined;
    }
    const requester = keyToHex(from.key);
    const id = `${requester}/${hexKey(msg.requestId)}`;
    const known = answers.get(id);
    if (known === 'pending') return undefined;
    if (known !== undefined) return { kind: 'confirmed', statuses: known };
    // Both buckets must have a token; peek first so a refusal by one does not spend the other's.
    const host = hostOf(from.address);
    const now = components.clock.now();
    if (!byPeer.peek(requester, now) || !byHost.peek(host, now)) {
      components.stats.drop('confirm-rate');
      return undefined;
    }
    byPeer.take(requester, now);
    byHost.take(host, now);
    const oracle = pending >= maxPending ? cheap : components.oracle;
    answers.set(id, 'pending');
    pending++;
    const statuses: ConfirmStatus[] = msg.contacts.map(() => 'unknown');
    let waiting = msg.contacts.length;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      components.clock.cancelTimer(timer);
      pending--;
      answers.set(id, statuses);
      if (answers.size > CONFIRM_REPLY_MEMORY) forgetOldestAnswered(answers);
      components.respond({ address: from.address, nodePub: from.nodePub }, msg.requestId, { kind: 'confirmed', statuses: [...statuses] });
    };
    const timer = components.clock.setTimer(deadlineMs, finish);
    msg.contacts.forEach((peer, i) =>
      (i < maxResolves ? oracle : cheap).exists(peer, (yes) => {
        if (done) return;
        statuses[i] = yes ? 'exists' : 'unknown';
        if (--waiting === 0) finish();
      }),
    );
    return undefined;
  };
}

/** Drops the oldest finished answer (pending ones stay: their reply is still to come). */
function forgetOldestAnswered(answers: Map<string, ConfirmStatus[] | 'pending'>): void {
  for (const [id, v] of answers) {
    if (v !== 'pending') {
      answers.delete(id);
      return;
    }
  }
}
