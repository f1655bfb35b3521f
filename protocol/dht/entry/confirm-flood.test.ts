/**
 * Issue 11 item 4, CONFIRM side, end to end: a requester that sends an honest entry CONFIRM after CONFIRM, each
 * listing as many never-seen NodeIDs as fit in a packet, used to make the entry run one DHT lookup per listed
 * contact (the resolve oracle). Guards: the lookups one requester causes stay within
 * (burst + elapsed / refill) x maxResolvesPerConfirm, and the excess CONFIRMs are counted drops.
 */
import { describe, expect, it } from 'vitest';
import { DHT_PAYLOAD_TYPE } from '../constants.ts';
import { MessageCodec } from '../messages.ts';
import { createRogue } from '../testing/rogue-node.ts';
import type { PeerRef } from '../types.ts';
import { CONFIRM_BURST, CONFIRM_REFILL_MS, MAX_RESOLVES_PER_CONFIRM } from './constants.ts';
import { EntryWorld } from './testing/entry-world.ts';

describe('CONFIRM flood', () => {
  it('one requester sending 100 CONFIRMs of 32 unknown NodeIDs causes at most the bounded number of lookups', () => {
    const world = new EntryWorld(11);
    world.grow(20);
    const entry = world.nodes[4];
    const rogue = createRogue(world.network, world.suite.generateKeyPair(world.rng.fork('flooder')), 'evil', () => undefined);
    const codec = new MessageCodec();
    const ghosts = world.rng.fork('ghosts');
    const lookupsBefore = entry.dht.stats().lookups;
    const start = world.clock.now();
    const confirms = 100;
    for (let i = 0; i < confirms; i++) {
      // 32 contacts with a 1-byte address fill the 1,190-byte body: the most one CONFIRM can carry.
      const contacts: PeerRef[] = Array.from({ length: 32 }, () => ({ address: 'g', nodePub: world.suite.generateKeyPair(ghosts).publicKey }));
      const requestId = new Uint8Array(8);
      new DataView(requestId.buffer).setUint32(4, i);
      world.network.inject(rogue.peer, entry.peerRef.address, DHT_PAYLOAD_TYPE, codec.encode({ kind: 'confirm', requestId, contacts }));
      world.clock.advance(2_000); // past the entry's 1.5 s answer deadline: each CONFIRM finds no work pending
    }
    world.settle();
    const elapsedMs = world.clock.now() - start;
    const lookups = entry.dht.stats().lookups - lookupsBefore;
    const bound = (CONFIRM_BURST + Math.floor(elapsedMs / CONFIRM_REFILL_MS)) * MAX_RESOLVES_PER_CONFIRM;
    // Without the limits: 100 x 32 = 3,200 lookups.
    expect(lookups).toBeLessThanOrEqual(bound);
    expect(bound).toBeLessThan(confirms * 32 / 4);
    const drops = entry.dht.stats().drops['confirm-rate'];
    expect(drops).toBeGreaterThanOrEqual(confirms - CONFIRM_BURST - Math.floor(elapsedMs / CONFIRM_REFILL_MS));
    // Every CONFIRM let through was answered.
    expect(rogue.received.filter((m) => m.kind === 'confirmed')).toHaveLength(confirms - drops);
  });
});
