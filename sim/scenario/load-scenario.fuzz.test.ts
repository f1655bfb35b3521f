/**
 * Fuzz of the scenario loader (issue 11): 10,000 files made by mutating the committed scenarios (wrong types,
 * huge / tiny / non-finite numbers, deep nesting, long strings and keys, unknown and missing keys, sections of
 * another protocol, BOM, UTF-16, invalid UTF-8, truncation). Each must either load as a valid scenario or throw
 * exactly one ScenarioError line that starts with the file name; any other exception (RangeError, TypeError from
 * deep in zod or the error formatting) fails. Before the fix: deep nesting threw RangeError and 1e999 said
 * "got null". The per-file bound is a hang detector (the run spun forever at t = 0 on some inputs), not a speed
 * test: a file normally takes well under a millisecond.
 *
 * YAML (issue 12): 2,000 more files, the same mutations written as YAML (block or flow style) plus what only
 * YAML has: tags (!!binary made Buffers), anchors and alias bombs, an alias inside its own anchor, duplicate keys,
 * tab indentation, .inf / .nan, directives, several documents, collection keys, deep "- - -" nesting (200,000 of
 * them ran the process out of memory in the yaml parser). Same bar: a valid scenario or one ScenarioError line.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { consistencyProblems } from './consistency.ts';
import { MAX_SCENARIO_FILE_BYTES } from './limits.ts';
import { parseScenarioBytes, ScenarioError } from './load-scenario.ts';
import { scenarioFiles } from './scenario-files.ts';
import { scenarioSchema } from './schema.ts';

const SOURCE = 'fuzz/scenario.json';
const RUNS = 10_000;
const HANG_BOUND_MS = 2_000;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const bases = scenarioFiles().map((f) => (f.endsWith('.json') ? JSON.parse(readFileSync(f, 'utf8')) : parseYaml(readFileSync(f, 'utf8'))) as { [k: string]: Json });

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

/** The loader's contract for one file: a valid scenario, or exactly one ScenarioError line naming the file. */
function checkOne(bytes: Uint8Array, source: string, tally: { loaded: number; refused: number }): void {
  const start = performance.now();
  try {
    const s = parseScenarioBytes(bytes, source);
    expect(scenarioSchema.safeParse(s).success).toBe(true);
    expect(consistencyProblems(s)).toEqual([]);
    tally.loaded++;
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    expect(err.message.startsWith(`${source}: `)).toBe(true);
    expect(err.message).not.toMatch(/[\r\n]/);
    expect(err.message.length).toBeLessThanOrEqual(600);
    expect(err.message.length).toBeGreaterThan(source.length + 10);
    tally.refused++;
  }
  expect(performance.now() - start).toBeLessThan(HANG_BOUND_MS);
}

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

const YAML_SOURCE = 'fuzz/scenario.yaml';
const YAML_RUNS = 2_000;

function toYaml(doc: Json, flow: boolean): string {
  const words: string[] = [];
  // Replace RAW placeholders by plain words before stringify, then the words by their raw text.
  const swapped = JSON.parse(
    JSON.stringify(doc).replace(/"\\u0000RAW([A-Za-z0-9+/=]*)\\u0000"/g, (_m, b64: string) => {
      words.push(Buffer.from(b64, 'base64').toString());
      return `"rawword${words.length - 1}x"`;
    }),
  ) as Json;
  const text = stringifyYaml(swapped, flow ? { collectionStyle: 'flow' } : {});
  return text.replace(/rawword(\d+)x/g, (_m, i: string) => words[Number(i)]);
}

type YamlTwist =
  | 'none'
  | 'tag'
  | 'anchor-alias'
  | 'alias-bomb'
  | 'self-alias'
  | 'duplicate-line'
  | 'tab-indent'
  | 'special-value'
  | 'directive'
  | 'two-documents'
  | 'complex-key'
  | 'deep-dashes'
  | 'deep-indent';

const twist = fc.constantFrom<YamlTwist>('none', 'none', 'none', 'tag', 'anchor-alias', 'alias-bomb', 'self-alias', 'duplicate-line', 'tab-indent', 'special-value', 'special-value', 'directive', 'two-documents', 'complex-key', 'deep-dashes', 'deep-indent');

/** Applies one YAML-only twist at line `pick` of `text`. */
function twistYaml(text: string, how: YamlTwist, pick: number, depth: number): string {
  const lines = text.split('\n');
  const i = pick % Math.max(1, lines.length - 1);
  const line = lines[i];
  const colon = line.indexOf(': ');
  const value = (v: string) => (colon >= 0 ? `${line.slice(0, colon + 2)}${v}` : line);
  switch (how) {
    case 'none':
      return text;
    case 'tag':
      lines[i] = value(['!!binary aGVsbG8=', '!foo 1', '!!str 12', '!!int "3"', '!<tag:x> 1'][pick % 5]);
      break;
    case 'anchor-alias':
      // A top-level section reused by an alias (valid YAML; the scenario may still refuse the copy).
      return `${text}\nanchorDummy: &anchored\n  meanMs: 10\n${['network:\n  latency: *anchored', 'extra: *anchored', 'regions: *anchored'][pick % 3]}\n`;
    case 'alias-bomb': {
      const levels = ['x0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]'];
      for (let l = 1; l < 2 + (depth % 8); l++) levels.push(`x${l}: &a${l} [${Array(9).fill(`*a${l - 1}`).join(', ')}]`);
      return `${text}\n${levels.join('\n')}\n`;
    }
    case 'self-alias':
      lines[i] = value('&self [1, *self]');
      break;
    case 'duplicate-line':
      lines.splice(i, 0, line);
      break;
    case 'tab-indent':
      lines[i] = line.replace(/^ +/, '\t');
      break;
    case 'special-value':
      lines[i] = value(['.inf', '-.inf', '.nan', '~', 'yes', '0x1F', '0o17', '1e999', '2001-12-14', "'single'", '"a\\u0000b"', '|\n  block', '>-\n  folded'][pick % 13]);
      break;
    case 'directive':
      return `${['%YAML 1.1', '%TAG !e! tag:example.com,2000:', '%FOO bar'][pick % 3]}\n---\n${text}`;
    case 'two-documents':
      return `${text}\n---\n${text}`;
    case 'complex-key':
      return `${text}\n? [a, b]\n: 1\n`;
    case 'deep-dashes':
      lines[i] = value(`\n${'- '.repeat(depth)}1`);
      break;
    case 'deep-indent':
      lines[i] = value(`\n${Array.from({ length: Math.min(depth, 1200) }, (_, d) => `${' '.repeat(d + 1)}k${d}:`).join('\n')} 1`);
      break;
  }
  return lines.join('\n');
}

const yamlFile = fc
  .record({
    base: fc.nat({ max: bases.length - 1 }),
    mutations: fc.array(mutation, { minLength: 0, maxLength: 3 }),
    flow: fc.boolean(),
    twist,
    pick: fc.nat(),
    depth: fc.oneof(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 40, max: 200_000 })),
    encoding,
    cut: fc.nat(),
  })
  .map(({ base, mutations, flow, twist: how, pick, depth, encoding: enc, cut }) => {
    const doc = structuredClone(bases[base]);
    for (const m of mutations) mutate(doc, m);
    return encode(twistYaml(toYaml(doc, flow), how, pick, depth), enc, cut);
  });

describe(`scenario loader fuzz, YAML (${YAML_RUNS} mutated files)`, () => {
  it('every YAML file loads as a valid scenario or yields exactly one ScenarioError line naming the file', () => {
    const tally = { loaded: 0, refused: 0 };
    fc.assert(
      fc.property(yamlFile, (bytes) => checkOne(bytes, YAML_SOURCE, tally)),
      { numRuns: YAML_RUNS, seed: 12, endOnFailure: true },
    );
    expect(tally.loaded).toBeGreaterThan(100);
    expect(tally.refused).toBeGreaterThan(YAML_RUNS / 3);
  });

  it('an unmutated committed scenario written as YAML loads to the same scenario as its JSON', () => {
    for (const doc of bases) {
      const fromJson = parseScenarioBytes(Buffer.from(JSON.stringify(doc)), SOURCE);
      expect(parseScenarioBytes(Buffer.from(toYaml(doc, false)), YAML_SOURCE)).toEqual(fromJson);
      expect(parseScenarioBytes(Buffer.from(toYaml(doc, true)), YAML_SOURCE)).toEqual(fromJson);
    }
  });
});
