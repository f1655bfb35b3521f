/**
 * Honest CONFIRM -> CONFIRMED: for each listed contact, 'exists' or 'unknown' by the entry's existence oracle
 * (existence-oracle.ts). The 'resolve' oracle needs DHT lookups, so the handler answers later through
 * `respond` (DhtNode.respond) instead of returning the reply, and at the latest `confirmDeadlineMs` after the
 * request: contacts still being resolved then are 'unknown' (a lookup that strays into a silent colluder waits
 * out RPC timeouts, and a late answer is worth nothing to a newcomer whose own request has timed out). A
 * retransmitted CONFIRM (same request id, the RPC layer's retry) does not start the work again: while pending it
 * is ignored, once answered it gets the same answer.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Clock } from '../../runtime/clock.ts';
import type { HandlerComponents, RequestHandler } from '../handlers/types.ts';
import { keyToHex } from '../keys.ts';
import type { ConfirmStatus, RequestId } from '../messages.ts';
import type { OutgoingReply } from '../rpc.ts';
import type { PeerRef } from '../types.ts';
import { CONFIRM_DEADLINE_MS, CONFIRM_REPLY_MEMORY, MAX_CONFIRM_CONTACTS, MAX_PENDING_CONFIRMS } from './constants.ts';
import type { ExistenceOracle } from './existence-oracle.ts';

export interface ConfirmComponents extends Pick<HandlerComponents, 'stats'> {
  oracle: ExistenceOracle;
  clock: Pick<Clock, 'setTimer' | 'cancelTimer'>;
  /** Cheap synchronous oracle used when too many CONFIRMs are pending (default: `oracle`). */
  fallback?: ExistenceOracle;
  respond: (peer: PeerRef, requestId: RequestId, reply: OutgoingReply) => void;
}

export interface ConfirmInit {
  maxConfirmContacts?: number;
  maxPendingConfirms?: number;
  confirmDeadlineMs?: number;
}

export function confirmHandler(components: ConfirmComponents, init: ConfirmInit = {}): RequestHandler<'confirm'> {
  const maxContacts = init.maxConfirmContacts ?? MAX_CONFIRM_CONTACTS;
  const maxPending = init.maxPendingConfirms ?? MAX_PENDING_CONFIRMS;
  const deadlineMs = init.confirmDeadlineMs ?? CONFIRM_DEADLINE_MS;
  const answers = new Map<string, ConfirmStatus[] | 'pending'>();
  let pending = 0;
  return (from, msg) => {
    if (msg.contacts.length === 0 || msg.contacts.length > maxContacts) {
      components.stats.drop('malformed');
      return undefined;
    }
    const id = `${keyToHex(from.key)}/${bytesToHex(msg.requestId)}`;
    const known = answers.get(id);
    if (known === 'pending') return undefined;
    if (known !== undefined) return { kind: 'confirmed', statuses: known };
    const oracle = pending >= maxPending ? (components.fallback ?? components.oracle) : components.oracle;
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
      oracle.exists(peer, (yes) => {
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
