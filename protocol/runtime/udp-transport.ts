import dgram from 'node:dgram';
import type { Address, ReceiveHandler, Transport } from './transport.ts';

export interface UdpTransportOptions {
  /** Interface to bind; tests use 127.0.0.1 only. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /**
   * Datagrams longer than this are dropped on arrival and counted as dropped.oversized, never handed to the
   * protocol (a paratox node sends only wire-size datagrams, so a longer one is garbage or an attack). Default:
   * the largest UDP payload, i.e. no limit.
   */
  maxDatagramBytes?: number;
}

/** The largest UDP payload over IPv4 (65,535 - 8 - 20). */
export const MAX_UDP_PAYLOAD = 65_507;

export interface UdpStats {
  sent: number;
  /** Every datagram that arrived, dropped ones included. */
  received: number;
  sendErrors: number;
  badAddress: number;
  handlerErrors: number;
  /** Arrived datagrams dropped before the protocol saw them, by reason. */
  dropped: { oversized: number };
}

/** Splits "host:port" (IPv4 or a bracketed IPv6 "[::1]:port"). Returns null for anything else. */
export function parseUdpAddress(address: Address): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(address);
  if (!m) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1] ?? m[2], port };
}

export function formatUdpAddress(host: string, port: number): Address {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Real datagrams over node:dgram, behind the same Transport interface as the simulator's links. */
export class UdpTransport implements Transport {
  readonly stats: UdpStats = { sent: 0, received: 0, sendErrors: 0, badAddress: 0, handlerErrors: 0, dropped: { oversized: 0 } };
  private handler: ReceiveHandler = () => {};
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly localAddress: Address,
    private readonly maxDatagramBytes: number,
  ) {
    socket.on('message', (msg, rinfo) => {
      this.stats.received++;
      if (msg.length > this.maxDatagramBytes) {
        this.stats.dropped.oversized++;
        return;
      }
      try {
        this.handler(formatUdpAddress(rinfo.address, rinfo.port), new Uint8Array(msg));
      } catch {
        // The protocol must never throw on input; if it does, count it rather than kill the node.
        this.stats.handlerErrors++;
      }
    });
    // A send error (e.g. ICMP unreachable surfaced by the OS) must not crash the node.
    socket.on('error', () => this.stats.sendErrors++);
  }

  static open(opts: UdpTransportOptions = {}): Promise<UdpTransport> {
    const host = opts.host ?? '127.0.0.1';
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(opts.port ?? 0, host, () => {
        socket.off('error', reject);
        const { address, port } = socket.address();
        resolve(new UdpTransport(socket, formatUdpAddress(address, port), opts.maxDatagramBytes ?? MAX_UDP_PAYLOAD));
      });
    });
  }

  send(to: Address, bytes: Uint8Array): void {
    const target = parseUdpAddress(to);
    if (!target) {
      this.stats.badAddress++;
      return;
    }
    // dgram throws synchronously on a closed socket; a protocol timer racing stop() must not crash the node.
    if (this.closing !== undefined) {
      this.stats.sendErrors++;
      return;
    }
    this.stats.sent++;
    this.socket.send(bytes, target.port, target.host, (err) => {
      if (err) this.stats.sendErrors++;
    });
  }

  onReceive(handler: ReceiveHandler): void {
    this.handler = handler;
  }

  /** Closes the socket; idempotent (dgram throws on a second close). Later sends are counted as sendErrors. */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => this.socket.close(() => resolve()));
    return this.closing;
  }
}
