/**
 * The `eclipse` scenario section as DHT driver hooks (sim/protocols/dht/hooks.ts). Registered in
 * sim/protocols/dht-driver.ts's HOOKS as `eclipse: eclipseHooks`.
 *
 * Roles:
 *  - `maliciousEntries` of the driver's entry nodes, drawn from the stream `eclipse/roles`, get the malicious
 *    entry handler table (malicious-entry.ts). They join and serve the honest DHT like any entry and start lying
 *    when the warm-up ends (dht.joinSpreadS): the attack falls on newcomers, not on the network's formation.
 *    The driver's measurements leave them out (`excluded`).
 *  - `colluders` extra simulated nodes (`colluder<i>`) with the colluder table (colluder.ts). `attacker.colluders`
 *    'isolated': they never join; 'integrated': each joins the honest DHT through honest entries at a random time
 *    in the warm-up's middle 60 % and publishes its binding, like any node.
 *  - `attacker.reportKeySybils` more integrated colluders per malicious entry (`sybil<e>-<j>`), their NodeIDs
 *    ground until GRIND_BITS leading bits match the key reports about that entry are stored under.
 *  - `attacker.wipeReports`: from the warm-up's end, every WIPE_INTERVAL_MS each malicious entry sends a
 *    self-report dated just inside the clock-skew allowance straight to the closest nodes of its report key
 *    (bypassing its own node's checks), the attack that wiped reports when one report replaced another.
 *  - `attacker.honestMix`, `attacker.confirm`: how malicious entries answer GET_ONLINE and CONFIRM
 *    (malicious-entry.ts).
 *  - every honest entry serves GET_ONLINE / CONFIRM (protocol/dht/entry, CONFIRM by `confirmBy`), and every
 *    honest node validates flawed-entry reports (they may be asked to hold one).
 *  - `victims` extra newcomers (victims.ts) arrive after the warm-up and join with `defence`.
 * At the end, report.attacks.eclipse (sim/metrics/eclipse.ts for the definitions) and report.protocol.eclipse
 * (attacker statistics, flag details).
 *
 * Not modelled: churn of the victims and colluders (the runner's churn covers the scenario's nodes only), NAT
 * for them (they get the default region and no NAT), and driver peers that rejoin after the warm-up through a
 * malicious entry (they join the driver's way, trusting all their entries; keep churn off in eclipse scenarios).
 */
import { entryHandlers } from '../../protocol/dht/entry/entry-handlers.ts';
import { sample } from '../../protocol/dht/entry/get-online-handler.ts';
import { flawedReportValidator } from '../../protocol/dht/entry/flawed-record.ts';
import type { ParatoxNodeInit } from '../../protocol/node/paratox-node.ts';
import type { Clock } from '../../protocol/runtime/clock.ts';
import { ParatoxNode } from '../../protocol/node/paratox-node.ts';
import { eclipseFigures } from '../metrics/eclipse.ts';
import type { DhtHookContext, DhtHooksFactory, DhtScenarioHooks } from '../protocols/dht/hooks.ts';
import type { ExtraNode } from '../protocols/dht/population-facts.ts';
import { Attacker } from './attacker.ts';
import { maliciousEntryHandlers } from './malicious-entry.ts';
import { VictimPool } from './victims.ts';
import { dhtInitOf, sessionInitOf } from '../protocols/node-init.ts';
import { colluderHandlers as isolatedColluderHandlers, integratedColluderHandlers } from './colluder.ts';
import { createFlawedReport, flawedReportKey, flawedReportRecord } from '../../protocol/dht/entry/flawed-record.ts';
import { MAX_CLOCK_SKEW_MS } from '../../protocol/dht/constants.ts';
import { keyOfNodePub, keyToHex, type DhtKey } from '../../protocol/dht/keys.ts';
import type { KeyPair } from '../../protocol/crypto/suite.ts';
import type { Rng } from '../../protocol/runtime/rng.ts';
import { blobValidator } from '../protocols/dht/blob-record.ts';

/** Leading bits a report-key Sybil's NodeID shares with the report key (2^GRIND_BITS key generations each). */
export const GRIND_BITS = 10;
/** How often a report-wiping entry re-sends its self-report. */
export const WIPE_INTERVAL_MS = 2_000;

export const eclipseHooks: DhtHooksFactory = (ctx) => new EclipseHooks(ctx);

class EclipseHooks implements DhtScenarioHooks {
  private readonly attacker: Attacker;
  private readonly maliciousEntries: Set<number>;
  private readonly colluders: ParatoxNode[] = [];
  /** The colluders that join the honest DHT. */
  private readonly integrated: ParatoxNode[] = [];
  private readonly victims: VictimPool;
  /** The attacker makes its entries' keys itself, so the team knows its members before anyone asks. */
  private readonly liarIdentities = new Map<number, KeyPair>();

  constructor(private readonly ctx: DhtHookContext) {
    const { scenario, sim } = ctx;
    const eclipse = scenario.eclipse!;
    const warmUpEndMs = Math.min(scenario.dht.joinSpreadS, scenario.durationS) * 1000;
    this.attacker = new Attacker(() => sim.now(), warmUpEndMs);
    const entryIndices = Array.from({ length: ctx.entryCount }, (_, i) => i);
    this.maliciousEntries = new Set(sample(entryIndices, Math.min(eclipse.maliciousEntries, ctx.entryCount), sim.rng('eclipse/roles')));
    for (const i of [...this.maliciousEntries].sort((a, b) => a - b)) {
      const identity = ctx.suite.generateKeyPair(sim.rng(`eclipse/liar/${ctx.names[i]}/identity`));
      this.liarIdentities.set(i, identity);
      this.attacker.addEntry(identity.publicKey);
    }
    for (let c = 0; c < eclipse.colluders; c++) this.addColluder(`colluder${c}`);
    this.addReportKeySybils();
    this.scheduleColluderJoins(warmUpEndMs);
    if (eclipse.attacker.wipeReports) sim.at(warmUpEndMs, () => this.wipe());
    this.victims = new VictimPool(ctx, this.attacker, {
      count: eclipse.victims,
      firstArrivalMs: warmUpEndMs,
      spreadMs: eclipse.victimJoinSpreadS * 1000,
      lookupsPerVictim: eclipse.victimLookups,
      isHonest: (i) => !this.maliciousEntries.has(i),
    });
    this.victims.schedule();
  }

  nodeInit(index: number, role: 'entry' | 'peer'): ParatoxNodeInit {
    const { ctx } = this;
    const name = ctx.names[index];
    const validators = [flawedReportValidator(ctx.suite)];
    const honestEntry = () =>
      entryHandlers(
        // The node's own clock, looked up when used: the handlers are built while the node is being constructed.
        { clock: lazyClock(() => ctx.node(index)!.components.clock), rng: ctx.sim.rng(`eclipse/entry/${name}`), dht: () => ctx.node(index)!.dht },
        { confirmBy: ctx.scenario.eclipse!.confirmBy },
      );
    const identity = this.liarIdentities.get(index);
    if (identity !== undefined) {
      const model = ctx.scenario.eclipse!.attacker;
      const lie = maliciousEntryHandlers(this.attacker, {
        k: ctx.scenario.dht.k,
        rng: ctx.sim.rng(`eclipse/liar/${name}`),
        honestMix: model.honestMix,
        confirm: model.confirm,
      });
      // A truthful liar keeps the honest CONFIRM handler underneath its lies.
      const underneath = model.confirm === 'truthful' ? honestEntry() : undefined;
      const handlers: typeof lie = underneath === undefined ? lie : (defaults, hc) => lie(underneath(defaults, hc), hc);
      return { identity, dhtPolicy: { handlers, validators } };
    }
    if (role === 'entry') return { dhtPolicy: { handlers: honestEntry(), validators } };
    return { dhtPolicy: { validators } };
  }

  excluded(index: number): boolean {
    return this.maliciousEntries.has(index);
  }

  figures(): Record<string, unknown> {
    // perVictim (up to 1000 rows) stays in report.attacks.eclipse only.
    const { perVictim: _perVictim, ...eclipse } = this.finish().eclipse;
    return {
      // The same figures as report.attacks.eclipse, also here so they show wherever the protocol section does.
      ...eclipse,
      maliciousEntryNames: [...this.maliciousEntries].sort((a, b) => a - b).map((i) => this.ctx.names[i]),
      attacker: { ...this.attacker.stats },
      cost: this.victims.cost(),
      victimsScheduled: this.ctx.scenario.eclipse!.victims,
    };
  }

  malicious(): string[] {
    const entries = [...this.maliciousEntries].sort((a, b) => a - b).map((i) => this.ctx.names[i]);
    return [...entries, ...this.colluders.map((c) => c.components.transport.localAddress)];
  }

  extraNodes(): ExtraNode[] {
    const colluders = this.colluders.map((node) => ({ id: node.components.transport.localAddress, role: 'colluder', node }));
    const victims = this.victims.members().map((v) => ({ id: v.name, role: 'victim', node: v.node }));
    return [...colluders, ...victims];
  }

  finish() {
    const { ctx } = this;
    const eclipse = ctx.scenario.eclipse!;
    const maliciousNodes = this.maliciousEntries.size + this.colluders.length;
    return {
      eclipse: eclipseFigures(this.victims.observations(), {
        totalNodes: ctx.names.length + this.colluders.length + eclipse.victims,
        maliciousNodes,
        maliciousEntries: this.maliciousEntries.size,
      }),
    };
  }

  private addColluder(name: string, identity?: KeyPair, dropReports = false): void {
    const { ctx } = this;
    const { scenario, sim, suite } = ctx;
    // Report-key Sybils must hold reports, so they are always in the honest DHT.
    const integrated = dropReports || scenario.eclipse!.attacker.colluders === 'integrated';
    const transport = ctx.network.addNode(name);
    const k = scenario.dht.k;
    const node = new ParatoxNode(
      { transport, clock: sim.clock(name), rng: sim.rng(`node/${name}`), suite },
      {
        identity,
        session: sessionInitOf(scenario),
        dht: integrated ? dhtInitOf(scenario) : { k, alpha: scenario.dht.alpha, autoRefresh: false },
        dhtPolicy: integrated
          ? { handlers: integratedColluderHandlers(this.attacker, { k, dropReports }), validators: [flawedReportValidator(suite), blobValidator(suite)] }
          : { handlers: isolatedColluderHandlers(this.attacker, { k }) },
      },
    );
    this.colluders.push(node);
    if (integrated) this.integrated.push(node);
    this.attacker.addColluder(node.dht.contactOf(node.peerRef));
  }

  /** Sybils next to the report keys of the attacker's entries (integrated colluders that drop those reports). */
  private addReportKeySybils(): void {
    const { ctx } = this;
    const perEntry = ctx.scenario.eclipse!.attacker.reportKeySybils;
    if (perEntry === 0) return;
    for (const [i, liar] of [...this.liarIdentities.entries()].sort((a, b) => a[0] - b[0])) {
      const reportKey = flawedReportKey(ctx.suite, liar.publicKey);
      this.attacker.protectedReportKeys.add(keyToHex(reportKey));
      const rng = ctx.sim.rng(`eclipse/sybil/${ctx.names[i]}`);
      for (let j = 0; j < perEntry; j++) this.addColluder(`sybil${i}-${j}`, this.grind(reportKey, rng), true);
    }
  }

  /** Key pairs until one's NodeID shares GRIND_BITS leading bits with `target` (what the attacker pays). */
  private grind(target: DhtKey, rng: Rng): KeyPair {
    for (;;) {
      const kp = this.ctx.suite.generateKeyPair(rng);
      if (sharedPrefixBits(keyOfNodePub(this.ctx.suite, kp.publicKey), target) >= GRIND_BITS) return kp;
    }
  }

  /** Integrated colluders join through honest entries in the middle 60 % of the warm-up. */
  private scheduleColluderJoins(warmUpEndMs: number): void {
    const { ctx } = this;
    const rng = ctx.sim.rng('eclipse/colluders/join');
    for (const node of this.integrated) {
      const at = warmUpEndMs * (0.2 + 0.6 * rng.uniform());
      ctx.sim.at(at, () => {
        const honest = ctx.entryRefs().filter((e) => !this.attacker.isMalicious(e.nodePub));
        node.join(sample(honest, ctx.scenario.dht.entriesPerNewcomer, rng));
      });
    }
  }

  /** Every malicious entry sends a future-dated self-report to its report key's closest nodes, again and again. */
  private wipe(): void {
    const { ctx } = this;
    for (const [i, liar] of this.liarIdentities) {
      const node = ctx.node(i);
      if (node === undefined) continue;
      const key = flawedReportKey(ctx.suite, liar.publicKey);
      const report = createFlawedReport((m) => ctx.suite.sign(liar.privateKey, m), {
        entryPub: liar.publicKey,
        reporterPub: liar.publicKey,
        nowMs: ctx.sim.now() + MAX_CLOCK_SKEW_MS - 1_000,
      });
      const record = flawedReportRecord(report);
      node.dht.findNode(key, (r) => {
        for (const holder of r.closest) {
          this.attacker.stats.wipeAttempts++;
          node.dht.request(holder, { kind: 'store', key, record }, (outcome) => {
            const status = outcome.ok && outcome.reply.kind === 'store-ack' ? outcome.reply.status : 'no-answer';
            this.attacker.stats.wipeAcks[status] = (this.attacker.stats.wipeAcks[status] ?? 0) + 1;
          });
        }
      });
    }
    if (ctx.sim.now() + WIPE_INTERVAL_MS < ctx.scenario.durationS * 1000) ctx.sim.at(ctx.sim.now() + WIPE_INTERVAL_MS, () => this.wipe());
  }
}

function sharedPrefixBits(a: DhtKey, b: DhtKey): number {
  let bits = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ^ b[i];
    if (x === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(x) - 24;
  }
  return bits;
}

function lazyClock(clock: () => Clock): Clock {
  return {
    now: () => clock().now(),
    setTimer: (delayMs, fn) => clock().setTimer(delayMs, fn),
    cancelTimer: (id) => clock().cancelTimer(id),
  };
}
