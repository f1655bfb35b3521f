import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEve } from '../sim/eve/run-eve.ts';
import { syntheticTap } from '../sim/eve/synthetic-tap.ts';
import { parseTap } from '../sim/eve/tap-reader.ts';
import { TAP_HEADER } from '../sim/tap/tap-writer.ts';
import { main } from './program.ts';
import { captureOutput } from './testing/capture-output.ts';

const dir = mkdtempSync(join(tmpdir(), 'paratox-eve-cli-'));
const { tap, truth } = syntheticTap({ nodes: 40, conversations: 8, durationS: 200, paddingMode: 'variable' });
let csv = TAP_HEADER;
for (let r = 0; r < tap.rows; r++) csv += `${Math.round(tap.timeMs[r] * 1000) / 1000},${tap.addresses[tap.source[r]]},${tap.addresses[tap.target[r]]},${tap.bytes[r]}\n`;
const tapFile = join(dir, 'tap.csv');
const truthFile = join(dir, 'truth.json');
writeFileSync(tapFile, csv);
writeFileSync(truthFile, JSON.stringify(truth));

const io = captureOutput();

describe('paratox eve', () => {
  it('writes the figures runEve computes on the file, and a table to stderr', async () => {
    const out = join(dir, 'eve.json');
    expect(await main(['eve', tapFile, '--truth', truthFile, '--out', out])).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    const parsed = parseTap(csv);
    const expected = JSON.parse(JSON.stringify(runEve(parsed, truth)));
    expect({ eve: doc.eve, eveByMethod: doc.eveByMethod, targets: doc.targets }).toEqual(expected);
    expect(doc.input).toEqual({ tap: tapFile, truth: truthFile, rows: tap.rows, addresses: parsed.addresses.length });
    const users = 2 * truth.conversations.length;
    expect(io.stderr).toMatch(new RegExp(`^eve: ${tap.rows} datagrams, ${users} targets, ${users - 1} candidates each`));
    expect(io.stderr).toMatch(/\* size-correlation/);
    expect(io.stdout).toBe('');
  });

  it('finds FILE.truth.json by itself and writes JSON to stdout by default', async () => {
    writeFileSync(`${tapFile}.truth.json`, JSON.stringify(truth));
    expect(await main(['eve', tapFile, '--attacks', 'timing-correlation', '--bin-ms', '500'])).toBe(0);
    const doc = JSON.parse(io.stdout);
    expect(doc.input.truth).toBe(`${tapFile}.truth.json`);
    expect(Object.keys(doc.eveByMethod)).toEqual(['timing-correlation']);
    expect(doc.eveByMethod['timing-correlation'].variant).toMatch(/-(500|5000)ms$/);
  });

  const bad: Array<[string, () => string[], RegExp]> = [
    ['a malformed tap line', () => [write('bad.csv', `${TAP_HEADER}1,a,b,3\n2,a,b,-4\n`)], /bad\.csv:3: bytes must be an integer/],
    ['a wrong header', () => [write('hdr.csv', 'when,from,to,size\n')], /hdr\.csv:1: header must be/],
    ['a missing tap', () => [join(dir, 'none.csv')], /none\.csv: no such file/],
    ['a malformed truth file', () => [tapFile, '--truth', write('t.json', '{"conversations":[{"source":"n0"}]}')], /t\.json: conversations\[0\]\.target: /],
    ['an unknown attack', () => [tapFile, '--attacks', 'timing-correlation,psychic'], /--attacks: unknown attack psychic/],
  ];
  for (const [what, args, pattern] of bad) {
    it(`exits 2 with one line on ${what}`, async () => {
      expect(await main(['eve', ...args()])).toBe(2);
      expect(io.stderr).toMatch(pattern);
      expect(io.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
