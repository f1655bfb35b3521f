/**
 * Extension point of the DHT driver for adversaries and defences (documented in ../dht-driver.ts). A scenario
 * section (e.g. `eclipse`) that is not null activates its hooks; every hook is optional, and a driver without
 * hooks runs an all-honest network.
 */
import type { ParatoxNode, ParatoxNodeInit } from '../../../protocol/node/paratox-node.ts';
import type { BootstrapResult } from '../../../protocol/dht/dht-node.ts';
import type { PeerRef } from '../../../protocol/dht/types.ts';
import type { Report } from '../../report/report.ts';
import type { DriverContext } from '../driver.ts';
import type { ExtraNode } from './population-facts.ts';

/** 'entry': nodes 0 .. entryNodes-1, up from t = 0 and never churned; 'peer': everyone else. */
export type DhtRole = 'entry' | 'peer';

/** What hooks may read about the simulated DHT population (read-only views; the driver owns the nodes). */
export interface DhtHookContext extends DriverContext {
  /** Nodes 0 .. entryCount-1 are the entry nodes. */
  readonly entryCount: number;
  /** The node currently running at index i: undefined before it arrives, while it is down, or after it died. */
  node(index: number): ParatoxNode | undefined;
  /** Whether node i is up and its last join (bootstrap) succeeded. */
  isJoined(index: number): boolean;
  /** Contacts of the entry nodes (fixed for the run: entries never change NodeID). */
  entryRefs(): readonly PeerRef[];
}

/**
 * Hooks one scenario section plugs into the DHT driver. Called synchronously inside simulation events.
 * Malicious nodes are protocol nodes with another policy (design.md): return it from `nodeInit`.
 */
export interface DhtScenarioHooks {
  /**
   * Extra construction options for node `index` (every generation of it: a churned node comes back as a new
   * node). `dhtPolicy.policy` / `handlers` replace the honest ones; `dhtPolicy.validators` are added to the
   * driver's own. undefined: an honest node.
   */
  nodeInit?(index: number, role: DhtRole): ParatoxNodeInit | undefined;
  /** The entries a newcomer joins through; gets the driver's random pick (entriesPerNewcomer entries). */
  joinEntries?(index: number, entries: readonly PeerRef[]): readonly PeerRef[];
  /** Called when node `index` finished a join attempt (ok or not). */
  onJoined?(index: number, node: ParatoxNode, result: BootstrapResult): void;
  /** Nodes the measurement leaves out as lookup sources, lookup targets, store publishers and checkers. */
  excluded?(index: number): boolean;
  /** Extra figures for the report's `protocol` section (merged under the section's name). */
  figures?(): Record<string, unknown>;
  /** The attack figures this section measured (report.attacks). */
  finish?(): Partial<Report['attacks']>;
  /** Addresses of the nodes this section made malicious, for the tap's ground truth (`--tap` truth.json). */
  malicious?(): string[];
  /** Nodes this section added beside the population (colluders, victims), for the report's `network` view. */
  extraNodes?(): ExtraNode[];
}

/** Builds a section's hooks once per run, before any node exists. */
export type DhtHooksFactory = (ctx: DhtHookContext) => DhtScenarioHooks;
