/**
 * The regression step of CI (.ci/run): re-runs each baseline scenario with the current code and compares it
 * with its committed baseline under reports/baselines/ (`paratox compare`, tolerances in reports/tolerances.json).
 * Exit 0: no regression; 1: a regression; 2: bad input (a baseline missing, scenarios that no longer match).
 * Compares metrics with tolerances only, never traceHash: the trace legitimately changes with protocol changes.
 *
 *   npx tsx scripts/regress.ts [--only ping-small,dht-small] [--out-dir .ci/out/regress]
 *   npm run baselines        (= npx tsx scripts/regress.ts --update: rewrite the baselines, deliberately; review
 *                             the diff of reports/baselines/ and say in the commit why the figures moved)
 *
 * Both run the scenarios one after another in this process through the CLI's own `run` and `compare` (main),
 * so CI checks exactly what a user would type.
 */
import { mkdirSync } from 'node:fs';
import { main } from '../cli/program.ts';

/**
 * The small scenarios CI re-runs: together ~45-60 s of a 2-core machine's time. eve-no-noise (100 nodes, 500 s)
 * and eve-constant-noise (~35 s) are left out for time; sim/compare/compare.test.ts covers noise on vs off on
 * a scaled-down eve scenario instead.
 */
export const BASELINE_SCENARIOS = ['ping-small', 'dht-small', 'messenger-small'] as const;

export const BASELINE_DIR = 'reports/baselines';

interface Args {
  update: boolean;
  only: string[];
  outDir: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { update: false, only: [...BASELINE_SCENARIOS], outDir: '.ci/out/regress' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--update') args.update = true;
    else if (argv[i] === '--only') args.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (argv[i] === '--out-dir') args.outDir = argv[++i] ?? args.outDir;
    else {
      process.stderr.write(`regress: unknown argument ${JSON.stringify(argv[i])} (use --update, --only a,b, --out-dir DIR)\n`);
      process.exit(2);
    }
  }
  const unknown = args.only.find((s) => !(BASELINE_SCENARIOS as readonly string[]).includes(s));
  if (unknown !== undefined) {
    process.stderr.write(`regress: --only ${JSON.stringify(unknown)} is not a baseline scenario (${BASELINE_SCENARIOS.join(', ')})\n`);
    process.exit(2);
  }
  return args;
}

async function regress(args: Args): Promise<number> {
  mkdirSync(args.update ? BASELINE_DIR : args.outDir, { recursive: true });
  let worst = 0;
  const started = performance.now();
  for (const name of args.only) {
    const t0 = performance.now();
    const out = args.update ? `${BASELINE_DIR}/${name}.json` : `${args.outDir}/${name}.json`;
    let code = await main(['run', `scenarios/${name}.json`, '--out', out, '--quiet']);
    const runS = (performance.now() - t0) / 1000;
    if (code === 0 && !args.update) code = await main(['compare', `${BASELINE_DIR}/${name}.json`, out]);
    // Exit 2 from compare after a good run: usually the scenario (or a default) changed since the baseline.
    const hint = code === 2 && !args.update ? '; if the scenario changed on purpose, regenerate: npm run baselines' : '';
    process.stdout.write(`regress ${name}: ${['ok', 'REGRESSION', 'bad input'][code] ?? `exit ${code}`} (run ${runS.toFixed(1)} s)${hint}\n\n`);
    worst = Math.max(worst, code);
  }
  const total = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`regress: ${args.only.length} scenario(s) ${args.update ? `written to ${BASELINE_DIR}/` : 'compared with their baselines'} in ${total} s; exit ${worst}\n`);
  return worst;
}

process.exitCode = await regress(parseArgs(process.argv.slice(2)));
