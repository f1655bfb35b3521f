/**
 * Checks of `paratox node --host` before and while binding (issue 11 item 13): an unparsable host or one that
 * is not this machine's (bind fails with EADDRNOTAVAIL) is a one-line UsageError, and seeded randomness is
 * refused off loopback unless --insecure-seed says the user means it.
 */
import { isIP } from 'node:net';
import { UdpTransport, type UdpTransportOptions } from '../protocol/runtime/udp-transport.ts';
import { echo } from '../sim/scenario/echo.ts';
import { UsageError } from './errors.ts';

/** Throws a one-line UsageError unless `host` is an IPv4 or IPv6 address (no names: bind would resolve them). */
export function checkHost(host: string): void {
  if (isIP(host) === 0) throw new UsageError(`--host must be an IP address of this machine (e.g. 127.0.0.1, 0.0.0.0 or ::1), got ${echo(host)}`);
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback: only this machine can reach a node bound there. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::1' || /^::ffff:127\.\d+\.\d+\.\d+$/.test(h);
}

export interface SeedFlags {
  seed?: number;
  identitySeed?: number;
  accountSeed?: number;
  insecureSeed?: boolean;
}

/**
 * Seeded randomness gives every key a 32-bit seed anyone can search: fine on loopback (tests, demos), refused
 * on a reachable address unless --insecure-seed; then it returns a warning for stderr.
 */
export function checkSeedExposure(host: string, flags: SeedFlags): string | undefined {
  const used = (
    [
      ['--seed', flags.seed],
      ['--identity-seed', flags.identitySeed],
      ['--account-seed', flags.accountSeed],
    ] as const
  )
    .filter(([, v]) => v !== undefined)
    .map(([f]) => f);
  if (used.length === 0 || isLoopback(host)) return undefined;
  const what = `${used.join(', ')} on ${host}, which is not a loopback address`;
  if (!flags.insecureSeed) {
    throw new UsageError(`${what}: every key would come from a 32-bit seed anyone can search; use 127.0.0.1, or add --insecure-seed if you mean it`);
  }
  return `WARNING: ${what} (--insecure-seed): this node's keys come from a 32-bit seed; anyone can derive them. Tests and demos only.`;
}

const BIND_ERRORS: Record<string, string> = {
  EADDRNOTAVAIL: 'not an address of this machine',
  EADDRINUSE: 'port already in use',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EINVAL: 'invalid address for binding',
  EAFNOSUPPORT: 'address family not supported here',
};

/** Opens the UDP transport, turning a bind failure into a one-line UsageError naming --host/--port. */
export async function openUdp(opts: UdpTransportOptions & { host: string; port: number }): Promise<UdpTransport> {
  try {
    return await UdpTransport.open(opts);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`--host ${opts.host} --port ${opts.port}: cannot bind a UDP socket: ${BIND_ERRORS[code] ?? (err as Error).message} (${code})`);
  }
}
