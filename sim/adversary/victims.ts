/**
 * The eclipse attack's victims: newcomers that arrive after the DHT's warm-up, join through entries with the
 * scenario's defence (protocol/dht/entry: 'none' = the first entry, trusted; 'multi-entry' = all entries, no
 * check; 'cross-check' = entries cross-checked, flags on own evidence), then look up existing honest NodeIDs.
 * They are extra simulated nodes (names `victim<i>`) owned by these hooks rather than the driver's peers,
 * because their join procedure is the thing under test; the driver's own measurement never sees them. What each one ends up seeing is turned into figures by
 * sim/metrics/eclipse.ts.
 */
import { createEntryJoin, type EntryJoinResult } from '../../protocol/dht/entry/cross-checked-join.ts';
import { EntryGuard } from '../../protocol/dht/entry/entry-guard.ts';
import { flawedReportValidator } from '../../protocol/dht/entry/flawed-record.ts';
import { bytesEqual } from '../../protocol/dht/keys.ts';
import type { PeerRef } from '../../protocol/dht/types.ts';
import { ParatoxNode } from '../../protocol/node/paratox-node.ts';
import type { Rng } from '../../protocol/runtime/rng.ts';
import type { LookupObservation, VictimObservation } from '../metrics/eclipse.ts';
import type { SimTransport } from '../network/sim-transport.ts';
import { blobValidator } from '../protocols/dht/blob-record.ts';
import { sumSessionStats } from '../protocols/session-stats.ts';
import type { DhtHookContext } from '../protocols/dht/hooks.ts';
import type { Attacker } from './attacker.ts';
import { dhtInitOf, natInitOf, sessionInitOf } from '../protocols/node-init.ts';

/** A victim starts its lookups this long after its join finished (its binding publication settles). */
const LOOKUP_DELAY_MS = 1_000;

interface Victim {
  readonly name: string;
  readonly transport: SimTransport;
  /** Which entry nodes it knows (indices into ctx.entryRefs()), drawn up front so every defence meets the same. */
  entryIndices: number[];
  node?: ParatoxNode;
  entries: PeerRef[];
  result?: EntryJoinResult;
  lookups: LookupObservation[];
  lookupsStarted: number;
}

export interface VictimPoolInit {
  count: number;
  /** First arrival; arrivals spread uniformly over [firstArrivalMs, firstArrivalMs + spreadMs]. */
  firstArrivalMs: number;
  spreadMs: number;
  lookupsPerVictim: number;
  /** Honest driver nodes (lookup targets): index -> whether it is honest. */
  isHonest: (index: number) => boolean;
}

export class VictimPool {
  private readonly victims: Victim[];
  /** Separate streams, so that what one defence does (e.g. how long joins take) changes no other draw. */
  private readonly arrivalRng: Rng;
  private readonly entryRng: Rng;
  private readonly lookupRng: Rng;

  constructor(
    private readonly ctx: DhtHookContext,
    private readonly attacker: Attacker,
    private readonly init: VictimPoolInit,
  ) {
    this.arrivalRng = ctx.sim.rng('eclipse/victims/arrival');
    this.entryRng = ctx.sim.rng('eclipse/victims/entries');
    this.lookupRng = ctx.sim.rng('eclipse/victims/lookups');
    this.victims = Array.from({ length: init.count }, (_, v) => {
      const name = `victim${v}`;
      return { name, transport: ctx.network.addNode(name), entryIndices: this.drawEntries(), entries: [], lookups: [], lookupsStarted: 0 };
    });
  }

  get names(): string[] {
    return this.victims.map((v) => v.name);
  }

  /** Every victim by name, with its node once it arrived (the report's network view). */
  members(): Array<{ name: string; node: ParatoxNode | undefined }> {
    return this.victims.map((v) => ({ name: v.name, node: v.node }));
  }

  /** Schedules every arrival; call once, when the hooks are built. */
  schedule(): void {
    for (const victim of this.victims) {
      const at = this.init.firstArrivalMs + this.arrivalRng.uniform() * this.init.spreadMs;
      this.ctx.sim.at(at, () => this.arrive(victim));
    }
  }

  /** What the victims' joins cost: session counters and join-procedure messages (GET_ONLINE, CONFIRM, reports). */
  cost(): Record<string, unknown> {
    const nodes = this.victims.flatMap((v) => (v.node === undefined ? [] : [v.node]));
    const joinMessages = this.victims.reduce((n, v) => n + (v.result?.messages ?? 0), 0);
    const bootstrapContacts = this.victims.reduce((n, v) => n + (v.result?.bootstrapContacts ?? 0), 0);
    const s = sumSessionStats(nodes.map((n) => n.sessions));
    return {
      victimHandshakes: (s.handshakesStarted as number) ?? 0,
      victimPacketsSent: (s.packetsSent as number) ?? 0,
      joinMessagesPerVictim: nodes.length === 0 ? null : joinMessages / nodes.length,
      bootstrapContactsPerVictim: nodes.length === 0 ? null : bootstrapContacts / nodes.length,
    };
  }

  observations(): VictimObservation[] {
    return this.victims.filter((v) => v.node !== undefined).map((v) => this.observe(v));
  }

  private arrive(victim: Victim): void {
    const { ctx } = this;
    const { scenario, sim, suite } = ctx;
    const eclipse = scenario.eclipse!;
    const guard = new EntryGuard();
    const node = new ParatoxNode(
      { transport: victim.transport, clock: sim.clock(victim.name), rng: sim.rng(`node/${victim.name}`), suite },
      {
        session: sessionInitOf(scenario),
        dht: dhtInitOf(scenario),
        ...(natInitOf(scenario) && { nat: natInitOf(scenario) }),
        dhtPolicy: { policy: guard, validators: [flawedReportValidator(suite), blobValidator(suite)] },
      },
    );
    victim.node = node;
    const refs = ctx.entryRefs();
    victim.entries = victim.entryIndices.filter((e) => e < refs.length).map((e) => refs[e]);
    const join = createEntryJoin(eclipse.defence, {
      guard,
      suite,
      onlineSample: eclipse.onlineSample,
      publishFlawed: eclipse.publishFlawed,
      consultFlawed: eclipse.publishFlawed,
      verifyPaths: eclipse.verifyPaths,
      verifySample: eclipse.verifySample,
      bootstrapFrom: eclipse.bootstrapFrom,
      rng: sim.rng(`eclipse/victims/verify/${victim.name}`),
      sign: (m) => suite.sign(node.identity.privateKey, m),
      now: () => sim.now(),
    });
    join(node, victim.entries, (result) => {
      victim.result = result;
      if (result.joined && result.bootstrap?.ok) sim.clock(victim.name).setTimer(LOOKUP_DELAY_MS, () => this.lookups(victim));
    });
  }

  /** entriesPerNewcomer distinct entry indices, drawn as the driver draws entries for its own newcomers. */
  private drawEntries(): number[] {
    const indices = Array.from({ length: this.ctx.entryCount }, (_, i) => i);
    const want = Math.min(this.ctx.scenario.dht.entriesPerNewcomer, indices.length);
    for (let j = 0; j < want; j++) {
      const r = j + this.entryRng.int(indices.length - j);
      [indices[j], indices[r]] = [indices[r], indices[j]];
    }
    return indices.slice(0, want);
  }

  private lookups(victim: Victim): void {
    const node = victim.node!;
    const honest: number[] = [];
    for (let i = 0; i < this.ctx.names.length; i++) if (this.init.isHonest(i) && this.ctx.isJoined(i)) honest.push(i);
    for (let n = 0; n < this.init.lookupsPerVictim && honest.length > 0; n++) {
      const target = this.ctx.node(honest[this.lookupRng.int(honest.length)])!.dht.key;
      victim.lookupsStarted++;
      node.dht.findNode(target, (r) => {
        victim.lookups.push({
          found: r.found !== undefined && bytesEqual(r.found.key, target),
          resultSize: r.closest.length,
          maliciousInResult: r.closest.filter((c) => this.attacker.isMalicious(c.nodePub)).length,
        });
      });
    }
  }

  private observe(victim: Victim): VictimObservation {
    const node = victim.node!;
    const contacts = node.dht.table.contacts();
    const flawed = victim.result?.flawed ?? [];
    const isFlagged = (e: PeerRef) => flawed.some((f) => bytesEqual(f.nodePub, e.nodePub));
    const malicious = victim.entries.filter((e) => this.attacker.isMaliciousEntry(e.nodePub));
    const honest = victim.entries.filter((e) => !this.attacker.isMaliciousEntry(e.nodePub));
    return {
      joinFinished: victim.result !== undefined,
      joined: victim.result?.joined === true && victim.result.bootstrap?.ok === true,
      tableSize: contacts.length,
      maliciousInTable: contacts.filter((c) => this.attacker.isMalicious(c.nodePub)).length,
      lookups: victim.lookups,
      lookupsUnfinished: victim.lookupsStarted - victim.lookups.length,
      lookupsPlanned: this.init.lookupsPerVictim,
      maliciousEntriesKnown: malicious.map((e) => e.address),
      honestEntriesKnown: honest.map((e) => e.address),
      flaggedMalicious: malicious.filter(isFlagged).map((e) => e.address),
      flaggedHonest: honest.filter(isFlagged).map((e) => e.address),
    };
  }
}
