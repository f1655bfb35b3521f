/**
 * `paratox node` as a DHT node: argument parsing in-process, then three real processes on 127.0.0.1 (spawned as
 * `node bin/paratox.js node ...`), one resolving another's NodeID. Bounds are failure timeouts, not timings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatId } from '../protocol/crypto/identity.ts';
import { fastestSuite } from '../protocol/crypto/select-suite.ts';
import { nodeSuite } from '../protocol/crypto/node-suite.ts';
import { SeededRng } from '../protocol/runtime/seeded-rng.ts';
import { UsageError } from './errors.ts';
import { identityFromSeed, parseEntry } from './node-command.ts';
import { main } from './program.ts';

const KEY = nodeSuite.generateKeyPair(new SeededRng('cli')).publicKey;
const ID = formatId('node', KEY);
const ACCOUNT = formatId('account', KEY);
const BOUND_MS = 20_000;

describe('parseEntry(host:port#pxn1...)', () => {
  it('returns the address and the NodeID key', () => {
    const peer = parseEntry(`127.0.0.1:7000#${ID}`);
    expect(peer.address).toBe('127.0.0.1:7000');
    expect(formatId('node', peer.nodePub)).toBe(ID);
    expect(parseEntry(`[::1]:9#${ID.toUpperCase()}`).address).toBe('[::1]:9');
  });

  const bad: Array<[string, string, RegExp]> = [
    ['no NodeID', '127.0.0.1:7000', /missing "#<NodeID>"/],
    ['no port', `127.0.0.1#${ID}`, /address must look like host:port, got "127\.0\.0\.1"/],
    ['port 0', `127.0.0.1:0#${ID}`, /address must look like host:port/],
    ['a short id', '127.0.0.1:7000#pxn1abc', /bad NodeID: id must be 64 characters/],
    ['a mistyped id', `127.0.0.1:7000#${ID.slice(0, -1)}${ID.endsWith('a') ? 'b' : 'a'}`, /bad NodeID: (checksum mismatch|last character)/],
    ['an AccountID', `127.0.0.1:7000#${ACCOUNT}`, /expected a NodeID \(pxn1\.\.\.\), got an AccountID/],
  ];
  for (const [what, text, pattern] of bad) {
    it(`rejects ${what} with a one-line UsageError`, () => {
      expect(() => parseEntry(text)).toThrow(UsageError);
      expect(() => parseEntry(text)).toThrow(pattern);
    });
  }
});

describe('paratox node: bad arguments exit 2 with one line, before any socket opens', () => {
  let stderr: string;
  beforeEach(() => {
    stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  });
  afterEach(() => vi.restoreAllMocks());

  const cases: Array<[string, string[], RegExp]> = [
    ['a bad --entry', ['--entry', 'localhost'], /^paratox: --entry must look like host:port#pxn1\.\.\., got "localhost"/],
    ['a bad --lookup', ['--lookup', 'pxn1zz'], /^paratox: --lookup "pxn1zz": bad NodeID/],
    ['DHT options in ping mode', ['--ping', '--lookup', ID], /cannot be combined with --ping\/--peer/],
    ['a bad --identity-seed', ['--identity-seed', 'x'], /--identity-seed must be an integer/],
    ['--to without an account', ['--to', ACCOUNT], /--to, --send and --stdin need an account: add --account/],
    ['--to naming a NodeID', ['--account', '--to', ID], /--to ".*": expected an AccountID \(pxa1\.\.\.\), got a NodeID/],
    ['a mistyped --to', ['--account', '--to', 'pxa1abc'], /--to "pxa1abc": bad AccountID/],
    ['--send without --to', ['--account', '--send', 'hi'], /--send and --stdin need --to pxa1\.\.\./],
  ];
  for (const [what, args, pattern] of cases) {
    it(`rejects ${what}`, async () => {
      expect(await main(['node', ...args])).toBe(2);
      expect(stderr).toMatch(pattern);
      expect(stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});

interface NodeProcess {
  child: ChildProcess;
  out: string[];
  err: string[];
  /** The first stdout line matching `pattern` (already printed or still to come). */
  line(pattern: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function paratoxNode(args: string[]): NodeProcess {
  const child = spawn(process.execPath, ['bin/paratox.js', 'node', '--host', '127.0.0.1', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out: string[] = [];
  const err: string[] = [];
  const waiters: Array<() => void> = [];
  const splitInto = (into: string[]) => {
    let partial = '';
    return (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop()!;
      into.push(...parts);
      for (const w of waiters.splice(0)) w();
    };
  };
  child.stdout!.on('data', splitInto(out));
  child.stderr!.on('data', splitInto(err));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const bound = setTimeout(() => reject(new Error(`no line ${pattern} within ${BOUND_MS} ms; stdout: ${out.join(' | ')}; stderr: ${err.join(' | ')}`)), BOUND_MS);
      const check = (): void => {
        for (const l of out) {
          const m = pattern.exec(l);
          if (m) {
            clearTimeout(bound);
            return resolve(m);
          }
        }
        if (child.exitCode !== null) {
          clearTimeout(bound);
          return reject(new Error(`exited ${child.exitCode} before ${pattern}; stderr: ${err.join(' | ')}`));
        }
        waiters.push(check);
      };
      check();
    });
  return { child, out, err, line, exited };
}

describe('paratox node on 127.0.0.1 (3 processes)', () => {
  it('a node joins through an entry, publishes its binding, and a third node resolves its NodeID', async () => {
    const entry = paratoxNode(['--identity-seed', '1']);
    const [, entryText] = await entry.line(/^entry (\S+)$/);
    const [, entryId] = await entry.line(/^nodeid (pxn1\w+)$/);
    expect(entryId).toBe(formatId('node', identityFromSeed(fastestSuite(), 1).publicKey));
    expect(entryText).toMatch(new RegExp(`^127\\.0\\.0\\.1:\\d+#${entryId}$`));

    const bob = paratoxNode(['--entry', entryText]);
    const [, bobAddress] = await bob.line(/^paratox node listening on (\S+)$/);
    const [, bobId] = await bob.line(/^nodeid (pxn1\w+)$/);
    await bob.line(/^joined reachable=1 /);
    await bob.line(/^published binding replicas=\d+$/);

    const carol = paratoxNode(['--entry', entryText, '--lookup', bobId]);
    const [, resolvedAddress] = await carol.line(new RegExp(`^resolved ${bobId} (\\S+) hops=\\d+ messages=\\d+$`));
    expect(resolvedAddress).toBe(bobAddress);

    // SIGTERM stops each node cleanly: it prints its counters and exits 0 by itself (no dangling timer or socket).
    const all = [entry, bob, carol];
    for (const p of all) p.child.kill('SIGTERM');
    expect(await Promise.all(all.map((p) => p.exited))).toEqual([0, 0, 0]);
    for (const p of all) {
      const stats = JSON.parse(p.out.find((l) => l.startsWith('{'))!);
      expect(stats.session.dropped.internal ?? 0).toBe(0);
      expect(stats.udp.handlerErrors).toBe(0);
      expect(p.err).toEqual([]);
    }
  });

  it('--ping keeps the spine ping protocol: a --peer node gets pongs from a --ping node', async () => {
    const answering = paratoxNode(['--ping']);
    const [, address] = await answering.line(/^paratox node listening on (\S+)$/);
    const pinging = paratoxNode(['--peer', address, '--interval-ms', '50', '--duration-s', '1']);
    await pinging.line(new RegExp(`^pong from ${address.replace(/\./g, '\\.')} rtt `));
    expect(await pinging.exited).toBe(0);
    answering.child.kill('SIGTERM');
    expect(await answering.exited).toBe(0);
  });
});
