/**
 * The link tap as the runner uses it: counts every datagram on a link (packets, bytes, distinct sizes) and,
 * with `--tap`, streams the global observer's view to CSV. Sees only (time, source, target, size).
 */
import type { SimNetwork } from '../network/sim-network.ts';
import { TapWriter, type GroundTruth } from '../tap/tap-writer.ts';

export class WireObserver {
  packets = 0;
  bytes = 0;
  private readonly sizes = new Set<number>();
  private readonly tap: TapWriter | null;

  constructor(network: SimNetwork, tapFile?: string) {
    this.tap = tapFile ? new TapWriter(tapFile) : null;
    network.onTap((timeMs, source, target, bytes) => {
      this.packets++;
      this.bytes += bytes;
      this.sizes.add(bytes);
      this.tap?.row(timeMs, source, target, bytes);
    });
  }

  /** Distinct datagram sizes seen, ascending (one value when every packet has the wire size). */
  packetSizes(): number[] {
    return [...this.sizes].sort((a, b) => a - b);
  }

  /** Finishes the tap file (if any) with the run's ground truth. */
  close(truth: GroundTruth): void {
    this.tap?.close(truth);
  }
}
