/**
 * A run report (report.ts) as a readable Markdown summary: `paratox run --out X.json` writes it beside the JSON
 * as X.md. Key figures only (delivery, latency, overhead, Eve's strongest attack and per-method table, eclipse
 * victim harm, accounting totals, traceHash, the reproduce command); the JSON stays the record. Sections a run
 * does not exercise are left out, and every field is read defensively, so an older or partial report renders.
 */
import type { Report } from './report.ts';

/** What this module reads: the report's shape, every section optional (older reports lack some). */
export type SummaryInput = Partial<Omit<Report, 'traffic' | 'sim' | 'attacks'>> & {
  sim?: Partial<Report['sim']>;
  traffic?: Partial<Report['traffic']>;
  attacks?: Partial<Report['attacks']> | null;
};

type Cell = string | number | null | undefined;

function num(v: Cell, digits = 3): string {
  if (v === null || v === undefined) return 'n/a';
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v.toFixed(digits);
}

/** A ratio in [0, 1] (top1, shares) always with three decimals, so columns line up. */
const ratio = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(3));
const pct = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(1)} %`);
const ms = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${num(Math.round(v))} ms`);

/** Markdown-safe table cell: no pipes or line breaks from scenario text. */
const cell = (v: Cell) => String(v ?? 'n/a').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');

function table(header: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string[] {
  return [`| ${header.map(cell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

function byReason(m: Record<string, number> | undefined | null): string {
  const entries = Object.entries(m ?? {}).filter(([, n]) => n > 0);
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k} ${num(n)}`).join(', ');
}

function headline(r: SummaryInput): string[] {
  const s = r.scenario;
  const lines = [`# ${s?.name ?? 'unnamed scenario'}, seed ${r.seed ?? s?.seed ?? 'n/a'}`, ''];
  if (s?.description) lines.push(`> ${s.description.replace(/[\r\n]+/g, ' ')}`, '');
  return lines;
}

function keyFigures(r: SummaryInput): string[] {
  const t = r.traffic ?? {};
  const sim = r.sim ?? {};
  const lat = t.latencyMs;
  const o = t.outcomes;
  const rows: Cell[][] = [
    ['protocol', r.scenario?.protocol ?? 'n/a'],
    ['nodes', num(sim.nodes)],
    ['simulated', sim.simulatedSeconds === undefined ? 'n/a' : `${num(sim.simulatedSeconds, 1)} s`],
    ['delivery', `${pct(t.deliveryRatio)} (${num(t.messagesDelivered)} of ${num(t.messagesSent)})`],
    ['latency p50 / p95 / p99', `${ms(lat?.p50)} / ${ms(lat?.p95)} / ${ms(lat?.p99)}`],
  ];
  if (o) rows.push(['outcomes', `delivered ${num(o.delivered)}, deliveredOffline ${num(o.deliveredOffline)}, failed: ${byReason(o.failed)}, pending ${num(o.pending)}`]);
  rows.push(
    ['bandwidth overhead', t.bandwidthOverhead === undefined ? 'n/a' : num(t.bandwidthOverhead, 2)],
    ['wire', `${num(t.wirePackets)} packets (${num(t.noisePackets)} noise), ${num(t.wireBytes)} bytes, ${t.packetSizes?.length ?? 'n/a'} distinct size(s)${t.packetSizes?.length === 1 ? ` (${t.packetSizes[0]} bytes)` : ''}`],
    ['cost', `${num(sim.events)} events, ${sim.wallSeconds === undefined ? 'n/a' : `${num(sim.wallSeconds, 1)} s`} wall, peak RSS ${sim.peakRssBytes === undefined ? 'n/a' : `${Math.round(sim.peakRssBytes / 2 ** 20)} MiB`}`],
  );
  const lines = ['## Key figures', '', ...table(['figure', 'value'], rows)];
  if (t.messageUnit) lines.push('', `*${t.messageUnit}*`);
  return [...lines, ''];
}

function eveSection(r: SummaryInput): string[] {
  const eve = r.attacks?.eve;
  const methods = r.attacks?.eveByMethod;
  if (!eve && !methods) return [];
  const lines = ['## Eve (global passive observer)', ''];
  if (eve) {
    lines.push(
      `Strongest attack: **${eve.method}**: top1 ${ratio(eve.top1)}, top5 ${ratio(eve.top5)}, degree of anonymity ${ratio(eve.degreeOfAnonymity)} ` +
        `(${num(eve.entropyBits, 2)} of ${num(eve.maxEntropyBits, 2)} bits), ${num(eve.targets)} targets, ${num(eve.candidates)} candidates each (chance top1 ${eve.candidates ? num(1 / eve.candidates) : 'n/a'}).`,
      '',
    );
  }
  if (methods) {
    const rows = Object.entries(methods).map(([name, m]) => [name, ratio(m.top1), ratio(m.top5), num(m.meanRank, 2), ratio(m.degreeOfAnonymity), ratio(m.tprAtFpr?.['0.01']), ratio(m.tprAtFpr?.['0.001'])]);
    lines.push(...table(['attack', 'top1', 'top5', 'mean rank', 'degree of anonymity', 'TPR at FPR 0.01', 'TPR at FPR 0.001'], rows), '');
  }
  return lines;
}

function eclipseSection(r: SummaryInput): string[] {
  const e = r.attacks?.eclipse;
  if (!e) return [];
  const h = e.victimHarm;
  const rows: Cell[][] = [
    ['malicious fraction of entries', ratio(e.maliciousFraction)],
    ['victims / eclipsed (old measure)', `${num(e.victims)} / ${num(e.eclipsedVictims)}`],
    ['majority-malicious victims', ratio(h?.majorityMaliciousShare)],
    ['mean malicious table share', ratio(h?.meanMaliciousTableShare)],
    ['victim lookup success', ratio(h?.lookupSuccessRate)],
    ['victims with any poisoned lookup', ratio(h?.anyPoisonedLookupShare)],
    ['unfinished joins', num(h?.unfinishedJoins)],
    ['entries flagged (falsely)', `${num(e.flaggedEntries)} (${num(h?.falselyFlaggedEntries)})`],
  ];
  return ['## Eclipse: victim harm', '', ...table(['figure', 'value'], rows), ''];
}

function accountingSection(r: SummaryInput): string[] {
  const t = r.traffic ?? {};
  const d = t.datagrams;
  const o = t.outcomes;
  if (!d && !o) return [];
  const lines = ['## Accounting', ''];
  if (o) {
    const failed = Object.values(o.failed ?? {}).reduce((a, b) => a + b, 0);
    const sum = o.delivered + o.deliveredOffline + failed + o.pending;
    lines.push(`Messages: ${num(t.messagesSent)} sent = ${num(o.delivered)} delivered + ${num(o.deliveredOffline)} offline + ${num(failed)} failed + ${num(o.pending)} pending${sum === t.messagesSent ? '' : ` (**sums to ${num(sum)}**)`}.`);
  }
  if (d) {
    lines.push(
      `Datagrams: ${num(d.sent)} sent = ${num(d.delivered)} delivered + ${num(d.dropped)} dropped + ${num(d.queuedAtEnd)} queued + ${num(d.inFlightAtEnd)} in flight at the end; dropped by reason: ${byReason(d.droppedByReason)}.`,
    );
  }
  return [...lines, ''];
}

function reproduceSection(r: SummaryInput, reportFile?: string): string[] {
  const lines = ['## Reproduce', '', `traceHash \`${r.traceHash ?? 'none (trace off)'}\``, ''];
  if (r.reproduce) lines.push('```sh', r.reproduce, '```', '');
  if (reportFile) lines.push(`Full report: \`${reportFile}\``, '');
  return lines;
}

/** The report as Markdown; `reportFile` (the JSON's path) is named at the end. */
export function summaryMarkdown(report: SummaryInput, reportFile?: string): string {
  return [...headline(report), ...keyFigures(report), ...eveSection(report), ...eclipseSection(report), ...accountingSection(report), ...reproduceSection(report, reportFile)].join('\n');
}

/** X.json -> X.md (any other name gets .md appended). */
export function summaryPathOf(reportFile: string): string {
  return reportFile.toLowerCase().endsWith('.json') ? `${reportFile.slice(0, -5)}.md` : `${reportFile}.md`;
}
