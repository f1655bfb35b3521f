/**
 * Issue 11, "a CLI that never shows a stack trace": output paths checked before a run, budget overruns, bad
 * --host values, seeded keys off loopback, counters printed periodically and on SIGINT, oversized datagrams
 * counted, and lookups cut off by --duration-s reported. In-process where possible; real processes for what
 * only a process shows (exit codes, signals, sockets). Bounds are failure timeouts, not timings.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatId } from '../protocol/crypto/identity.ts';
import { fastestSuite } from '../protocol/crypto/select-suite.ts';
import { SeededRng } from '../protocol/runtime/seeded-rng.ts';
import { checkSeedExposure, isLoopback } from './node-host.ts';
import { writeOrRescue } from './output-paths.ts';
import { main, reportInternalError } from './program.ts';

const dir = mkdtempSync(join(tmpdir(), 'paratox-hard-'));
const tiny = { name: 'tiny', nodes: 12, durationS: 3, ping: { intervalMs: 200, peersPerNode: 3 } };
const BOUND_MS = 60_000;

function scenarioFile(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content));
  return file;
}

describe('in-process: one line, exit 2', () => {
  let stderr: string;
  beforeEach(() => {
    stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  async function usage(args: string[], pattern: RegExp): Promise<void> {
    expect(await main(args)).toBe(2);
    expect(stderr.trim()).toMatch(pattern);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  }

  const file = () => scenarioFile('tiny.json', tiny);
  // Before the fix each of these ran the whole simulation and then died with a stack trace (or overwrote the
  // scenario file with the report).
  it('refuses --out naming a directory before the run', () => usage(['run', file(), '--quiet', '--out', dir], /--out ".*": is a directory; give a file name$/));
  it('refuses --out under a regular file', () => usage(['run', file(), '--quiet', '--out', join(file(), 'r.json')], /--out ".*r\.json": cannot create its directory: a parent is a file, not a directory \((EEXIST|ENOTDIR)\)$/));
  it('refuses --out equal to --tap', () => {
    const same = join(dir, 'same.out');
    return usage(['run', file(), '--quiet', '--out', same, '--tap', same], /--tap ".*same\.out": same file as --out; give each output its own path/);
  });
  it('refuses --out equal to the tap truth file', () => {
    const tap = join(dir, 't.csv');
    return usage(['run', file(), '--quiet', '--out', `${tap}.truth.json`, '--tap', tap], /--tap truth file ".*t\.csv\.truth\.json": same file as --out/);
  });
  it('refuses --out equal to the scenario file', () => usage(['run', file(), '--quiet', '--out', file()], /--out ".*tiny\.json": same file as the scenario file/));
  it('refuses --tap in a directory that cannot exist', () => usage(['run', file(), '--quiet', '--tap', join(file(), 'tap.csv')], /--tap ".*tap\.csv": cannot create its directory/));

  it('writes nothing when a path is refused: the check costs no run', async () => {
    const out = join(dir, 'never.json');
    await usage(['run', file(), '--quiet', '--out', out, '--tap', out], /same file/);
    expect(existsSync(out)).toBe(false);
  });

  it('a run over its event budget ends with one line naming limits.maxEvents, no report', async () => {
    const storm = scenarioFile('storm.json', { name: 'storm', nodes: 40, durationS: 3600, ping: { intervalMs: 1 }, limits: { maxEvents: 50_000 } });
    const out = join(dir, 'storm-report.json');
    await usage(['run', storm, '--quiet', '--out', out], /^paratox: .*storm\.json: limits\.maxEvents: run stopped at t=[\d.]+ s of 3600 s after 50000 events/);
    expect(existsSync(out)).toBe(false);
  });

  it('commander errors are one line with the hint', () => usage(['run', file(), '--bogus'], /^paratox: error: unknown option '--bogus' \(run with --help for usage\)$/));

  it('an over-long argument is cut in the message', async () => {
    await usage(['run', file(), '--seed', '9'.repeat(100_000)], /--seed must be an integer in \[0, 4294967295\], got "9{80}\.\.\." \(100000 characters\)/);
    expect(stderr.length).toBeLessThan(400);
  });

  it('--host that is not an IP address', () => usage(['node', '--host', 'not a host', '--duration-s', '1'], /^paratox: --host must be an IP address of this machine .*got "not a host"$/));

  // Binding only: nothing is sent to the address.
  it('--host that is not this machine (bind fails with EADDRNOTAVAIL)', () =>
    usage(['node', '--ping', '--host', '8.8.8.8', '--duration-s', '1'], /^paratox: --host 8\.8\.8\.8 --port 0: cannot bind a UDP socket: not an address of this machine \(EADDRNOTAVAIL\)$/));

  it('--seed on a non-loopback address without --insecure-seed', () =>
    usage(['node', '--ping', '--host', '0.0.0.0', '--seed', '7', '--duration-s', '1'], /--seed on 0\.0\.0\.0, which is not a loopback address: every key would come from a 32-bit seed .* add --insecure-seed/));
});

describe('never lose a report, never print a stack', () => {
  it('writeOrRescue saves the text to a temp file when the path fails at the end, and says where', () => {
    const blocker = scenarioFile('blocker', 'a file');
    const r = writeOrRescue(join(blocker, 'report.json'), '{"report": 1}\n');
    expect(r.rescued).toMatch(/^cannot write ".*blocker\/report\.json": .*; the report was saved to .*report\.json instead$/);
    expect(readFileSync(r.path, 'utf8')).toBe('{"report": 1}\n');
    expect(writeOrRescue(join(dir, 'fine.json'), 'x')).toEqual({ path: join(dir, 'fine.json') });
  });

  it('a bug is one "internal error" line and exit 1; the stack only with PARATOX_DEBUG=1', () => {
    let err = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    const saved = process.env.PARATOX_DEBUG;
    try {
      delete process.env.PARATOX_DEBUG;
      expect(reportInternalError(new TypeError('x is not a function\n  second line'))).toBe(1);
      expect(err).toMatch(/^paratox: internal error \(a bug; please report it\): TypeError: x is not a function {3}second line \[PARATOX_DEBUG=1 shows the stack\]\n$/);
      err = '';
      process.env.PARATOX_DEBUG = '1';
      reportInternalError(new Error('boom'));
      expect(err).toMatch(/^Error: boom\n\s+at /);
    } finally {
      if (saved === undefined) delete process.env.PARATOX_DEBUG;
      else process.env.PARATOX_DEBUG = saved;
      spy.mockRestore();
    }
  });
});

describe('seed exposure rules', () => {
  it('loopback is 127/8 and ::1; seeds are fine there and warned with --insecure-seed elsewhere', () => {
    expect(['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '::', '192.168.1.1'].some(isLoopback)).toBe(false);
    expect(checkSeedExposure('127.0.0.1', { seed: 1, identitySeed: 2 })).toBeUndefined();
    expect(checkSeedExposure('0.0.0.0', {})).toBeUndefined();
    expect(() => checkSeedExposure('0.0.0.0', { identitySeed: 2 })).toThrow(/--identity-seed on 0\.0\.0\.0/);
    expect(checkSeedExposure('0.0.0.0', { accountSeed: 3, insecureSeed: true })).toMatch(/^WARNING: --account-seed on 0\.0\.0\.0, .*anyone can derive them/);
  });
});

/** Runs a command to its end; resolves with its exit code and output (killed after BOUND_MS). */
function runProcess(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const bound = setTimeout(() => child.kill('SIGKILL'), BOUND_MS);
    child.on('exit', (code) => {
      clearTimeout(bound);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npx tsx cli/main.ts run <bad file>: exit 2, one line on stderr, no stack trace', () => {
  const bad: Array<[string, string | Uint8Array, RegExp]> = [
    ['deep.json', `{"nodes": 2, "durationS": 1, "regions": ${'['.repeat(6000)}${']'.repeat(6000)}}`, /nested more than 32 levels deep/],
    ['inf.json', '{"nodes": 20, "durationS": 1e999}', /durationS: number out of range/],
    ['utf16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"nodes": 20}', 'utf16le')]), /file is UTF-16 text/],
    ['eclipse-under-ping.json', JSON.stringify({ nodes: 20, durationS: 5, eclipse: {} }), /eclipse: only applies to protocol "dht"/],
    ['churn-spin.json', JSON.stringify({ nodes: 20, durationS: 5, churn: { meanUptimeS: 1e-300, meanDowntimeS: 1 } }), /churn\.meanUptimeS: must be >= 0\.1/],
  ];
  it('for deep nesting, 1e999, UTF-16, a section of another protocol, a spinning rate, a device', async () => {
    const commands = bad.map(([name, content]) => ['tsx', 'cli/main.ts', 'run', scenarioFile(name, content), '--quiet']);
    commands.push(['tsx', 'cli/main.ts', 'run', '/dev/zero']);
    // Two processes at a time: the machine has 2 cores, and eight tsx start-ups at once under a loaded suite
    // ran past BOUND_MS.
    const results: Awaited<ReturnType<typeof runProcess>>[] = [];
    for (let i = 0; i < commands.length; i += 2) {
      results.push(...(await Promise.all(commands.slice(i, i + 2).map((args) => runProcess('npx', args)))));
    }
    const expected = [...bad.map(([, , p]) => p), /\/dev\/zero: not a regular file/];
    results.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^paratox: /);
      expect(lines[0]).toMatch(expected[i]);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    });
  }, 180_000);

  it('a scenario with a UTF-8 BOM runs (it was refused)', async () => {
    const f = scenarioFile('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(tiny))]));
    const r = await runProcess('npx', ['tsx', 'cli/main.ts', 'run', f, '--quiet', '--out', join(dir, 'bom-report.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'bom-report.json'), 'utf8')).scenario.name).toBe('tiny');
  });
});

interface Proc {
  out: string[];
  err: string[];
  line(pattern: RegExp): Promise<RegExpMatchArray>;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<number | null>;
}

function paratoxNode(args: string[]): Proc {
  const child = spawn(process.execPath, ['bin/paratox.js', 'node', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  const waiters: Array<() => void> = [];
  const split = (into: string[]) => {
    let partial = '';
    return (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop()!;
      into.push(...parts);
      for (const w of waiters.splice(0)) w();
    };
  };
  child.stdout.on('data', split(out));
  child.stderr.on('data', split(err));
  const bound = setTimeout(() => child.kill('SIGKILL'), BOUND_MS);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(bound);
      for (const w of waiters.splice(0)) w();
      resolve(code);
    }),
  );
  const line = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = (): void => {
        for (const l of out) {
          const m = pattern.exec(l);
          if (m) return resolve(m);
        }
        if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`exited before ${pattern}; stdout: ${out.join(' | ')}; stderr: ${err.join(' | ')}`));
        waiters.push(check);
      };
      check();
    });
  return { out, err, line, kill: (s) => child.kill(s), exited };
}

const statsOf = (p: Proc, kind: 'periodic' | 'final') => p.out.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((s) => s.stats === kind);

describe('paratox node on 127.0.0.1: counters, SIGINT, oversized datagrams, cut-off lookups', () => {
  it('prints counters every --stats-every-s and on SIGINT, counts an oversized datagram, then exits 0', async () => {
    const node = paratoxNode(['--ping', '--host', '127.0.0.1', '--stats-every-s', '1']);
    const [, address] = await node.line(/^paratox node listening on (\S+)$/);
    const port = Number(address.split(':')[1]);
    const sock = createSocket('udp4');
    await new Promise<void>((resolve) => sock.send(new Uint8Array(2000), port, '127.0.0.1', () => resolve()));
    sock.close();
    await node.line(/"stats":"periodic".*"oversized":1/);
    node.kill('SIGINT');
    expect(await node.exited).toBe(0);
    const final = statsOf(node, 'final');
    expect(final).toHaveLength(1);
    expect(final[0].udp).toMatchObject({ received: 1, dropped: { oversized: 1 } });
    expect(final[0].ping.malformed).toBe(0);
    expect(node.err).toEqual([]);
  });

  it('--insecure-seed on 0.0.0.0 runs, with a loud warning on stderr', async () => {
    const node = paratoxNode(['--ping', '--host', '0.0.0.0', '--seed', '3', '--insecure-seed', '--duration-s', '1', '--stats-every-s', '0']);
    expect(await node.exited).toBe(0);
    expect(node.err.join('\n')).toMatch(/^paratox node: WARNING: --seed on 0\.0\.0\.0, which is not a loopback address/);
    expect(statsOf(node, 'periodic')).toEqual([]);
    expect(statsOf(node, 'final')).toHaveLength(1);
  });

  it('a --lookup cut off by --duration-s ends in a "not found" line and exit 1 (it was silent, exit 0)', async () => {
    const entry = paratoxNode(['--host', '127.0.0.1', '--identity-seed', '11']);
    const [, entryText] = await entry.line(/^entry (\S+)$/);
    // Nobody holds this NodeID: the lookup keeps retrying until --duration-s stops the node.
    const absent = formatId('node', fastestSuite().generateKeyPair(new SeededRng('absent')).publicKey);
    const seeker = paratoxNode(['--host', '127.0.0.1', '--entry', entryText, '--lookup', absent, '--duration-s', '2']);
    expect(await seeker.exited).toBe(1);
    expect(seeker.err).toEqual([`paratox node: not found ${absent}: stopped by --duration-s before the lookup finished`]);
    // An entry that never answers: the node never joins before the deadline.
    const dead = paratoxNode(['--host', '127.0.0.1', '--entry', `127.0.0.1:9#${absent}`, '--lookup', absent, '--duration-s', '1']);
    expect(await dead.exited).toBe(1);
    expect(dead.err).toContain(`paratox node: not found ${absent}: stopped by --duration-s before the node joined`);
    entry.kill('SIGTERM');
    expect(await entry.exited).toBe(0);
  });
});

mkdirSync(join(dir, 'sub'), { recursive: true });
