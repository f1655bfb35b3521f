import { randomBytes, randomFillSync, randomInt } from 'node:crypto';
import { RngBase } from './rng-base.ts';

/** System CSPRNG for real nodes. Forks share the one OS source: there is no seed to keep apart. */
export class CryptoRng extends RngBase {
  bytes(n: number): Uint8Array {
    return new Uint8Array(randomBytes(n));
  }

  override fillBytes(out: Uint8Array): Uint8Array {
    return randomFillSync(out);
  }

  uniform(): number {
    // 53 random bits -> a double in [0, 1).
    const b = randomBytes(7);
    const hi = ((b[0] << 13) | (b[1] << 5) | (b[2] >>> 3)) >>> 0; // 21 bits
    const lo = ((b[3] << 24) | (b[4] << 16) | (b[5] << 8) | b[6]) >>> 0; // 32 bits
    return (hi * 2 ** 32 + lo) / 2 ** 53;
  }

  override int(maxExclusive: number): number {
    if (maxExclusive <= 2 ** 48 - 1 && Number.isSafeInteger(maxExclusive) && maxExclusive > 0) {
      return randomInt(maxExclusive);
    }
    return super.int(maxExclusive);
  }

  fork(_name: string): CryptoRng {
    return this;
  }
}
