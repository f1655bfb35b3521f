/**
 * Waiting helpers for tests over real UDP (127.0.0.1, wall clock): a result or a condition within a failure bound.
 * The bound only turns a hang into a failure; it is never a timing assertion. Here, beside the UDP runtime, because
 * it reads wall time and real timers, which the protocol stack itself never does.
 */
export const FAILURE_BOUND_MS = 10_000;

/** `p`, or a rejection after FAILURE_BOUND_MS. */
export function bounded<T>(p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no result within ${FAILURE_BOUND_MS} ms`)), FAILURE_BOUND_MS).unref())]);
}

/** Resolves once `done()` holds (polled every 5 ms), or rejects after FAILURE_BOUND_MS. */
export async function until(done: () => boolean): Promise<void> {
  await bounded(
    new Promise<void>((resolve) => {
      const poll = () => (done() ? resolve() : setTimeout(poll, 5));
      poll();
    }),
  );
}
