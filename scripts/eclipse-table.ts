/**
 * The eclipse comparison table of scenarios/README.md: every attacker model x {none, multi-entry, cross-check}
 * on scenarios/eclipse-table.json, N seeds each, run one after another in this process (paratox seeds' runSeeds),
 * printed as a markdown table of means with 95 % t intervals. Usage:
 *
 *   npx tsx scripts/eclipse-table.ts [--seeds 10] [--out reports/eclipse/table.json] [--file scenarios/eclipse-table.json]
 *                                    [--only cross-check]   (rows of these defences only, e.g. after a defence change)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runSeeds, type SeedsResult } from '../cli/seeds-command.ts';
import type { SeedStat } from '../sim/metrics/seed-stats.ts';

const MODELS: Array<{ name: string; attacker: Record<string, unknown> }> = [
  { name: 'isolated colluders (original)', attacker: {} },
  { name: 'integrated colluders', attacker: { colluders: 'integrated' } },
  { name: 'liars list 50 % honest', attacker: { honestMix: 0.5 } },
  { name: 'liars list only honest nodes', attacker: { honestMix: 1 } },
  { name: 'report wiping + report-key Sybils', attacker: { wipeReports: true, reportKeySybils: 8 } },
];
const DEFENCES = ['none', 'multi-entry', 'cross-check'];
/** Extra rows: a variant measured and dropped. */
const EXTRA = [{ model: 'integrated colluders', attacker: { colluders: 'integrated' }, defence: 'cross-check', set: ['eclipse.bootstrapFrom=union'], label: 'cross-check, union bootstrap' }];

const H = 'attacks.eclipse.victimHarm.';
const COLUMNS: Array<[string, string, number]> = [
  ['majority-malicious victims', `${H}majorityMaliciousShare`, 2],
  ['mean malicious table share', `${H}meanMaliciousTableShare`, 2],
  ['lookup success', `${H}lookupSuccessRate`, 2],
  ['any poisoned lookup', `${H}anyPoisonedLookupShare`, 2],
  ['joins failed', `${H}unfinishedJoins`, 1],
  ['malicious entries flagged', 'attacks.eclipse.flaggedEntries', 1],
  ['honest entries flagged', `${H}falselyFlaggedEntries`, 1],
  ['eclipsedVictims (old)', 'attacks.eclipse.eclipsedVictims', 1],
];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const seeds = Number(arg('--seeds', '10'));
const file = arg('--file', 'scenarios/eclipse-table.json');
const out = arg('--out', 'reports/eclipse/table.json');
/** Only these defences (comma-separated labels, e.g. "cross-check,cross-check, union bootstrap"); all when absent. */
const only = process.argv.includes('--only') ? arg('--only', '').split(',') : undefined;

function cell(s: SeedStat | undefined, digits: number): string {
  if (s === undefined) return 'n/a';
  const f = (x: number) => x.toFixed(digits);
  return s.ci95 === null ? f(s.mean) : `${f(s.mean)} [${f(Math.max(0, s.ci95[0]))}, ${f(s.ci95[1])}]`;
}

/** Victims that knew >= 3 malicious entries (of 4), pooled over seeds: count and majority-malicious share. */
function liarMajority(r: SeedsResult): string {
  let victims = 0;
  let harmed = 0;
  for (const run of r.runs) {
    for (const m of ['3', '4']) {
      const n = run.metrics[`attacks.eclipse.harmByMaliciousEntries.${m}.victims`] ?? 0;
      victims += n;
      harmed += n * (run.metrics[`attacks.eclipse.harmByMaliciousEntries.${m}.majorityMaliciousShare`] ?? 0);
    }
  }
  return victims === 0 ? 'none' : `${Math.round(harmed)}/${victims}`;
}

const rows: string[] = [];
const results: Array<{ model: string; defence: string; set: string[]; metrics: Record<string, SeedStat>; seeds: number[]; wallSeconds: number }> = [];
const header = `| attacker model | defence | ${COLUMNS.map((c) => c[0]).join(' | ')} | victims with >= 3/4 malicious entries: majority-malicious |`;
rows.push(header, `|${' --- |'.repeat(COLUMNS.length + 3)}`);
const cells = [
  ...MODELS.flatMap((m) => DEFENCES.map((d) => ({ model: m.name, attacker: m.attacker, defence: d, set: [] as string[], label: d }))),
  ...EXTRA,
].filter((c) => only === undefined || only.includes(c.label) || only.includes(c.defence));
const started = Date.now();
for (const c of cells) {
  const set = [`eclipse.defence=${c.defence}`, `eclipse.attacker=${JSON.stringify(c.attacker)}`, ...c.set];
  process.stderr.write(`--- ${c.model} / ${c.label} (${((Date.now() - started) / 1000).toFixed(0)} s so far)\n`);
  const r = runSeeds(file, { seeds, set, first: 1 });
  const wallSeconds = r.runs.reduce((a, x) => a + x.wallSeconds, 0);
  results.push({ model: c.model, defence: c.label, set, metrics: Object.fromEntries(COLUMNS.map(([, p]) => [p, r.metrics[p]])), seeds: r.seeds, wallSeconds });
  rows.push(`| ${c.model} | ${c.label} | ${COLUMNS.map(([, p, d]) => cell(r.metrics[p], d)).join(' | ')} | ${liarMajority(r)} |`);
}
const table = rows.join('\n');
process.stdout.write(`${table}\n\n${seeds} seeds per row (1..${seeds}), scenario ${file}; total ${((Date.now() - started) / 1000).toFixed(0)} s wall\n`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ file, seeds, table, results }, null, 2)}\n`);
