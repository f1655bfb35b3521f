/**
 * Honest GET_ONLINE -> ONLINE: a random sample of the contacts this entry believes online, i.e. heard from
 * directly within `onlineWindowMs` (topped up with the most recently seen others when too few are that fresh).
 * Random rather than "closest to the requester" so that two newcomers asking the same entry get independent
 * samples, and rather than "most recent" so an attacker cannot steer the answer by chattering at the entry.
 */
import type { Clock } from '../../runtime/clock.ts';
import type { Rng } from '../../runtime/rng.ts';
import type { HandlerComponents, RequestHandler } from '../handlers/types.ts';
import { keysEqual } from '../keys.ts';
import type { Contact, PeerRef } from '../types.ts';
import { MAX_ONLINE_ANSWER, ONLINE_WINDOW_MS } from './constants.ts';

export interface GetOnlineComponents extends Pick<HandlerComponents, 'table' | 'stats'> {
  clock: Pick<Clock, 'now'>;
  rng: Rng;
}

export interface GetOnlineInit {
  onlineWindowMs?: number;
  maxOnlineAnswer?: number;
}

export function getOnlineHandler(components: GetOnlineComponents, init: GetOnlineInit = {}): RequestHandler<'get-online'> {
  const windowMs = init.onlineWindowMs ?? ONLINE_WINDOW_MS;
  const cap = init.maxOnlineAnswer ?? MAX_ONLINE_ANSWER;
  return (from, msg) => {
    if (msg.max === 0) {
      // Asking for nothing is not a request any honest newcomer sends.
      components.stats.drop('malformed');
      return undefined;
    }
    const n = Math.min(msg.max, cap);
    const now = components.clock.now();
    const others = components.table.contacts().filter((c) => !keysEqual(c.key, from.key));
    const fresh = others.filter((c) => now - c.lastSeenMs <= windowMs);
    const pool =
      fresh.length >= n
        ? fresh
        : fresh.concat(others.filter((c) => now - c.lastSeenMs > windowMs).sort((a, b) => b.lastSeenMs - a.lastSeenMs).slice(0, n - fresh.length));
    return { kind: 'online', contacts: sample(pool, n, components.rng).map(peerOf) };
  };
}

/** `n` distinct elements of `items` in random order (partial Fisher-Yates on a copy). */
export function sample<T>(items: readonly T[], n: number, rng: Rng): T[] {
  const copy = [...items];
  const take = Math.min(n, copy.length);
  for (let i = 0; i < take; i++) {
    const j = i + rng.int(copy.length - i);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, take);
}

function peerOf(c: Contact): PeerRef {
  return { address: c.address, nodePub: c.nodePub };
}
