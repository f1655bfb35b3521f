/**
 * The `eclipse` scenario section as DHT driver hooks (sim/protocols/dht/hooks.ts). Registered in
 * sim/protocols/dht-driver.ts's HOOKS as `eclipse: eclipseHooks`.
 *
 * Roles:
 *  - `maliciousEntries` of the driver's entry nodes, drawn from the stream `eclipse/roles`, get the malicious
 *    entry handler table (malicious-entry.ts). They join and serve the honest DHT like any entry and start lying
 *    when the warm-up ends (dht.joinSpreadS): the attack falls on newcomers, not on the network's formation.
 *    The driver's measurements leave them out (`excluded`).
 *  - `colluders` extra simulated nodes (`colluder<i>`) with the colluder table (colluder.ts); they never join.
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
import { Attacker } from './attacker.ts';
import { colluderHandlers } from './colluder.ts';
import { maliciousEntryHandlers } from './malicious-entry.ts';
import { VictimPool } from './victims.ts';
import { sessionInitOf } from '../protocols/node-init.ts';

export const eclipseHooks: DhtHooksFactory = (ctx) => new EclipseHooks(ctx);

class EclipseHooks implements DhtScenarioHooks {
  private readonly attacker: Attacker;
  private readonly maliciousEntries: Set<number>;
  private readonly colluders: ParatoxNode[] = [];
  private readonly victims: VictimPool;

  constructor(private readonly ctx: DhtHookContext) {
    const { scenario, sim } = ctx;
    const eclipse = scenario.eclipse!;
    const warmUpEndMs = Math.min(scenario.dht.joinSpreadS, scenario.durationS) * 1000;
    this.attacker = new Attacker(() => sim.now(), warmUpEndMs);
    const entryIndices = Array.from({ length: ctx.entryCount }, (_, i) => i);
    this.maliciousEntries = new Set(sample(entryIndices, Math.min(eclipse.maliciousEntries, ctx.entryCount), sim.rng('eclipse/roles')));
    for (let c = 0; c < eclipse.colluders; c++) this.addColluder(`colluder${c}`);
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
    if (this.maliciousEntries.has(index)) {
      // The attacker makes its entries' keys itself, so the team knows its members before anyone asks.
      const identity = ctx.suite.generateKeyPair(ctx.sim.rng(`eclipse/liar/${name}/identity`));
      this.attacker.addEntry(identity.publicKey);
      const handlers = maliciousEntryHandlers(this.attacker, { k: ctx.scenario.dht.k, rng: ctx.sim.rng(`eclipse/liar/${name}`) });
      return { identity, dhtPolicy: { handlers, validators } };
    }
    if (role === 'entry') {
      const handlers = entryHandlers(
        // The node's own clock, looked up when used: the handlers are built while the node is being constructed.
        { clock: lazyClock(() => ctx.node(index)!.components.clock), rng: ctx.sim.rng(`eclipse/entry/${name}`), dht: () => ctx.node(index)!.dht },
        { confirmBy: ctx.scenario.eclipse!.confirmBy },
      );
      return { dhtPolicy: { handlers, validators } };
    }
    return { dhtPolicy: { validators } };
  }

  excluded(index: number): boolean {
    return this.maliciousEntries.has(index);
  }

  figures(): Record<string, unknown> {
    return {
      // The same figures as report.attacks.eclipse, also here so they show wherever the protocol section does.
      ...this.finish().eclipse,
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

  private addColluder(name: string): void {
    const { ctx } = this;
    const { scenario, sim, suite } = ctx;
    const transport = ctx.network.addNode(name);
    const node = new ParatoxNode(
      { transport, clock: sim.clock(name), rng: sim.rng(`node/${name}`), suite },
      {
        session: sessionInitOf(scenario),
        dht: { k: scenario.dht.k, alpha: scenario.dht.alpha, autoRefresh: false },
        dhtPolicy: { handlers: colluderHandlers(this.attacker, { k: scenario.dht.k }) },
      },
    );
    this.colluders.push(node);
    this.attacker.addColluder(node.dht.contactOf(node.peerRef));
  }
}

function lazyClock(clock: () => Clock): Clock {
  return {
    now: () => clock().now(),
    setTimer: (delayMs, fn) => clock().setTimer(delayMs, fn),
    cancelTimer: (id) => clock().cancelTimer(id),
  };
}
