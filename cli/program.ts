/**
 * The `paratox` command. Errors in user input print one line and exit 2 (issue 11: a CLI that never shows a
 * stack trace); anything else is a bug: one line naming it, exit 1, and the stack only with PARATOX_DEBUG=1.
 */
import { Command, CommanderError, Option } from 'commander';
import { ScenarioError } from '../sim/scenario/load-scenario.ts';
import { oneLine } from '../sim/scenario/echo.ts';
import { EXIT_INTERNAL, EXIT_USAGE, parseIntArg, UsageError } from './errors.ts';
import { collectList, compareCommand } from './compare-command.ts';
import { nodeCommand } from './node-command.ts';
import { runCommand } from './run-command.ts';
import { schemaCommand } from './schema-command.ts';
import { seedsCommand } from './seeds-command.ts';

/** Exit code an action asks for without an error (compare: 1 on a regression); main returns it. */
let requestedExit = 0;

export function buildProgram(): Command {
  const program = new Command('paratox')
    .description('paratox: anonymous messenger protocol and deterministic network simulator / adversary testbed')
    // Commander's own errors (unknown option, missing argument) as one line too, hint included.
    .configureOutput({ outputError: (text, write) => write(`paratox: ${oneLine(text.trim(), 300)} (run with --help for usage)\n`) })
    .exitOverride();

  program
    .command('run')
    .description('run one scenario in the simulator, print a summary and write the report JSON')
    .argument('<scenario.json>', 'scenario file (see scenarios/README.md)')
    .option('--seed <n>', 'override the scenario seed', parseIntArg('--seed', 0, 2 ** 32 - 1))
    .option('--out <file>', 'report path (default reports/runs/<scenario>-seed<n>.json)')
    .option('--tap <file>', 'also write what a global observer sees (CSV time_ms,source,target,bytes) and FILE.truth.json')
    .option('--quiet', 'no progress output')
    .action((file: string, opts) => runCommand(file, opts));

  program
    .command('seeds')
    .description('run one scenario over N seeds (sequentially) and print mean and 95 % confidence interval per metric')
    .argument('<scenario.json>', 'scenario file (see scenarios/README.md)')
    .requiredOption('--seeds <n>', 'number of seeds', parseIntArg('--seeds', 1, 10_000))
    .option('--first <n>', 'first seed (default: the scenario seed)', parseIntArg('--first', 0, 2 ** 32 - 1))
    .option('--out <file>', 'write the per-seed values and statistics as JSON')
    .addOption(new Option('--set <path=json...>', 'override a scenario field, e.g. eclipse.defence=multi-entry (repeatable)').default([]))
    .addOption(new Option('--show <prefix...>', 'print only metrics whose path starts with one of these').default([]))
    .action((file: string, opts) => seedsCommand(file, opts));

  program
    .command('sweep')
    .description('run a parameter grid (seeds x parameters) on worker threads with progress display; resumable (see sim/sweep/README.md)')
    .argument('<sweep.json>', 'sweep file, JSON or YAML (see scenarios/sweeps/)')
    .option('--workers <n>', 'parallel worker threads (default: the number of CPUs)', parseIntArg('--workers', 1, 256))
    .option('--shard <i/n>', 'run only the cells whose index mod n is i (for batch systems; join with paratox merge)')
    .option('--out-dir <dir>', 'results directory (default reports/sweeps/<sweep name>); a rerun resumes there')
    .option('--max-cells <k>', 'run at most k new cells, then stop (the rest on a later run)', parseIntArg('--max-cells', 1))
    .option('--quiet', 'no progress output')
    .action(async (file: string, opts) => (await import('./sweep-command.ts')).sweepCommand(file, opts));

  program
    .command('merge')
    .description("join sharded sweep results (out-dirs of one sweep's shards) and write the summary")
    .argument('<dirs...>', 'sweep output directories')
    .requiredOption('--out <dir>', 'merged output directory')
    .action(async (dirs: string[], opts) => (await import('./merge-command.ts')).mergeCommand(dirs, opts));

  program
    .command('tune')
    .description('search padding / noise / mixing settings for the cheapest one that meets anonymity targets (successive halving over seeds); prints the Pareto frontier')
    .argument('<tune.yaml>', 'tune file, JSON or YAML (see scenarios/tune/)')
    .option('--workers <n>', 'parallel worker threads (default: the number of CPUs)', parseIntArg('--workers', 1, 256))
    .option('--out-dir <dir>', 'results directory (default reports/tune/<tune name>); a rerun reuses its finished runs')
    .option('--quiet', 'no progress output')
    .action(async (file: string, opts) => {
      requestedExit = await (await import('./tune-command.ts')).tuneCommand(file, opts);
    });

  program
    .command('compare')
    .description('compare two reports; exit 1 when a metric regresses past its tolerance')
    .argument('<baseline.json>', 'a run report (paratox run --out) or a multi-seed result (paratox seeds --out)')
    .argument('<candidate.json>', 'the same kind of file, same scenario')
    .option('--tolerances <file>', 'tolerance file, JSON or YAML (default reports/tolerances.json)')
    .option('--allow-scenario-diff <fields>', 'scenario fields (dot-path prefixes, comma-separated, repeatable) that may differ', collectList)
    .option('--json', 'print the comparison as JSON')
    .action((baseline: string, candidate: string, opts) => {
      requestedExit = compareCommand(baseline, candidate, opts);
    });

  program
    .command('serve')
    .description('serve the web dashboard over reports/')
    .option('--port <p>', 'TCP port (0 = any free port)', parseIntArg('--port', 0, 65535), 8080)
    .option('--host <ip>', 'interface to bind (default 127.0.0.1: the dashboard can start runs)', '127.0.0.1')
    .option('--reports <dir>', 'reports directory to serve (new runs are written to DIR/runs)', 'reports')
    .action(async (opts) => (await import('./serve-command.ts')).serveCommand(opts));

  program
    .command('eve')
    .description("run Eve's attacks (size, timing, counting, inter-packet delay, disclosure) on a tap export and score them")
    .argument('<tap.csv>', 'tap CSV (time_ms,source,target,bytes), e.g. from paratox run --tap')
    .option('--truth <file>', 'ground truth JSON (default <tap.csv>.truth.json when it exists)')
    .option('--out <file>', 'write the JSON here (default stdout)')
    .option('--attacks <list>', 'comma-separated attacks to run (default all)')
    .option('--bin-ms <ms>', 'timing bin', parseIntArg('--bin-ms', 1))
    .option('--max-lag-bins <n>', 'timing lag search: +-n bins', parseIntArg('--max-lag-bins', 0, 100))
    .option('--window-ms <ms>', 'packet-counting window', parseIntArg('--window-ms', 1))
    .option('--round-ms <ms>', 'disclosure round', parseIntArg('--round-ms', 1))
    .action(async (file: string, opts) => (await import('./eve-command.ts')).eveCommand(file, opts));

  program
    .command('schema')
    .description('print the scenario format as JSON Schema (draft 2020-12), e.g. paratox schema > scenario.schema.json')
    .action(() => schemaCommand());

  program
    .command('node')
    .description('run one real paratox node on UDP: a DHT node (default), or the spine ping protocol with --ping')
    .option('--host <ip>', 'interface to bind', '127.0.0.1')
    .option('--port <p>', 'UDP port (0 = any free port)', parseIntArg('--port', 0, 65535), 0)
    .addOption(new Option('--entry <host:port#pxn1...>', 'DHT: join through this node (repeatable; printed as "entry ..." by it)').default([]))
    .addOption(new Option('--lookup <pxn1...>', 'DHT: resolve this NodeID to its address once joined (repeatable)').default([]))
    .option('--identity-seed <n>', 'DHT: derive the NodeID from this seed (tests and demos only)', parseIntArg('--identity-seed', 0, 2 ** 32 - 1))
    .option('--ping', 'run the spine ping protocol instead of the DHT (implied by --peer)')
    .addOption(new Option('--peer <host:port...>', 'ping: peers to ping').default([]))
    .option('--interval-ms <ms>', 'ping: mean ping interval', parseIntArg('--interval-ms', 1), 1000)
    .option('--duration-s <s>', 'stop after this many seconds (default: until Ctrl-C)', parseIntArg('--duration-s', 1))
    .option('--seed <n>', 'seeded instead of system randomness (debugging only)', parseIntArg('--seed', 0, 2 ** 32 - 1))
    .option('--account', 'chat: give this node a fresh account (prints "account pxa1...") and print messages to it')
    .option('--account-seed <n>', 'chat: the account key pair from this seed (tests and demos only)', parseIntArg('--account-seed', 0, 2 ** 32 - 1))
    .option('--to <accountId>', 'chat: send to this AccountID (pxa1...)')
    .addOption(
      new Option('--send <text>', 'chat: send this text to --to once joined (repeatable)')
        .argParser((value: string, previous: string[] = []) => [...previous, value])
        .default([]),
    )
    .option('--stdin', 'chat: send every line typed on stdin to --to')
    .option('--stats-every-s <s>', 'print the counters line every s seconds (0: only at stop)', parseIntArg('--stats-every-s', 0, 86_400), 60)
    .option('--insecure-seed', 'allow --seed/--identity-seed/--account-seed on a non-loopback --host (keys from a 32-bit seed: anyone can derive them)')
    .action((opts) => nodeCommand(opts));

  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    requestedExit = 0;
    await buildProgram().parseAsync(argv, { from: 'user' });
    return requestedExit;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed the message; help and version are not errors.
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : EXIT_USAGE;
    }
    if (err instanceof UsageError || err instanceof ScenarioError) {
      process.stderr.write(`paratox: ${err.message}\n`);
      return EXIT_USAGE;
    }
    return reportInternalError(err);
  }
}

/** A bug, not bad input: one line saying so (the stack with PARATOX_DEBUG=1), exit 1. */
export function reportInternalError(err: unknown): number {
  if (process.env.PARATOX_DEBUG) {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  } else {
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    process.stderr.write(`paratox: internal error (a bug; please report it): ${oneLine(what, 400)} [PARATOX_DEBUG=1 shows the stack]\n`);
  }
  return EXIT_INTERNAL;
}
