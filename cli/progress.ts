import cliProgress from 'cli-progress';
import type { Progress } from '../sim/scenario/run-scenario.ts';

/**
 * Progress for long runs on stderr: a live bar on a terminal, a plain line every 10 % otherwise (CI logs),
 * nothing with --quiet.
 */
export function progressReporter(label: string, quiet: boolean): { update: (p: Progress) => void; done: () => void } {
  if (quiet) return { update: () => {}, done: () => {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: `${label} [{bar}] {percentage}% | sim {sim}s | {events} events`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(100, 0, { sim: 0, events: 0 });
    return {
      update: (p) => bar.update(Math.round((100 * p.simulatedMs) / p.durationMs), { sim: (p.simulatedMs / 1000).toFixed(1), events: p.events }),
      done: () => bar.stop(),
    };
  }
  let lastDecile = 0;
  return {
    update: (p) => {
      const decile = Math.floor((10 * p.simulatedMs) / p.durationMs);
      if (decile > lastDecile) {
        lastDecile = decile;
        process.stderr.write(`${label}: ${decile * 10}% (sim ${(p.simulatedMs / 1000).toFixed(1)} s, ${p.events} events)\n`);
      }
    },
    done: () => {},
  };
}
