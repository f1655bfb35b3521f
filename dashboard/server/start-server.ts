/** Starts the dashboard on host:port (127.0.0.1 by default: the API can start runs, so it is not for the LAN). */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type AppOptions, type Dashboard } from './app.ts';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

export interface ServerOptions extends AppOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface RunningServer extends Dashboard {
  server: Server;
  url: string;
  close(): Promise<void>;
}

const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

export function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? DEFAULT_HOST;
  const loopback = LOOPBACK.includes(host) || host.startsWith('127.');
  const dashboard = createApp({ allowedHosts: loopback ? [...LOOPBACK, host] : undefined, ...opts });
  return new Promise((resolve, reject) => {
    const server = dashboard.app.listen(opts.port ?? DEFAULT_PORT, host);
    server.once('error', reject);
    server.once('listening', () => {
      const { port } = server.address() as AddressInfo;
      const shown = host.includes(':') ? `[${host}]` : host;
      resolve({
        ...dashboard,
        server,
        url: `http://${shown}:${port}/`,
        close: () =>
          new Promise<void>((done) => {
            dashboard.queue.close();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
