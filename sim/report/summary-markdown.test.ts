/**
 * The readable summary beside every report (issue 12): `paratox run --out X.json` also writes X.md with the key
 * figures, rendered from a real report; a report without the optional sections (ping/dht runs, reports from
 * before outcomes and datagram accounting existed) renders too instead of throwing on a missing field.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/program.ts';
import type { Report } from './report.ts';
import { summaryMarkdown, summaryPathOf, type SummaryInput } from './summary-markdown.ts';

const dir = mkdtempSync(join(tmpdir(), 'paratox-summary-'));
/** A messenger run small enough for a test (~5 s) that still gives Eve targets: 24 nodes, 3 conversations, 1-hop circuits. */
const TINY_MESSENGER = {
  name: 'tiny-messenger',
  description: 'A tiny messenger run for the summary test.',
  nodes: 24,
  durationS: 70,
  protocol: 'messenger',
  network: { lossRate: 0.001, latency: { meanMs: 40, jitterMs: 10 } },
  dht: { k: 8, bootstrapRefreshes: 0, entryNodes: 3, entriesPerNewcomer: 2, joinSpreadS: 8, lookupsPerNodePerMin: 0, stores: 0, nonExistentLookups: 0, drainS: 0 },
  onion: { hops: 1 },
  conversations: { count: 3, messagesPerMin: 12, minBytes: 40, maxBytes: 400, startS: 15, drainS: 25, messageTimeoutS: 20, offline: false },
};

let report: Report;
let markdown: string;
let stdout = '';

beforeAll(async () => {
  const scenario = join(dir, 'tiny.json');
  writeFileSync(scenario, JSON.stringify(TINY_MESSENGER));
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    expect(await main(['run', scenario, '--out', join(dir, 'out', 'tiny-report.json'), '--quiet'])).toBe(0);
  } finally {
    spy.mockRestore();
  }
  report = JSON.parse(readFileSync(join(dir, 'out', 'tiny-report.json'), 'utf8')) as Report;
  markdown = readFileSync(join(dir, 'out', 'tiny-report.md'), 'utf8');
}, 120_000);

afterEach(() => vi.restoreAllMocks());

describe('paratox run writes X.md beside X.json', () => {
  it('names the summary on stdout, and the summary holds the key figures of the report', () => {
    expect(stdout).toContain(`summary    ${join(dir, 'out', 'tiny-report.md')}`);
    expect(markdown).toMatch(/^# tiny-messenger, seed 1\n/);
    const t = report.traffic;
    expect(markdown).toContain(`| delivery | ${(t.deliveryRatio! * 100).toFixed(1)} % (${t.messagesDelivered} of ${t.messagesSent}) |`);
    expect(markdown).toContain(`| latency p50 / p95 / p99 | ${Math.round(t.latencyMs.p50!)} ms / ${Math.round(t.latencyMs.p95!).toLocaleString('en-US')} ms / ${Math.round(t.latencyMs.p99!).toLocaleString('en-US')} ms |`);
    expect(markdown).toContain(`| bandwidth overhead | ${t.bandwidthOverhead!.toFixed(2)} |`);
    expect(markdown).toContain(`traceHash \`${report.traceHash}\``);
    expect(markdown).toContain(`\`\`\`sh\n${report.reproduce}\n\`\`\``);
    expect(markdown).toContain(`Datagrams: ${t.datagrams.sent.toLocaleString('en-US')} sent`);
  });

  it("shows Eve's strongest attack and one table row per method", () => {
    const eve = report.attacks.eve!;
    const methods = Object.keys(report.attacks.eveByMethod ?? {});
    expect(methods.length).toBeGreaterThanOrEqual(3);
    expect(markdown).toContain(`Strongest attack: **${eve.method}**: top1 ${eve.top1!.toFixed(3)}`);
    expect(markdown).toContain(`degree of anonymity ${eve.degreeOfAnonymity.toFixed(3)}`);
    for (const m of methods) expect(markdown).toContain(`| ${m} | ${report.attacks.eveByMethod![m].top1!.toFixed(3)} |`);
    expect(markdown).not.toContain('## Eclipse');
  });

  it('a report missing optional sections renders (no Eve, no eclipse, no outcomes or datagram accounting, trace off)', () => {
    const bare: SummaryInput = {
      paratox: 1,
      seed: 3,
      traceHash: null,
      scenario: report.scenario,
      sim: { nodes: 10 },
      traffic: { messagesSent: 0, messagesDelivered: 0, deliveryRatio: null, latencyMs: { p50: null, p95: null, p99: null }, outcomes: null },
      attacks: { eve: null, eclipse: null },
    };
    const md = summaryMarkdown(bare);
    expect(md).toContain('| delivery | n/a (0 of 0) |');
    expect(md).toContain('| latency p50 / p95 / p99 | n/a / n/a / n/a |');
    expect(md).toContain('traceHash `none (trace off)`');
    for (const section of ['## Eve', '## Eclipse', '## Accounting', '```sh']) expect(md).not.toContain(section);
    // Nothing at all but the name still renders.
    expect(summaryMarkdown({})).toContain('# unnamed scenario, seed n/a');
  });

  it('renders eclipse victim harm when the report has it', () => {
    const md = summaryMarkdown({
      ...report,
      attacks: {
        eve: null,
        eclipse: {
          maliciousFraction: 0.3,
          victims: 40,
          eclipsedVictims: 2,
          poisonedLookupFraction: 0.1,
          flaggedEntries: 3,
          adversarialCircuitFraction: null,
          victimHarm: { majorityMaliciousShare: 0.025, meanMaliciousTableShare: 0.19, lookupSuccessRate: 0.95, anyPoisonedLookupShare: null, unfinishedJoins: 1, falselyFlaggedEntries: 0 },
        },
      },
    });
    expect(md).toContain('| majority-malicious victims | 0.025 |');
    expect(md).toContain('| victims with any poisoned lookup | n/a |');
    expect(md).toContain('| entries flagged (falsely) | 3 (0) |');
    expect(md).not.toContain('## Eve');
  });

  it('puts X.md beside X.json, and appends .md to other names', () => {
    expect(summaryPathOf('reports/runs/a-seed1.json')).toBe('reports/runs/a-seed1.md');
    expect(summaryPathOf('out/report')).toBe('out/report.md');
    expect(existsSync(join(dir, 'out', 'tiny-report.md'))).toBe(true);
  });
});
