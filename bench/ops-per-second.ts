/** Calls fn repeatedly for about `targetMs` (after a 3-call warm-up) and returns calls per second. */
export function opsPerSecond(fn: (i: number) => void, targetMs: number): number {
  for (let i = 0; i < 3; i++) fn(i);
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < targetMs) {
    fn(n++);
    elapsed = performance.now() - start;
  }
  return Math.round((n / elapsed) * 1000);
}
