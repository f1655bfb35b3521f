import { describe, expect, it } from 'vitest';
import { keyOfNodePub } from '../../protocol/dht/keys.ts';
import type { Contact } from '../../protocol/dht/types.ts';
import { fastestSuite } from '../../protocol/crypto/select-suite.ts';
import { Attacker } from './attacker.ts';
import { colluderHandlers } from './colluder.ts';
import { maliciousEntryHandlers } from './malicious-entry.ts';
import { SeededRng } from '../../protocol/runtime/seeded-rng.ts';

const suite = fastestSuite();
const rng = new SeededRng(9);
function contact(name: string): Contact {
  const pub = suite.generateKeyPair(rng.fork(name)).publicKey;
  return { key: keyOfNodePub(suite, pub), nodePub: pub, address: name, lastSeenMs: 0 };
}

describe('Attacker and its handler tables', () => {
  let now = 0;
  const attacker = new Attacker(() => now, 1_000);
  const colluders = Array.from({ length: 6 }, (_, i) => contact(`c${i}`));
  for (const c of colluders) attacker.addColluder(c);
  const liar = contact('liar');
  attacker.addEntry(liar.nodePub);
  const established = contact('old');
  const newcomer = contact('new');
  const honestDefaults = { 'find-node': () => ({ kind: 'nodes' as const, contacts: [established] }) };
  const liarTable = maliciousEntryHandlers(attacker, { k: 4, rng: rng.fork('liar') })(honestDefaults, {} as never);
  const colluderTable = colluderHandlers(attacker, { k: 4 })({}, {} as never);
  const rid = new Uint8Array(8);

  it('a malicious entry is honest before the attack and to established nodes', () => {
    expect(liarTable['find-node']!(newcomer, { kind: 'find-node', requestId: rid, target: newcomer.key })).toEqual({ kind: 'nodes', contacts: [established] });
    now = 2_000;
    expect(liarTable['find-node']!(established, { kind: 'find-node', requestId: rid, target: newcomer.key })).toEqual({ kind: 'nodes', contacts: [established] });
    expect(attacker.isTarget(established)).toBe(false);
  });

  it('recognises a newcomer by its self lookup and answers it with colluders only', () => {
    const r = liarTable['find-node']!(newcomer, { kind: 'find-node', requestId: rid, target: newcomer.key });
    expect(attacker.isTarget(newcomer)).toBe(true);
    expect(r?.kind === 'nodes' && r.contacts.length === 4 && r.contacts.every((c) => attacker.isMalicious(c.nodePub))).toBe(true);
  });

  it('confirms the team and denies everyone else', () => {
    const r = liarTable.confirm!(contact('asker'), { kind: 'confirm', requestId: rid, contacts: [colluders[0], established, liar] });
    expect(r).toEqual({ kind: 'confirmed', statuses: ['exists', 'unknown', 'exists'] });
  });

  it('colluders answer targets and team mates, and ignore honest traffic', () => {
    expect(colluderTable.ping!(established, { kind: 'ping', requestId: rid })).toBeUndefined();
    expect(colluderTable.ping!(newcomer, { kind: 'ping', requestId: rid })).toMatchObject({ kind: 'pong' });
    const v = colluderTable['find-value']!(newcomer, { kind: 'find-value', requestId: rid, key: established.key, recordType: 1 });
    expect(v?.kind).toBe('nodes');
    expect(attacker.stats.ignored).toBe(1);
  });
});
