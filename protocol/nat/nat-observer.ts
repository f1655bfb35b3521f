/**
 * Learns this node's external address and NAT mapping behaviour from what peers report seeing (the DHT's PONG
 * observedAddress, REGISTERED, PUNCH_READY): the STUN idea (RFC 8489) without a STUN server. RFC 4787 §4.1:
 * if two peers see the same external address, mapping is endpoint-independent (a cone NAT or none); if
 * they see different ones, it is address-dependent (symmetric), and hole punching with another
 * address-dependent or port-restricted NAT cannot work without port prediction. Filtering behaviour is not
 * observable this way; the punch itself finds out.
 */
import { hexKey } from '../runtime/hex-key.ts';
import type { Address } from '../runtime/transport.ts';
import { BoundedMap } from './bounded-map.ts';
import type { MappingBehaviour } from './messages.ts';

export class NatObserver {
  private readonly reports: BoundedMap<string, Address>;
  private latest: Address | null = null;

  constructor(
    capacity: number,
    private readonly ttlMs: number,
  ) {
    this.reports = new BoundedMap(capacity);
  }

  /** Records that `reporterPub` saw us at `observed` (empty reports are ignored). Returns the new behaviour. */
  report(reporterPub: Uint8Array, observed: Address, nowMs: number): MappingBehaviour {
    if (observed.length > 0) {
      this.reports.set(hexKey(reporterPub), observed, nowMs + this.ttlMs);
      this.latest = observed;
    }
    return this.mapping(nowMs);
  }

  /** The most recently reported external address. */
  get observedAddress(): Address | null {
    return this.latest;
  }

  mapping(nowMs: number): MappingBehaviour {
    const seen = new Set(this.reports.values(nowMs));
    const reporters = this.reports.size;
    if (reporters < 2) return 'unknown';
    return seen.size === 1 ? 'endpoint-independent' : 'address-dependent';
  }
}
