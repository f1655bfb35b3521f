import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTap, parseTruth, readTapFile, readTruthFile, TapBuilder, TapFormatError } from './tap-reader.ts';

const dir = mkdtempSync(join(tmpdir(), 'paratox-eve-tap-'));
const HEADER = 'time_ms,source,target,bytes\n';

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TapFormatError);
    const message = (err as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error('expected a TapFormatError');
}

describe('parseTap reads the tap into columns', () => {
  it('interns addresses as dense ids in order of appearance', () => {
    const tap = parseTap(`${HEADER}0.5,n1,n2,1232\n1.25,n2,n3,80\r\n2,n3,n1,0\n2.5e1,n1,n3,7\n`);
    expect(tap.rows).toBe(4);
    expect([...tap.timeMs]).toEqual([0.5, 1.25, 2, 25]);
    expect(tap.addresses).toEqual(['n1', 'n2', 'n3']);
    expect([...tap.source]).toEqual([0, 1, 2, 0]);
    expect([...tap.target]).toEqual([1, 2, 0, 2]);
    expect([...tap.bytes]).toEqual([1232, 80, 0, 7]);
    expect(tap.idOf.get('n3')).toBe(2);
  });

  it('sorts rows that came out of time order, keeping file order among equal times', () => {
    const tap = parseTap(`${HEADER}5,a,b,1\n1,a,c,2\n5,b,a,3\n1,c,a,4`);
    expect([...tap.timeMs]).toEqual([1, 1, 5, 5]);
    expect([...tap.bytes]).toEqual([2, 4, 1, 3]);
  });

  it('accepts a header-only tap and a byte-order mark', () => {
    expect(parseTap('\uFEFFtime_ms,source,target,bytes\n').rows).toBe(0);
  });

  it('equals what TapBuilder builds in memory', () => {
    const b = new TapBuilder();
    b.add(0.5, 'n1', 'n2', 1232);
    b.add(1.25, 'n2', 'n3', 80);
    expect(b.build()).toEqual(parseTap(`${HEADER}0.5,n1,n2,1232\n1.25,n2,n3,80\n`));
  });
});

describe('a malformed tap gets one line naming the line and the problem', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['an empty file', '', /^tap\.csv:1: empty file/],
    ['a wrong header', 'time,src,dst,len\n1,a,b,3\n', /^tap\.csv:1: header must be "time_ms,source,target,bytes", got "time,src,dst,len"/],
    ['three fields', `${HEADER}1,a,b,3\n2,a,b\n`, /^tap\.csv:3: expected 4 fields .*got 3: "2,a,b"/],
    ['five fields', `${HEADER}1,a,b,3,9\n`, /^tap\.csv:2: expected 4 fields .*got 5/],
    ['a time that is not a number', `${HEADER}1,a,b,3\nsoon,a,b,3\n`, /^tap\.csv:3: time_ms must be a finite number >= 0, got "soon"/],
    ['a negative time', `${HEADER}-1,a,b,3\n`, /^tap\.csv:2: time_ms must be a finite number >= 0, got "-1"/],
    ['an empty time', `${HEADER},a,b,3\n`, /^tap\.csv:2: time_ms must be/],
    ['a hexadecimal time', `${HEADER}0x10,a,b,3\n`, /^tap\.csv:2: time_ms must be a finite number >= 0, got "0x10"/],
    ['fractional bytes', `${HEADER}1,a,b,12.5\n`, /^tap\.csv:2: bytes must be an integer in \[0, 4294967295\], got "12.5"/],
    ['too many bytes', `${HEADER}1,a,b,4294967296\n`, /^tap\.csv:2: bytes must be an integer/],
    ['an empty source', `${HEADER}1,,b,3\n`, /^tap\.csv:2: source is empty/],
    ['an empty target', `${HEADER}1,a, ,3\n`, /^tap\.csv:2: target is empty/],
    ['an empty line inside', `${HEADER}1,a,b,3\n\n2,a,b,3\n`, /^tap\.csv:3: empty line inside the tap/],
  ];
  for (const [what, text, pattern] of cases) {
    it(`rejects ${what}`, () => expect(problem(() => parseTap(text))).toMatch(pattern));
  }

  it('allows trailing empty lines', () => {
    expect(parseTap(`${HEADER}1,a,b,3\n\n\n`).rows).toBe(1);
  });
});

describe('readTapFile streams a file', () => {
  it('reads a tap larger than one 1 MiB chunk, lines split across chunks', async () => {
    const rows = 80_000;
    let text = HEADER;
    for (let i = 0; i < rows; i++) text += `${i * 0.125},node${i % 97},node${(i * 7) % 101},${i % 1500}\n`;
    const file = join(dir, 'big.csv');
    writeFileSync(file, text);
    const tap = await readTapFile(file);
    expect(tap.rows).toBe(rows);
    expect(tap.timeMs[rows - 1]).toBe((rows - 1) * 0.125);
    expect(tap.bytes[rows - 1]).toBe((rows - 1) % 1500);
    expect(tap.addresses[tap.target[rows - 1]]).toBe(`node${((rows - 1) * 7) % 101}`);
  });

  it('names the file and the line of a bad row deep inside, and a missing file', async () => {
    let text = HEADER;
    for (let i = 0; i < 60_000; i++) text += `${i},aaaaaaaa,bbbbbbbb,1232\n`;
    text += '60000,aaaaaaaa,bbbbbbbb,x\n';
    const file = join(dir, 'bad.csv');
    writeFileSync(file, text);
    await expect(readTapFile(file)).rejects.toThrow(`${file}:60002: bytes must be an integer in [0, 4294967295], got "x"`);
    await expect(readTapFile(join(dir, 'nope.csv'))).rejects.toThrow(/nope\.csv: no such file$/);
  });
});

describe('truth files', () => {
  const good = { conversations: [{ source: 'n1', target: 'n2', startMs: 10, endMs: 20 }], malicious: [] };

  it('reads a valid truth file; malicious defaults to []', () => {
    expect(parseTruth({ conversations: good.conversations })).toEqual(good);
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['a missing list', { malicious: [] }, /^truth\.json: conversations: /],
    ['a wrong type', { conversations: [{ ...good.conversations[0], startMs: 'ten' }] }, /^truth\.json: conversations\[0\]\.startMs: .*number/],
    ['a missing field', { conversations: [good.conversations[0], { source: 'a', startMs: 1, endMs: 2 }] }, /^truth\.json: conversations\[1\]\.target: /],
    ['an end before the start', { conversations: [{ ...good.conversations[0], endMs: 5 }] }, /^truth\.json: conversations\[0\]\.endMs: endMs must be >= startMs/],
    ['a conversation with itself', { conversations: [{ ...good.conversations[0], target: 'n1' }] }, /^truth\.json: conversations\[0\]\.target: source and target must differ/],
  ];
  for (const [what, json, pattern] of cases) {
    it(`rejects ${what} in one line`, () => expect(problem(() => parseTruth(json))).toMatch(pattern));
  }

  it('rejects bad JSON and a missing file naming the file', () => {
    const file = join(dir, 'bad.truth.json');
    writeFileSync(file, '{ "conversations": [');
    expect(problem(() => readTruthFile(file))).toMatch(/bad\.truth\.json: invalid JSON/);
    expect(problem(() => readTruthFile(join(dir, 'none.json')))).toMatch(/none\.json: no such file$/);
  });
});
