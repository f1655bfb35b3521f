/**
 * The scenario loader on malformed files (issue 11): every case must end as exactly one ScenarioError line that
 * names the file, the field and the problem. Each case below printed a stack trace, echoed megabytes, gave a
 * misleading message, or loaded silently before the fix it names.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_DESCRIPTION_CHARS, MAX_NESTING_DEPTH, MAX_NODES, MAX_SCENARIO_FILE_BYTES } from './limits.ts';
import { loadScenario, parseScenario, ScenarioError } from './load-scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'paratox-loader-'));
const ok = { name: 'ok', nodes: 20, durationS: 30 };

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Loads `path` and returns the ScenarioError message (fails the test on success or on another error type). */
function errorOf(load: () => unknown): string {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    const message = (err as Error).message;
    expect(message).not.toMatch(/[\r\n]/);
    return message;
  }
  throw new Error('expected a ScenarioError, but the scenario loaded');
}

describe('loadScenario: bytes and JSON text', () => {
  it('accepts a UTF-8 byte order mark (it was refused as invalid JSON)', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(ok))]);
    expect(loadScenario(file('bom.json', bom)).nodes).toBe(20);
  });

  it('says UTF-16 instead of echoing its bytes', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(ok), 'utf16le')]);
    expect(errorOf(() => loadScenario(file('utf16.json', le)))).toMatch(/utf16\.json: file is UTF-16 text .*save it as UTF-8$/);
    const noBom = Buffer.from(JSON.stringify(ok), 'utf16le');
    expect(errorOf(() => loadScenario(file('utf16-nobom.json', noBom)))).toMatch(/looks like UTF-16 text/);
  });

  it('refuses invalid UTF-8 and binary data with the offset', () => {
    const bad = Buffer.concat([Buffer.from('{"name": "a'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect(errorOf(() => loadScenario(file('latin.json', bad)))).toMatch(/latin\.json: not valid UTF-8 text \(at byte offset 11\)/);
    expect(errorOf(() => loadScenario(file('bin.json', Buffer.from([0x7b, 0x01, 0x02, 0x00, 0x05]))))).toMatch(/binary data, not a JSON text \(zero byte at offset 3\)/);
  });

  it('refuses a file over the size limit before reading it (a 50 MB description was copied into the report)', () => {
    const big = file('big.json', `{"nodes": 2, "durationS": 1, "description": "${'x'.repeat(MAX_SCENARIO_FILE_BYTES)}"}`);
    expect(errorOf(() => loadScenario(big))).toMatch(new RegExp(`big\\.json: file is \\d+ bytes, more than the ${MAX_SCENARIO_FILE_BYTES}-byte limit`));
  });

  it('refuses a description over 4 KiB', () => {
    const f = file('desc.json', JSON.stringify({ ...ok, description: 'd'.repeat(MAX_DESCRIPTION_CHARS + 1) }));
    expect(errorOf(() => loadScenario(f))).toMatch(/desc\.json: description: must be at most 4096 characters long \(got 4097 characters\)/);
  });

  it('refuses a directory and a device instead of hanging on it', () => {
    const d = join(dir, 'a-dir.json');
    mkdirSync(d, { recursive: true });
    expect(errorOf(() => loadScenario(d))).toMatch(/a-dir\.json: is a directory/);
    expect(errorOf(() => loadScenario('/dev/zero'))).toMatch(/\/dev\/zero: not a regular file/);
  });

  it('refuses nesting 5,000 deep without a RangeError (it overflowed the stack)', () => {
    const deep = `{"nodes": 2, "durationS": 1, "regions": ${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(errorOf(() => loadScenario(file('deep.json', deep)))).toMatch(new RegExp(`deep\\.json: nested more than ${MAX_NESTING_DEPTH} levels deep \\(at line 1, column \\d+\\)`));
  });

  it('names 1e999 as a number out of range (it was reported as "got null")', () => {
    const f = file('inf.json', '{"nodes": 2, "durationS": 1e999}');
    expect(errorOf(() => loadScenario(f))).toBe(`${f}: durationS: number out of range (larger than 1.8e308, it reads as Infinity)`);
    expect(errorOf(() => loadScenario(file('ninf.json', '{"nodes": 2, "durationS": 5, "network": {"latency": {"meanMs": -1e400}}}')))).toMatch(
      /network\.latency\.meanMs: number out of range/,
    );
  });

  it('gives invalid JSON a line and column and does not echo the file', () => {
    const f = file('syntax.json', '{\n  "nodes": 2,\n  "durationS": 1,,\n}');
    expect(errorOf(() => loadScenario(f))).toMatch(/syntax\.json: invalid JSON: .* at line 3, column 18$/);
    const secret = 'x'.repeat(500);
    const msg = errorOf(() => loadScenario(file('token.json', `{"a": ${secret}}`)));
    expect(msg).toMatch(/invalid JSON: unexpected character "x"/);
    expect(msg.length).toBeLessThan(200);
    expect(errorOf(() => loadScenario(file('cut.json', '{"nodes": 2, "durat')))).toMatch(/cut\.json: invalid JSON: unterminated string at line 1, column 20$/);
  });
});

describe('parseScenario: values', () => {
  it('gives a seed of 2^64 one message, the tighter limit (it got two contradictory ones)', () => {
    expect(errorOf(() => parseScenario({ ...ok, seed: 2 ** 64 }, 's.json'))).toBe('s.json: seed: must be <= 4294967295 (got 18446744073709552000)');
  });

  it('cuts a 1 MB key name and long values to ~80 characters', () => {
    const msg = errorOf(() => parseScenario({ ...ok, ['k'.repeat(1_000_000)]: 1 }, 's.json'));
    expect(msg).toMatch(/^s\.json: unknown field "k{80}\.\.\." \(1000000 characters\)$/);
    expect(errorOf(() => parseScenario({ ...ok, nodes: 'n'.repeat(10_000) }, 's.json')).length).toBeLessThan(200);
  });

  it('says "must be an integer" for 1.5 nodes', () => {
    expect(errorOf(() => parseScenario({ ...ok, nodes: 1.5 }, 's.json'))).toBe('s.json: nodes: must be an integer (got 1.5)');
  });

  // Rates and durations that made a run spin or fill memory now have bounds stated in the message.
  const spinning: Array<[string, object, RegExp]> = [
    ['churn.meanUptimeS 1e-300 (looped forever at t = 0)', { churn: { meanUptimeS: 1e-300, meanDowntimeS: 1 } }, /churn\.meanUptimeS: must be >= 0\.1 \(got 1e-300\)/],
    ['ping.intervalMs 1e-300 (ate 2.4 GB)', { ping: { intervalMs: 1e-300 } }, /ping\.intervalMs: must be >= 1 \(got 1e-300\)/],
    ['ping.timeoutMs of a year', { ping: { timeoutMs: 3e10 } }, /ping\.timeoutMs: must be <= 3600000/],
    ['an uplink of 1e-300 bytes/s', { network: { uplinkBytesPerS: 1e-300 } }, /network\.uplinkBytesPerS: must be >= 1000/],
    ['a latency of 1e300 ms', { network: { latency: { meanMs: 1e300 } } }, /network\.latency\.meanMs: must be <= 60000/],
    ['durationS of a century', { durationS: 3.2e9 }, /durationS: must be <= 2592000/],
    ['a 1e-300 s duration', { durationS: 1e-300 }, /durationS: must be >= 0\.001/],
    ['limits.maxEvents below 1000', { limits: { maxEvents: 5 } }, /limits\.maxEvents: must be >= 1000/],
  ];
  for (const [what, patch, pattern] of spinning) {
    it(`refuses ${what}`, () => {
      expect(errorOf(() => parseScenario({ ...ok, ...patch }, 's.json'))).toMatch(pattern);
    });
  }
});

describe('parseScenario: contradictions and sections of another protocol', () => {
  const dht = { ...ok, nodes: 50, durationS: 60, protocol: 'dht' };
  const cases: Array<[string, object, RegExp]> = [
    ['an eclipse section under protocol ping', { ...ok, eclipse: {} }, /eclipse: only applies to protocol "dht", but protocol is "ping"/],
    ['one-shot queries with hole punching', { ...ok, protocol: 'dht', dht: { oneShotQueries: true }, nat: { none: 1, autoPunch: true } }, /dht\.oneShotQueries: cannot run with nat\.autoPunch/],
    ['an eclipse section under protocol messenger', { ...ok, nodes: 50, durationS: 200, protocol: 'messenger', eclipse: {} }, /eclipse: only applies to protocol "dht"/],
    ['a conversations section under dht', { ...dht, conversations: { count: 2 } }, /conversations: only applies to protocol "messenger", but protocol is "dht"/],
    ['an onion section under ping', { ...ok, onion: { hops: 2 } }, /onion: only applies to protocol "messenger"/],
    ['an eve section under ping', { ...ok, eve: { enabled: false } }, /eve: only applies to protocol "messenger"/],
    ['a noise section under ping', { ...ok, noise: { policy: 'poisson' } }, /noise: only applies to protocol "dht" or "messenger"/],
    ['a dht section under ping', { ...ok, dht: { k: 4 } }, /dht: only applies to protocol "dht" or "messenger"/],
    ['a ping section under dht', { ...dht, ping: { intervalMs: 5 } }, /ping: only applies to protocol "ping", but protocol is "dht"/],
    ['dht.entryNodes > nodes', { ...dht, dht: { entryNodes: 51 } }, /dht\.entryNodes: 51 entry nodes but only 50 nodes/],
    ['dht.drainS >= durationS', { ...dht, dht: { drainS: 60 } }, /dht\.drainS: 60 s must be < durationS \(60 s\)/],
    ['eclipse.maliciousEntries > entryNodes', { ...dht, dht: { entryNodes: 4 }, eclipse: { maliciousEntries: 5 } }, /eclipse\.maliciousEntries: 5 is more than dht\.entryNodes \(4\)/],
    ['a regionLatency key naming an unknown region', { ...ok, regions: { eu: 1, us: 1 }, network: { regionLatency: { 'eu|asia': { meanMs: 90 } } } }, /network\.regionLatency: key "eu\|asia" names region "asia", which is not in regions \("eu", "us"\)/],
    ['more nodes than the ping cap', { ...ok, nodes: MAX_NODES.ping + 1 }, /nodes: at most 200000 simulated nodes for protocol "ping" \(got 200001/],
    ['more messenger nodes than its cap', { ...ok, durationS: 200, protocol: 'messenger', nodes: MAX_NODES.messenger + 1 }, /nodes: at most 10000 simulated nodes for protocol "messenger"/],
    ['eclipse extras over the dht cap', { ...dht, eclipse: { colluders: MAX_NODES.dht } }, /nodes: at most 20000 simulated nodes for protocol "dht" \(got 50 \+ 20050/],
    ['more users than non-entry nodes (a RangeError stack trace in the run)', { ...ok, nodes: 20, durationS: 200, protocol: 'messenger', conversations: { count: 7 } }, /conversations\.users: 14 users \(2 x count\) but only 12 non-entry nodes/],
    ['a conversation window that is empty', { ...ok, nodes: 50, durationS: 60, protocol: 'messenger', conversations: { startS: 30, drainS: 30 } }, /conversations\.startS: 30 s must be < durationS - drainS/],
    ['minBytes > maxBytes', { ...ok, nodes: 50, durationS: 200, protocol: 'messenger', conversations: { minBytes: 500, maxBytes: 100 } }, /conversations\.minBytes: 500 is more than maxBytes \(100\)/],
    ['graceS > periodS', { ...dht, nodeIdRotation: { periodS: 30, graceS: 60 } }, /nodeIdRotation\.graceS: 60 s must be <= periodS \(30 s\)/],
  ];
  for (const [what, input, pattern] of cases) {
    it(`refuses ${what}`, () => {
      expect(errorOf(() => parseScenario(input, 's.json'))).toMatch(new RegExp(`^s\\.json: ${pattern.source}`));
    });
  }

  it('accepts a resolved scenario again (a section equal to its defaults is not "written")', () => {
    const resolved = parseScenario({ ...dht, eclipse: { maliciousEntries: 2 } });
    expect(parseScenario(JSON.parse(JSON.stringify(resolved)))).toEqual(resolved);
    const messenger = parseScenario({ ...ok, nodes: 60, durationS: 200, protocol: 'messenger' });
    expect(messenger.ping.intervalMs).toBe(1000);
    expect(parseScenario(JSON.parse(JSON.stringify(messenger)))).toEqual(messenger);
  });
});
