/**
 * YAML scenario files (issue 12): a YAML scenario is the same experiment as its JSON twin (same resolved
 * scenario, same traceHash), and the YAML path is as strict as the JSON one. Each refusal below guards a case
 * that, without yaml-text.ts's checks, loaded silently (tags turned a value into a Buffer or a string, a
 * directive changed the YAML version), looped (an alias inside its own anchor made a circular object) or ran the
 * process out of memory (200,000 nested "- ").
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_NESTING_DEPTH } from './limits.ts';
import { loadScenario, parseScenarioText, ScenarioError } from './load-scenario.ts';
import { runScenario } from './run-scenario.ts';
import { scenarioFormatOf } from './scenario-format.ts';

const dir = mkdtempSync(join(tmpdir(), 'paratox-yaml-'));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function errorOf(text: string, source = 'y.yaml'): string {
  try {
    parseScenarioText(text, source);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    const message = (err as Error).message;
    expect(message).not.toMatch(/[\r\n]/);
    expect(message.startsWith(`${source}: `)).toBe(true);
    return message;
  }
  throw new Error('expected a ScenarioError, but the scenario loaded');
}

const TWIN_YAML = `# A tiny ping run, the same experiment as TWIN_JSON.
name: twin
description: >-
  YAML twin of a JSON scenario: same resolved scenario, same trace.
seed: 7
nodes: 12
durationS: 3
network:
  lossRate: 0.01
  latency: &lat { meanMs: 30, jitterMs: 5 }
  regionLatency:
    "eu|us": *lat
regions: { eu: 0.5, us: 0.5 }
ping:
  intervalMs: 300
  peersPerNode: 3
  secure: true
`;
const TWIN_JSON = JSON.stringify({
  name: 'twin',
  description: 'YAML twin of a JSON scenario: same resolved scenario, same trace.',
  seed: 7,
  nodes: 12,
  durationS: 3,
  network: { lossRate: 0.01, latency: { meanMs: 30, jitterMs: 5 }, regionLatency: { 'eu|us': { meanMs: 30, jitterMs: 5 } } },
  regions: { eu: 0.5, us: 0.5 },
  ping: { intervalMs: 300, peersPerNode: 3, secure: true },
});

describe('YAML scenarios', () => {
  it('a YAML scenario and its JSON twin resolve to the same scenario and run to the same traceHash', () => {
    const fromYaml = loadScenario(file('twin.yaml', TWIN_YAML));
    const fromJson = loadScenario(file('twin.json', TWIN_JSON));
    expect(fromYaml).toEqual(fromJson);
    const a = runScenario(fromYaml);
    const b = runScenario(fromJson);
    expect(a.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.traceHash).toBe(b.traceHash);
    expect(a.traffic).toEqual(b.traffic);
  });

  it('picks the syntax by extension, else by the first character', () => {
    expect(scenarioFormatOf('a.json', 'nodes: 2')).toBe('json');
    expect(scenarioFormatOf('a.YML', '{}')).toBe('yaml');
    expect(scenarioFormatOf('a.yaml', '{}')).toBe('yaml');
    expect(scenarioFormatOf('scenario', '  {"nodes": 2}')).toBe('json');
    expect(scenarioFormatOf('scenario', 'nodes: 2')).toBe('yaml');
    expect(loadScenario(file('no-extension', TWIN_YAML)).name).toBe('twin');
    // A .json file is JSON even when it would read as YAML: its errors say "invalid JSON".
    expect(errorOf('nodes: 2\ndurationS: 1\n', 'x.json')).toMatch(/^x\.json: invalid JSON: /);
  });

  it('refuses duplicate keys with line and column (the JSON path keeps the last one; YAML must not guess)', () => {
    expect(errorOf('nodes: 20\ndurationS: 1\nnodes: 30\n')).toBe('y.yaml: invalid YAML: map keys must be unique at line 3, column 1');
  });

  it('refuses tags: !!binary made a Buffer, !foo silently a string', () => {
    expect(errorOf('nodes: 20\ndurationS: 1\ndescription: !!binary aGVsbG8=\n')).toMatch(/YAML tags \(!!type\) are not supported in a scenario, at line 3, column 14/);
    expect(errorOf('nodes: !foo 20\ndurationS: 1\n')).toMatch(/YAML tags \(!tag\) are not supported/);
  });

  it('refuses directives (%YAML 1.1 changes what values mean)', () => {
    expect(errorOf('%YAML 1.1\n---\nnodes: 20\ndurationS: 1\n')).toMatch(/YAML directives \(%YAML, %TAG\) are not supported in a scenario, at line 1, column 1/);
  });

  it('allows a reused anchor, refuses an alias bomb and an alias inside its own anchor', () => {
    const bomb = ['a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]'];
    expect(errorOf(`nodes: 20\ndurationS: 1\n${bomb.join('\n')}\n`)).toMatch(/aliases expand too much/);
    expect(errorOf('nodes: 20\ndurationS: 1\nregions: &r { a: *r }\n')).toBe('y.yaml: invalid YAML: alias *r refers to a collection that contains it, at line 3, column 18');
  });

  it('refuses nesting deeper than the JSON limit, quickly, however it is written', () => {
    expect(errorOf(`nodes: 2\nx: ${'['.repeat(MAX_NESTING_DEPTH + 1)}${']'.repeat(MAX_NESTING_DEPTH + 1)}\n`)).toMatch(/nested more than 32 levels deep \(at line 2, column 35\)/);
    expect(errorOf(`x:\n${'- '.repeat(200_000)}1\n`)).toMatch(/nested more than 32 levels deep/);
    expect(errorOf(`${'['.repeat(500_000)}`, 'deep.yml')).toMatch(/deep\.yml: nested more than 32 levels deep/);
    const indented = Array.from({ length: 40 }, (_, d) => `${' '.repeat(d)}k${d}:`).join('\n');
    expect(errorOf(`${indented} 1\n`)).toMatch(/nested more than 32 levels deep \(at line 33, column 33\)/);
  });

  it('names non-finite numbers, collection keys, several documents and bad indentation', () => {
    expect(errorOf('nodes: 20\ndurationS: .inf\n')).toBe('y.yaml: durationS: not a finite number (.inf, .nan or larger than 1.8e308)');
    expect(errorOf('nodes: 20\ndurationS: 1e999\n')).toMatch(/durationS: not a finite number/);
    expect(errorOf('nodes: 20\ndurationS: 1\n? [a, b]\n: 1\n')).toBe('y.yaml: invalid YAML: a key must be plain text, not a sequence, at line 3, column 3');
    expect(errorOf('nodes: 20\ndurationS: 1\n---\nnodes: 3\n')).toMatch(/a scenario file holds one document/);
    expect(errorOf('nodes: 20\nping:\n\tsecure: true\n')).toMatch(/tabs are not allowed as indentation at line 3, column 1$/);
  });

  it('reports schema problems with the same words as JSON', () => {
    expect(errorOf('nodes: 20\ndurationS: 1\nfoo: 2\n')).toBe('y.yaml: unknown field "foo"');
    expect(errorOf('nodes: 20\ndurationS: 1\nfoo: 2\n', 'y.yaml').replace('y.yaml', 'y.json')).toBe(errorOf('{"nodes": 20, "durationS": 1, "foo": 2}', 'y.json'));
  });
});
