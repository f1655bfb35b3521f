/**
 * Accounting invariants checked at the end of every run (ping, dht and messenger alike):
 * - every message a workload sent ends delivered, failed with a reason, or pending (checkOutcomes);
 * - every datagram sent is delivered, dropped with a reason, or still queued / on a link (checkDatagrams);
 * - a node that churn took down holds no timers, and no receive path threw (strict drivers only).
 * A violation stops the run with a message that names the numbers, never a silently wrong report.
 */
import type { DatagramAccount } from '../network/types.ts';
import type { MessageOutcomes } from '../report/report.ts';

export class InvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantError';
  }
}

/** Throws InvariantError unless delivered + deliveredOffline + failed + pending === sent. */
export function checkOutcomes(sent: number, outcomes: MessageOutcomes): void {
  const failed = Object.values(outcomes.failed).reduce((a, b) => a + b, 0);
  const sum = outcomes.delivered + outcomes.deliveredOffline + failed + outcomes.pending;
  if (sum !== sent) {
    throw new InvariantError(
      `accounting: ${sent} messages sent but outcomes sum to ${sum} (delivered ${outcomes.delivered}, offline ${outcomes.deliveredOffline}, failed ${failed}, pending ${outcomes.pending})`,
    );
  }
  for (const [reason, n] of Object.entries(outcomes.failed)) {
    if (!(n >= 0)) throw new InvariantError(`accounting: failed[${reason}] = ${n}`);
  }
}

/** Throws InvariantError unless sent = delivered + every drop + queued + on a link. */
export function checkDatagrams(a: DatagramAccount): void {
  const dropped = Object.values(a.dropped).reduce((x, y) => x + y, 0);
  const sum = a.delivered + dropped + a.queuedAtEnd + a.inFlightAtEnd;
  if (sum !== a.sent || a.queuedAtEnd < 0 || a.inFlightAtEnd < 0) {
    throw new InvariantError(
      `accounting: ${a.sent} datagrams sent but ${sum} accounted for (delivered ${a.delivered}, dropped ${dropped}, queued at end ${a.queuedAtEnd}, in flight at end ${a.inFlightAtEnd}): ${a.sent - sum} unaccounted`,
    );
  }
}

/** Throws InvariantError unless the parts add up to the total (e.g. a meter's lookups issued and how each ended). */
export function checkParts(what: string, total: number, parts: Record<string, number>): void {
  const sum = Object.values(parts).reduce((x, y) => x + y, 0);
  if (sum !== total) {
    const list = Object.entries(parts).map(([k, v]) => `${k} ${v}`).join(', ');
    throw new InvariantError(`accounting: ${total} ${what} but their ends sum to ${sum} (${list})`);
  }
}

/** Counts timers a node still held after its protocol objects were stopped (they are cancelled by the runner). */
export class StopCheck {
  leakedTimers = 0;
  nodesWithLeaks = 0;
  private firstLeak?: string;

  note(name: string, timers: number, atMs: number): void {
    if (timers === 0) return;
    this.leakedTimers += timers;
    this.nodesWithLeaks++;
    this.firstLeak ??= `${name} held ${timers} timer(s) after stop at ${atMs} ms`;
  }

  /** Throws when strict (drivers whose nodes close everything on stop) and any node leaked. */
  enforce(strict: boolean): void {
    if (strict && this.firstLeak) throw new InvariantError(`stop: ${this.firstLeak} (${this.nodesWithLeaks} node(s), ${this.leakedTimers} timer(s) in all)`);
  }
}

/**
 * Exceptions thrown by a node's receive path. The network survives them (and counts them), but in the full
 * stack one is a bug: a strict run fails with the first one's message and stack.
 */
export class HandlerErrorCheck {
  count = 0;
  private first?: { node: string; atMs: number; error: unknown };

  note(node: string, atMs: number, error: unknown): void {
    this.count++;
    this.first ??= { node, atMs, error };
  }

  enforce(strict: boolean): void {
    if (!strict || !this.first) return;
    const { node, atMs, error } = this.first;
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    throw new InvariantError(`receive path: ${this.count} handler exception(s); first at ${node}, ${atMs} ms: ${detail}`);
  }
}

export interface RunAccounting {
  /** The driver's strictStop: stop leaks and handler exceptions fail the run only then. */
  strict: boolean;
  stopCheck: StopCheck;
  handlerErrors: HandlerErrorCheck;
  messagesSent: number;
  outcomes: MessageOutcomes;
  datagrams: DatagramAccount;
}

/** Every end-of-run check, in one place for the runner: throws the first violation as an InvariantError. */
export function enforceRunAccounting(a: RunAccounting): void {
  a.stopCheck.enforce(a.strict);
  a.handlerErrors.enforce(a.strict);
  checkOutcomes(a.messagesSent, a.outcomes);
  checkDatagrams(a.datagrams);
}
