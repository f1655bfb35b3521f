import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './program.ts';
import { captureOutput } from './testing/capture-output.ts';

const dir = mkdtempSync(join(tmpdir(), 'paratox-cli-'));
const tiny = { name: 'tiny', nodes: 12, durationS: 3, ping: { intervalMs: 200, peersPerNode: 3 } };

function scenarioFile(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const io = captureOutput();

describe('paratox run: malformed scenarios exit 2 with one line naming the field', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['wrong type', { ...tiny, nodes: 'many' }, /nodes: expected number, got "many"/],
    ['unknown field', { ...tiny, colour: 'red' }, /unknown field "colour"/],
    ['negative latency', { ...tiny, network: { latency: { meanMs: -5 } } }, /network\.latency\.meanMs: must be >= 0 \(got -5\)/],
    ['missing required field', { name: 'x', durationS: 1 }, /nodes: required field is missing/],
    ['nested unknown field', { ...tiny, churn: { meanUptimeS: 1, meanDowntimeS: 1, speed: 2 } }, /churn: unknown field "speed"/],
    ['bad JSON', '{ "nodes": 3,', /invalid JSON/],
  ];
  for (const [what, content, pattern] of cases) {
    it(`rejects ${what}`, async () => {
      const file = scenarioFile(`${what.replace(/ /g, '-')}.json`, content);
      expect(await main(['run', file])).toBe(2);
      expect(io.stderr).toMatch(pattern);
      expect(io.stderr).toContain(file);
      expect(io.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('rejects a missing file', async () => {
    expect(await main(['run', join(dir, 'nope.json')])).toBe(2);
    expect(io.stderr).toMatch(/nope\.json: no such file/);
  });

  it('rejects a bad --seed', async () => {
    expect(await main(['run', scenarioFile('ok.json', tiny), '--seed', '-1'])).toBe(2);
    expect(io.stderr).toMatch(/--seed must be an integer/);
  });

  it('serve refuses a missing reports directory in one line', async () => {
    expect(await main(['serve', '--reports', join(dir, 'no-such-dir'), '--port', '0'])).toBe(2);
    expect(io.stderr).toMatch(/--reports .*no-such-dir.*: no such directory/);
    expect(io.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('paratox run', () => {
  it('writes a report whose traceHash is equal for equal seeds and differs for another seed', async () => {
    const file = scenarioFile('tiny.json', tiny);
    const outs = ['a', 'b', 'c'].map((n) => join(dir, `${n}.json`));
    expect(await main(['run', file, '--quiet', '--seed', '5', '--out', outs[0]])).toBe(0);
    expect(await main(['run', file, '--quiet', '--seed', '5', '--out', outs[1]])).toBe(0);
    expect(await main(['run', file, '--quiet', '--seed', '6', '--out', outs[2]])).toBe(0);
    const [a, b, c] = outs.map((o) => JSON.parse(readFileSync(o, 'utf8')));
    expect(a.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.traceHash).toBe(a.traceHash);
    expect(c.traceHash).not.toBe(a.traceHash);
    expect(a.seed).toBe(5);
    expect(a.scenario.seed).toBe(5);
    expect(a.sim).toMatchObject({ nodes: 12, simulatedSeconds: 3 });
    expect(a.sim.events).toBeGreaterThan(0);
    expect(a.traffic.messagesSent).toBeGreaterThan(0);
    expect(io.stdout).toContain(`traceHash  ${a.traceHash}`);
  });

  it('--tap writes the observer CSV and the ground truth', async () => {
    const file = scenarioFile('tiny-tap.json', tiny);
    const tap = join(dir, 'tap.csv');
    expect(await main(['run', file, '--quiet', '--out', join(dir, 't.json'), '--tap', tap])).toBe(0);
    const lines = readFileSync(tap, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('time_ms,source,target,bytes');
    const report = JSON.parse(readFileSync(join(dir, 't.json'), 'utf8'));
    expect(lines.length - 1).toBe(report.traffic.wirePackets);
    expect(lines[1]).toMatch(/^\d+(\.\d+)?,n\d+,n\d+,\d+$/);
    const truth = JSON.parse(readFileSync(`${tap}.truth.json`, 'utf8'));
    expect(truth.malicious).toEqual([]);
    expect(truth.conversations.length).toBeGreaterThan(0);
    expect(Object.keys(truth.conversations[0]).sort()).toEqual(['endMs', 'source', 'startMs', 'target']);
  });
});

describe('bin/paratox.js', () => {
  it('runs through npx-style invocation: --help lists the commands, a bad file exits 2', () => {
    const help = execFileSync('node', ['bin/paratox.js', '--help'], { encoding: 'utf8' });
    for (const cmd of ['run', 'sweep', 'compare', 'serve', 'node']) expect(help).toContain(cmd);
    const bad = spawnSync('node', ['bin/paratox.js', 'run', join(dir, 'missing.json')], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^paratox: .*missing\.json: no such file$/);
  });
});
