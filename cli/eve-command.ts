/**
 * `paratox eve <tap.csv> [--truth FILE] [--out FILE]`: runs every Eve attack on a tap export (ours or one made
 * from a packet capture), writes the figures as JSON (default stdout) and a short table to stderr.
 * Without --truth, `<tap.csv>.truth.json` is used when it exists; with no truth at all Eve still ranks every
 * address that sends and receives, but accuracy figures are null.
 */
import { existsSync } from 'node:fs';
import { ATTACKS } from '../sim/eve/attacks/index.ts';
import { runEve, type EveOptions, type EveResult } from '../sim/eve/run-eve.ts';
import { readTapFile, readTruthFile, TapFormatError } from '../sim/eve/tap-reader.ts';
import { UsageError } from './errors.ts';
import { checkOutputs, writeOrRescue } from './output-paths.ts';

export interface EveCommandOptions {
  truth?: string;
  out?: string;
  attacks?: string;
  binMs?: number;
  maxLagBins?: number;
  windowMs?: number;
  roundMs?: number;
}

export async function eveCommand(tapFile: string, opts: EveCommandOptions): Promise<void> {
  const started = process.hrtime.bigint();
  const truthFile = opts.truth ?? (existsSync(`${tapFile}.truth.json`) ? `${tapFile}.truth.json` : null);
  const names = opts.attacks?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names?.filter((n) => !ATTACKS.some((a) => a.name === n)) ?? [];
  if (unknown.length) throw new UsageError(`--attacks: unknown attack ${unknown.join(', ')} (have: ${ATTACKS.map((a) => a.name).join(', ')})`);
  checkOutputs({ '--out': opts.out }, { 'the tap file': tapFile, ...(truthFile ? { 'the truth file': truthFile } : {}) });
  let result: EveResult;
  let rows: number;
  let addresses: number;
  try {
    const tap = await readTapFile(tapFile);
    const truth = truthFile ? readTruthFile(truthFile) : null;
    const options: EveOptions = { attacks: names, binMs: opts.binMs, maxLagBins: opts.maxLagBins, windowMs: opts.windowMs, roundMs: opts.roundMs };
    for (const key of Object.keys(options) as Array<keyof EveOptions>) if (options[key] === undefined) delete options[key];
    result = runEve(tap, truth, options);
    [rows, addresses] = [tap.rows, tap.addresses.length];
  } catch (err) {
    if (err instanceof TapFormatError) throw new UsageError(err.message);
    throw err;
  }
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const doc = { input: { tap: tapFile, truth: truthFile, rows, addresses }, wallSeconds, ...result };
  const text = `${JSON.stringify(doc, null, 1)}\n`;
  const written = opts.out ? writeOrRescue(opts.out, text) : undefined;
  if (!opts.out) process.stdout.write(text);
  process.stderr.write(eveTable(result, rows, wallSeconds));
  if (written?.rescued) throw new UsageError(written.rescued);
}

/** A short human summary: one line per attack, the strongest marked. */
export function eveTable(result: EveResult, rows: number, wallSeconds: number): string {
  const fmt = (x: number | null, d = 3): string => (x === null ? '-' : x.toFixed(d));
  const lines = [`eve: ${rows} datagrams, ${result.eve?.targets ?? 0} targets, ${fmt(result.eve?.candidates ?? null, 0)} candidates each, ${wallSeconds.toFixed(1)} s`];
  lines.push(`  ${'attack'.padEnd(20)} ${'variant'.padEnd(16)} top1   top5   rank    H/Hmax bits  degree  tpr@1e-2`);
  for (const f of Object.values(result.eveByMethod)) {
    const mark = f === result.eve ? '*' : ' ';
    lines.push(
      `${mark} ${f.method.padEnd(20)} ${(f.variant ?? '').padEnd(16)} ${fmt(f.top1)}  ${fmt(f.top5)}  ${fmt(f.meanRank, 2).padStart(6)}  ${`${f.entropyBits.toFixed(2)}/${f.maxEntropyBits.toFixed(2)}`.padEnd(11)}  ${f.degreeOfAnonymity.toFixed(3)}   ${fmt(f.tprAtFpr['0.01'])}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
