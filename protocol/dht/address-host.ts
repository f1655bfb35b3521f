/**
 * The host part of an address, the unit the DHT's per-source limits count by: one machine (or one NAT) can run
 * any number of NodeIDs and ports, so quotas keyed by NodeID or full address alone cost an attacker nothing.
 *
 *   "1.2.3.4:5000" -> "1.2.3.4"    "[2001:db8::1]:5000" -> "2001:db8::1"    "2001:db8::1" -> "2001:db8::1"
 *   "n42" -> "n42"                 "n42:3" -> "n42"   (the simulator: node names, symmetric-NAT mappings name:i)
 *
 * Loopback is the exception: "127.0.0.1:7000" -> "127.0.0.1:7000", each port its own host. Only this machine
 * answers there, so there is no third party for the limits to protect, and development and test networks run
 * all their nodes on one loopback address (per-host limits would cap them at two per NODES reply).
 */
import type { Address } from '../runtime/transport.ts';

export function hostOf(address: Address): string {
  const host = stripPort(address);
  return isLoopback(host) ? address : host;
}

function stripPort(address: Address): string {
  if (address.startsWith('[')) {
    const end = address.indexOf(']');
    return end < 0 ? address : address.slice(1, end);
  }
  const colon = address.indexOf(':');
  // Several colons without brackets: a bare IPv6 literal, no port to strip.
  if (colon < 0 || address.indexOf(':', colon + 1) >= 0) return address;
  return address.slice(0, colon);
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped ::ffff:127.x), localhost. */
function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
