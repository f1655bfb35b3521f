import type { NatType } from './types.ts';

/**
 * The NAT in front of one simulated node: which external address an outbound datagram gets, and which
 * inbound datagrams are let through (RFC 4787 mapping and filtering behaviour). Mappings never expire.
 *
 * External addresses: the node's name for none / fullCone / restricted; for symmetric, one address per
 * destination, `name:1`, `name:2`, ... The bare name of a symmetric node admits nothing.
 */
export class NatBox {
  private hasSent = false;
  /** restricted: destinations the node has sent to (address as the node addressed them). */
  private readonly sentTo = new Set<string>();
  /** symmetric: destination -> mapping address, and mapping address -> the one source it admits. */
  private readonly mappingFor = new Map<string, string>();
  private readonly admitsOnly = new Map<string, string>();

  /** `onNewMapping` is told each new symmetric mapping address, so the network can route replies to it. */
  constructor(
    readonly name: string,
    readonly type: NatType,
    private readonly onNewMapping: (address: string) => void = () => {},
  ) {}

  /** Notes an outbound datagram to `to` and returns its external source address. */
  outbound(to: string): string {
    switch (this.type) {
      case 'none':
        return this.name;
      case 'fullCone':
        this.hasSent = true;
        return this.name;
      case 'restricted':
        this.sentTo.add(to);
        return this.name;
      case 'symmetric': {
        let mapping = this.mappingFor.get(to);
        if (mapping === undefined) {
          mapping = `${this.name}:${this.mappingFor.size + 1}`;
          this.mappingFor.set(to, mapping);
          this.admitsOnly.set(mapping, to);
          this.onNewMapping(mapping);
        }
        return mapping;
      }
    }
  }

  /** Whether a datagram from external address `from`, sent to this node's address `at`, gets through. */
  admits(at: string, from: string): boolean {
    switch (this.type) {
      case 'none':
        return true;
      case 'fullCone':
        return this.hasSent;
      case 'restricted':
        return this.sentTo.has(from);
      case 'symmetric':
        return this.admitsOnly.get(at) === from;
    }
  }

  /** Number of external mappings (symmetric) or 1 if the node is reachable at its name. For tests and stats. */
  get mappings(): number {
    return this.type === 'symmetric' ? this.mappingFor.size : 1;
  }
}
