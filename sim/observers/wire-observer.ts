/**
 * The link tap as the runner uses it: counts every datagram on a link (packets, bytes, distinct sizes) and,
 * with `--tap`, streams the global observer's view to CSV. Sees only (time, source, target, size).
 */
import type { SimNetwork } from '../network/sim-network.ts';
import { TapWriter, type GroundTruth } from '../tap/tap-writer.ts';
import { TapBuilder, type TapColumns } from '../eve/tap-reader.ts';

export class WireObserver {
  packets = 0;
  bytes = 0;
  private readonly sizes = new Set<number>();
  private readonly tap: TapWriter | null;
  /** The same view in memory, for Eve at the end of the run (only when asked: 16 bytes per datagram). */
  private readonly columns: TapBuilder | null;

  constructor(network: SimNetwork, tapFile?: string, keepColumns = false) {
    this.tap = tapFile ? new TapWriter(tapFile) : null;
    this.columns = keepColumns ? new TapBuilder() : null;
    network.onTap((timeMs, source, target, bytes) => {
      this.packets++;
      this.bytes += bytes;
      this.sizes.add(bytes);
      this.tap?.row(timeMs, source, target, bytes);
      // Rounded like the CSV (TapWriter), so `paratox eve` on the export reproduces the run's own figures.
      this.columns?.add(Math.round(timeMs * 1000) / 1000, source, target, bytes);
    });
  }

  /** The in-memory tap (null unless built with keepColumns). */
  tapColumns(): TapColumns | null {
    return this.columns ? this.columns.build() : null;
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
