/**
 * Fuzz of the scenario loader (issue 11): 10,000 files made by mutating the committed scenarios (wrong types,
 * huge / tiny / non-finite numbers, deep nesting, long strings and keys, unknown and missing keys, sections of
 * another protocol, BOM, UTF-16, invalid UTF-8, truncation). Each must either load as a valid scenario or throw
 * exactly one ScenarioError line that starts with the file name; any other exception (RangeError, TypeError from
 * deep in zod or the error formatting) fails. Before the fix: deep nesting threw RangeError and 1e999 said
 * "got null". The per-file bound is a hang detector (the run spun forever at t = 0 on some inputs), not a speed
 * test: a file normally takes well under a millisecond.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consistencyProblems } from './consistency.ts';
import { MAX_SCENARIO_FILE_BYTES } from './limits.ts';
import { parseScenarioBytes, ScenarioError } from './load-scenario.ts';
import { scenarioSchema } from './schema.ts';

const SOURCE = 'fuzz/scenario.json';
const RUNS = 10_000;
const HANG_BOUND_MS = 2_000;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const bases = readdirSync('scenarios')
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(`scenarios/${f}`, 'utf8')) as { [k: string]: Json });

/** Every path to a value in `v` (objects and arrays alike), the root included. */
function paths(v: Json, at: Array<string | number> = []): Array<Array<string | number>> {
  const here = [at];
  if (v === null || typeof v !== 'object') return here;
  const children: Array<[string | number, Json]> = Array.isArray(v) ? Array.from(v, (x, i) => [i, x]) : Object.entries(v);
  return here.concat(children.flatMap(([k, x]) => paths(x, [...at, k])));
}

/** Raw JSON tokens a JSON value cannot hold, spliced in by placeholder after stringify. */
const RAW = (text: string): string => `\u0000RAW${Buffer.from(text).toString('base64')}\u0000`;
const deep = (depth: number, open: string, close: string) => RAW(`${open.repeat(depth)}${close.repeat(depth)}`);

const strangeNumber = fc.constantFrom(0, -0, -1, 1e-300, -1e-300, 5e-324, 1e300, -1e300, 2 ** 53 + 2, 2 ** 64, 2 ** 32, 0.5, 1.5, 1e21, Number.MAX_VALUE);
const nonFinite = fc.constantFrom('1e999', '-1e999', '1e400', '-0.0e99999');
const longText = fc.integer({ min: 100, max: 20_000 }).chain((n) => fc.constantFrom('x', '\u00e9', '\ud83d\ude00', '"', '\\', '\n').map((c) => c.repeat(n)));
const weirdString = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }), longText, fc.constantFrom('', 'messenger', 'dht', 'ping', 'eu|us', '__proto__', 'constructor'));

const replacement: fc.Arbitrary<Json | string> = fc.oneof(
  { weight: 4, arbitrary: strangeNumber },
  { weight: 2, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 2, arbitrary: nonFinite.map(RAW) },
  { weight: 3, arbitrary: weirdString },
  { weight: 1, arbitrary: fc.constantFrom<Json>(null, true, false, [], {}, [1, 2], { a: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 8_000 }).chain((d) => fc.constantFrom(deep(d, '[', ']'), RAW(`${'{"a":'.repeat(d)}1${'}'.repeat(d)}`))) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
);

type Mutation = { kind: 'set' | 'delete' | 'addKey'; pick: number; value: Json | string; key: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('set', 'set', 'set', 'delete', 'addKey'),
  pick: fc.nat(),
  value: replacement,
  key: fc.oneof(fc.constantFrom('eclipse', 'onion', 'conversations', 'noise', 'eve', 'ping', 'dht', 'limits', 'regionLatency', 'extra'), weirdString),
}) as fc.Arbitrary<Mutation>;

function mutate(base: { [k: string]: Json }, m: Mutation): void {
  const all = paths(base);
  const path = all[m.pick % all.length];
  if (path.length === 0) return;
  let parent: Json = base;
  for (const k of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[k];
  const last = path[path.length - 1];
  const target = parent as Record<string | number, Json>;
  if (m.kind === 'delete') {
    if (Array.isArray(target)) target.splice(last as number, 1);
    else delete target[last];
  }
  else if (m.kind === 'addKey' && target[last] !== null && typeof target[last] === 'object') (target[last] as Record<string, Json>)[m.key] = m.value as Json;
  else target[last] = m.value as Json;
}

type Encoding = 'utf8' | 'bom' | 'utf16le' | 'utf16-bom' | 'invalid-utf8' | 'truncate' | 'nul';
const encoding = fc.constantFrom<Encoding>('utf8', 'utf8', 'utf8', 'utf8', 'utf8', 'bom', 'utf16le', 'utf16-bom', 'invalid-utf8', 'truncate', 'nul');

function encode(text: string, how: Encoding, cut: number): Uint8Array {
  const utf8 = Buffer.from(text, 'utf8');
  const at = cut % (utf8.length + 1);
  switch (how) {
    case 'utf8':
      return utf8;
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]);
    case 'utf16le':
      return Buffer.from(text, 'utf16le');
    case 'utf16-bom':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'invalid-utf8':
      return Buffer.concat([utf8.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff]), utf8.subarray(at)]);
    case 'truncate':
      return utf8.subarray(0, at);
    case 'nul':
      return Buffer.concat([utf8.subarray(0, at), Buffer.from([0]), utf8.subarray(at)]);
  }
}

const fuzzFile = fc
  .record({
    base: fc.nat({ max: bases.length - 1 }),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
    pretty: fc.boolean(),
    encoding,
    cut: fc.nat(),
  })
  .map(({ base, mutations, pretty, encoding: how, cut }) => {
    const doc = structuredClone(bases[base]);
    for (const m of mutations) mutate(doc, m);
    const text = JSON.stringify(doc, null, pretty ? 2 : undefined).replace(/"\\u0000RAW([A-Za-z0-9+/=]*)\\u0000"/g, (_m, b64: string) =>
      Buffer.from(b64, 'base64').toString(),
    );
    return encode(text, how, cut);
  });

describe(`scenario loader fuzz (${RUNS} mutated files)`, () => {
  it('every file loads as a valid scenario or yields exactly one ScenarioError line naming the file', () => {
    let loaded = 0;
    let refused = 0;
    fc.assert(
      fc.property(fuzzFile, (bytes) => {
        const start = performance.now();
        try {
          const s = parseScenarioBytes(bytes, SOURCE);
          expect(scenarioSchema.safeParse(s).success).toBe(true);
          expect(consistencyProblems(s)).toEqual([]);
          loaded++;
        } catch (err) {
          if (!(err instanceof ScenarioError)) throw err;
          expect(err.message.startsWith(`${SOURCE}: `)).toBe(true);
          expect(err.message).not.toMatch(/[\r\n]/);
          expect(err.message.length).toBeLessThanOrEqual(600);
          // Names the field or the file-level problem after the file name.
          expect(err.message.length).toBeGreaterThan(SOURCE.length + 10);
          refused++;
        }
        expect(performance.now() - start).toBeLessThan(HANG_BOUND_MS);
      }),
      { numRuns: RUNS, seed: 11, endOnFailure: true },
    );
    // The mutations must exercise both outcomes, or the fuzz proves little.
    expect(loaded).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(RUNS / 2);
  });

  it('a file one byte over the size limit is refused before decoding', () => {
    const bytes = new Uint8Array(MAX_SCENARIO_FILE_BYTES + 1).fill(0x20);
    expect(() => parseScenarioBytes(bytes, SOURCE)).toThrow(/fuzz\/scenario\.json: file is 1048577 bytes/);
  });
});
