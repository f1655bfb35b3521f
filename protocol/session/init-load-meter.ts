/**
 * Whether a responder is "under load" (WireGuard §5.3: only then does it demand cookies). A leaky bucket
 * over init arrivals: each adds 1, the level drains at `initsPerS` per second, so the level exceeds
 * `initsPerS` only when more than about that many inits arrived within a second. The level is capped at
 * twice that, so load ends about a second after a flood stops.
 */
export class InitLoadMeter {
  private level = 0;
  private atMs = 0;

  constructor(private readonly initsPerS: number) {}

  /** Counts one init arrival; true when the recent arrival rate is above the threshold. */
  arrive(nowMs: number): boolean {
    this.drain(nowMs);
    this.level = Math.min(2 * this.initsPerS, this.level + 1);
    return this.level > this.initsPerS;
  }

  private drain(nowMs: number): void {
    this.level = Math.max(0, this.level - (Math.max(0, nowMs - this.atMs) * this.initsPerS) / 1_000);
    this.atMs = nowMs;
  }
}
