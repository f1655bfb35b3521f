/**
 * traffic.series (issue 13): the run's datagrams on the wire over time, real vs noise, and the workload's
 * messages sent / delivered, in at most MAX_SERIES_BUCKETS buckets of a whole, "nice" number of seconds.
 *
 * Fed by the network's truth tap (the same moment and size the adversary's tap sees, plus whether the datagram
 * is cover traffic: SimNetwork.markNoise, set from the session layer's 'noise-sealed' event, i.e. exactly the
 * datagrams traffic.noisePackets counts), and by the drivers through MessageTimeline. It only counts: no Rng,
 * no events scheduled, so it cannot change a trace. Totals: realPackets + noisePackets = traffic.wirePackets,
 * realBytes + noiseBytes = traffic.wireBytes, noisePackets = traffic.noisePackets less the noise datagrams that
 * never left an uplink (`noiseNotOnWire`), messagesSent / messagesDelivered = the traffic figures of the same name.
 */
import type { SimNetwork } from '../network/sim-network.ts';
import type { TrafficSeriesView } from '../report/report.ts';

export const MAX_SERIES_BUCKETS = 240;

/** Bucket widths in seconds the series may use, so a chart's time axis reads in round numbers. */
const NICE_BUCKET_S = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600];

/** The smallest nice width that covers `durationMs` in at most `maxBuckets` buckets (whole hours beyond an hour). */
export function seriesBucketMs(durationMs: number, maxBuckets = MAX_SERIES_BUCKETS): number {
  const rawMs = Math.ceil(Math.max(durationMs, 1) / maxBuckets);
  const nice = NICE_BUCKET_S.find((s) => s * 1000 >= rawMs);
  return nice !== undefined ? nice * 1000 : Math.ceil(rawMs / 3_600_000) * 3_600_000;
}

/** How a driver tells the series when its messages (traffic.messagesSent / messagesDelivered) happened. */
export interface MessageTimeline {
  /** One message counted in messagesSent, sent at `atMs` (may be told later, e.g. when a DHT lookup turns out measured). */
  sent(atMs: number): void;
  /** One message counted in messagesDelivered, delivered at `atMs`. */
  delivered(atMs: number): void;
}

export class TrafficSeries implements MessageTimeline {
  readonly bucketMs: number;
  private readonly buckets: number;
  private readonly realPackets: Float64Array;
  private readonly noisePackets: Float64Array;
  private readonly realBytes: Float64Array;
  private readonly noiseBytes: Float64Array;
  private readonly messagesSent: Float64Array;
  private readonly messagesDelivered: Float64Array;

  constructor(network: SimNetwork, durationMs: number, maxBuckets = MAX_SERIES_BUCKETS) {
    this.bucketMs = seriesBucketMs(durationMs, maxBuckets);
    this.buckets = Math.max(1, Math.ceil(durationMs / this.bucketMs));
    const column = () => new Float64Array(this.buckets);
    this.realPackets = column();
    this.noisePackets = column();
    this.realBytes = column();
    this.noiseBytes = column();
    this.messagesSent = column();
    this.messagesDelivered = column();
    network.onTruthTap((timeMs, _source, _target, bytes, noise) => {
      const b = this.bucketOf(timeMs);
      if (noise) {
        this.noisePackets[b]++;
        this.noiseBytes[b] += bytes;
      } else {
        this.realPackets[b]++;
        this.realBytes[b] += bytes;
      }
    });
  }

  sent(atMs: number): void {
    this.messagesSent[this.bucketOf(atMs)]++;
  }

  delivered(atMs: number): void {
    this.messagesDelivered[this.bucketOf(atMs)]++;
  }

  /** The report view; `noisePacketsCounted` is traffic.noisePackets (noise sealed), for noiseNotOnWire. */
  view(noisePacketsCounted: number): TrafficSeriesView {
    const list = (a: Float64Array) => Array.from(a);
    const noiseOnWire = this.noisePackets.reduce((x, y) => x + y, 0);
    return {
      bucketMs: this.bucketMs,
      t: Array.from({ length: this.buckets }, (_, i) => i * this.bucketMs),
      realPackets: list(this.realPackets),
      noisePackets: list(this.noisePackets),
      realBytes: list(this.realBytes),
      noiseBytes: list(this.noiseBytes),
      messagesSent: list(this.messagesSent),
      messagesDelivered: list(this.messagesDelivered),
      noiseNotOnWire: noisePacketsCounted - noiseOnWire,
    };
  }

  /** Events at or after the end (the run stops exactly at durationMs) fall into the last bucket. */
  private bucketOf(timeMs: number): number {
    const b = Math.floor(timeMs / this.bucketMs);
    return b < 0 ? 0 : b >= this.buckets ? this.buckets - 1 : b;
  }
}
