/**
 * `paratox schema` and the committed scenarios/scenario.schema.json (issue 12). Guards: the committed file going
 * stale when schema.ts changes (regenerate with `npx paratox schema > scenarios/scenario.schema.json`), the
 * schema losing a top-level field, and a committed scenario that the schema (read by editors) would flag while
 * the loader accepts it. The check below is a small validator for exactly the keywords the generated schema uses
 * (it throws on any other keyword, so a new one cannot be skipped silently); no validator dependency is needed.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { main } from '../../cli/program.ts';
import { scenarioJsonSchema, scenarioJsonSchemaText } from './json-schema.ts';
import { loadScenario } from './load-scenario.ts';
import { scenarioFiles } from './scenario-files.ts';
import { scenarioSchema } from './schema.ts';

type Schema = Record<string, unknown>;
const KNOWN = new Set(['$schema', 'title', 'description', 'type', 'properties', 'required', 'additionalProperties', 'propertyNames', 'anyOf', 'const', 'default', 'enum', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern']);

function typeOk(type: string, v: unknown): boolean {
  if (type === 'null') return v === null;
  if (type === 'integer') return Number.isInteger(v);
  if (type === 'object') return v !== null && typeof v === 'object' && !Array.isArray(v);
  if (type === 'array') return Array.isArray(v);
  return typeof v === type;
}

/** Problems of `v` against `s` (the keywords in KNOWN, draft 2020-12 semantics), as "path: problem". */
function validate(s: Schema, v: unknown, path = '$'): string[] {
  for (const k of Object.keys(s)) if (!KNOWN.has(k)) throw new Error(`${path}: schema keyword ${k} not handled by this check`);
  if (s.anyOf) {
    const branches = (s.anyOf as Schema[]).map((b) => validate(b, v, path));
    return branches.some((b) => b.length === 0) ? [] : [`${path}: matches no anyOf branch (${branches.map((b) => b[0]).join(' | ')})`];
  }
  const out: string[] = [];
  if (s.type !== undefined && !typeOk(s.type as string, v)) return [`${path}: expected ${String(s.type)}`];
  if (s.const !== undefined && v !== s.const) out.push(`${path}: expected ${String(s.const)}`);
  if (s.enum && !(s.enum as unknown[]).includes(v)) out.push(`${path}: not one of ${(s.enum as unknown[]).join(', ')}`);
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < (s.minimum as number)) out.push(`${path}: < minimum`);
    if (s.maximum !== undefined && v > (s.maximum as number)) out.push(`${path}: > maximum`);
    if (s.exclusiveMinimum !== undefined && v <= (s.exclusiveMinimum as number)) out.push(`${path}: <= exclusiveMinimum`);
    if (s.exclusiveMaximum !== undefined && v >= (s.exclusiveMaximum as number)) out.push(`${path}: >= exclusiveMaximum`);
  }
  if (typeof v === 'string') {
    if (s.minLength !== undefined && [...v].length < (s.minLength as number)) out.push(`${path}: too short`);
    if (s.maxLength !== undefined && [...v].length > (s.maxLength as number)) out.push(`${path}: too long`);
    if (s.pattern !== undefined && !new RegExp(s.pattern as string, 'u').test(v)) out.push(`${path}: does not match ${String(s.pattern)}`);
  }
  if (typeOk('object', v)) {
    const obj = v as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const r of (s.required ?? []) as string[]) if (!(r in obj)) out.push(`${path}.${r}: required`);
    for (const [k, x] of Object.entries(obj)) {
      if (s.propertyNames) out.push(...validate(s.propertyNames as Schema, k, `${path}[key ${k}]`));
      if (k in props) out.push(...validate(props[k], x, `${path}.${k}`));
      else if (s.additionalProperties === false) out.push(`${path}.${k}: not allowed`);
      else if (typeof s.additionalProperties === 'object') out.push(...validate(s.additionalProperties as Schema, x, `${path}.${k}`));
    }
  }
  return out;
}

const readScenario = (f: string): unknown => (f.endsWith('.json') ? JSON.parse(readFileSync(f, 'utf8')) : parseYaml(readFileSync(f, 'utf8')));

describe('paratox schema', () => {
  afterEach(() => vi.restoreAllMocks());

  it('scenarios/scenario.schema.json is up to date (regenerate: npx paratox schema > scenarios/scenario.schema.json)', () => {
    expect(readFileSync('scenarios/scenario.schema.json', 'utf8')).toBe(scenarioJsonSchemaText());
  });

  it('prints the schema on stdout and exits 0', async () => {
    let printed = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed += String(chunk);
      return true;
    });
    expect(await main(['schema'])).toBe(0);
    expect(printed).toBe(scenarioJsonSchemaText());
    expect(JSON.parse(printed).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('has every top-level field of the zod schema, requires only nodes and durationS, and refuses unknown fields', () => {
    const s = scenarioJsonSchema() as { type: string; properties: Record<string, Schema>; required: string[]; additionalProperties: boolean };
    expect(s.type).toBe('object');
    expect(Object.keys(s.properties).sort()).toEqual(Object.keys(scenarioSchema.shape).sort());
    expect(s.required.sort()).toEqual(['durationS', 'nodes']);
    expect(s.additionalProperties).toBe(false);
    expect((s.properties.nat.properties as Record<string, Schema>).autoPunch).toMatchObject({ type: 'boolean' });
    expect(s.properties.protocol.enum).toEqual(['ping', 'dht', 'messenger']);
  });

  // Guards: a field added to schema.ts without .describe(): editors would show it without a word of meaning.
  it('describes every field, at every depth', () => {
    const undescribed: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (node === null || typeof node !== 'object') return;
      const n = node as Schema;
      for (const [k, v] of Object.entries((n.properties as Record<string, Schema>) ?? {})) {
        if (typeof v.description !== 'string' || v.description.length < 10) undescribed.push(`${path}${k}`);
        walk(v, `${path}${k}.`);
      }
      for (const alt of (n.anyOf as unknown[]) ?? []) walk(alt, path);
      if (n.additionalProperties && typeof n.additionalProperties === 'object') walk(n.additionalProperties, `${path}*.`);
    };
    walk(scenarioJsonSchema(), '');
    expect(undescribed).toEqual([]);
  });

  it('every committed scenario loads (zod) and validates against the JSON Schema', () => {
    const schema = scenarioJsonSchema();
    const files = scenarioFiles();
    expect(files.length).toBeGreaterThan(15);
    for (const f of files) {
      expect(() => loadScenario(f), f).not.toThrow();
      expect(validate(schema, readScenario(f)), f).toEqual([]);
    }
  });

  it('the check is not vacuous: it flags what the loader refuses field by field', () => {
    const schema = scenarioJsonSchema();
    expect(validate(schema, { nodes: 10, durationS: 5, nodez: 1 })).toEqual(['$.nodez: not allowed']);
    expect(validate(schema, { nodes: '10', durationS: 5 })).toEqual(['$.nodes: expected integer']);
    expect(validate(schema, { nodes: 10, durationS: 5, nat: { symmetric: 1, autoPunch: 'yes' } })).toEqual(['$.nat.autoPunch: expected boolean']);
    expect(validate(schema, { nodes: 10, durationS: 5, churn: null, protocol: 'gossip' })).toEqual(['$.protocol: not one of ping, dht, messenger']);
    expect(validate(schema, { durationS: 5, network: { regionLatency: { ab: { meanMs: 1 } } } })).toHaveLength(2);
  });
});
