/**
 * `paratox serve [--port P] [--host H] [--reports DIR]`: the web dashboard (dashboard/README.md) over a reports
 * directory, on 127.0.0.1 by default (the API starts runs: exposing it on a network is an explicit --host).
 */
import { existsSync, statSync } from 'node:fs';
import { echo } from '../sim/scenario/echo.ts';
import { startServer, DEFAULT_HOST, DEFAULT_PORT } from '../dashboard/server/start-server.ts';
import { UsageError } from './errors.ts';

export interface ServeCommandOptions {
  port?: number;
  host?: string;
  reports?: string;
}

export async function serveCommand(opts: ServeCommandOptions): Promise<void> {
  const reportsDir = opts.reports ?? 'reports';
  if (!existsSync(reportsDir) || !statSync(reportsDir).isDirectory()) throw new UsageError(`--reports ${echo(reportsDir)}: no such directory`);
  let running;
  try {
    running = await startServer({ reportsDir, host: opts.host ?? DEFAULT_HOST, port: opts.port ?? DEFAULT_PORT });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the port is in use (try --port)' : code === 'EADDRNOTAVAIL' ? 'no such local address' : code === 'EACCES' ? 'permission denied' : String(code ?? err);
    throw new UsageError(`cannot listen on ${opts.host ?? DEFAULT_HOST}:${opts.port ?? DEFAULT_PORT}: ${why}`);
  }
  process.stdout.write(`paratox dashboard at ${running.url} (reports: ${reportsDir}; Ctrl-C stops)\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      void running.close().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
