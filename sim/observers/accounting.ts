/**
 * Accounting invariants checked at the end of a run: every message a workload sent ends delivered, failed with
 * a reason, or pending; a node that churn took down holds no timers. A violation stops the run with a message
 * that names the numbers, never a silently wrong report.
 */
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
