/**
 * One account a node hosts (Bob's side, rend-spec-v3 §3): its introduction points (intro-slot.ts), its
 * descriptors (descriptor-publisher.ts) and the introductions it receives. For each INTRODUCE2:
 *
 *   1. It must name the slot's auth key ('wrong-auth-key').
 *   2. The account's token bucket ('service-rate-limited') and the bound on rendezvous circuits being built
 *      ('too-many-rendezvous') come before any public-key work, so a flood costs us no more than the bucket.
 *   3. A seal seen before is a replay by the intro point ('replayed'; rend-spec-v3 §3.2.2 replay cache); one
 *      that does not open is 'seal-failed'; one sent longer than cookieTtlMs + skew ago is 'introduce-expired'
 *      (it could not meet a live cookie, and the bounded replay cache only needs to cover that window).
 *   4. Then a circuit to the rendezvous point, RENDEZVOUS1, and the channel goes to `onIncoming`. When the
 *      client's rendezvous point is this very node (its cookie waits in our own table) we join locally.
 */
import { bytesEqual } from '../dht/keys.ts';
import type { KeyPair } from '../crypto/suite.ts';
import type { Channel } from '../messenger/channel.ts';
import { CircuitChannel } from './circuit-channel.ts';
import type { AccountContext } from './context.ts';
import { DescriptorPublisher } from './descriptor-publisher.ts';
import { openIntroduce, rendezvousTag } from './introduce-seal.ts';
import { IntroSlot } from './intro-slot.ts';
import { RecentSet, TokenBucket } from './limits.ts';
import { decodeIntroduce } from './messages.ts';
import { ServiceRendezvous } from './service-rendezvous.ts';

export class HostedAccount {
  private readonly slots: IntroSlot[] = [];
  private readonly publisher: DescriptorPublisher;
  private readonly bucket: TokenBucket;
  private readonly replay: RecentSet;
  private readonly pending = new Set<ServiceRendezvous>();
  private stopped = false;

  constructor(
    private readonly ctx: AccountContext,
    readonly account: KeyPair,
    private readonly onIncoming: (channel: Channel) => void,
    private readonly adopt: (channel: CircuitChannel) => void,
  ) {
    const { config } = ctx;
    this.publisher = new DescriptorPublisher(ctx, account, () => this.slots.flatMap((s) => (s.info ? [s.info] : [])));
    this.bucket = new TokenBucket(config.serviceIntroRatePerS, config.serviceIntroBurst, ctx.components.clock.now());
    this.replay = new RecentSet(config.replayCacheSize);
  }

  get introPointsReady(): number {
    return this.slots.filter((s) => s.ready).length;
  }

  start(): void {
    const events = {
      changed: () => this.publisher.schedule(),
      introduce: (slot: IntroSlot, body: Uint8Array) => this.onIntroduce(slot, body),
      otherRelays: (slot: IntroSlot) => this.slots.flatMap((s) => (s !== slot && s.relay ? [s.relay.nodePub] : [])),
    };
    for (let i = 0; i < this.ctx.config.introPoints; i++) this.slots.push(new IntroSlot(this.ctx, events));
    for (const slot of this.slots) slot.start();
  }

  stop(): void {
    this.stopped = true;
    for (const slot of this.slots) slot.stop();
    this.publisher.stop();
    for (const r of [...this.pending]) r.cancel();
  }

  private onIntroduce(slot: IntroSlot, body: Uint8Array): void {
    const { counters, components, config } = this.ctx;
    const m = decodeIntroduce(body);
    if (m === null) return counters.drop('malformed');
    if (slot.authKey === undefined || slot.encKey === undefined || !bytesEqual(m.authKey, slot.authKey.publicKey)) {
      return counters.drop('wrong-auth-key');
    }
    const now = components.clock.now();
    if (!this.bucket.take(now)) return counters.drop('service-rate-limited');
    if (this.pending.size >= config.maxPendingRendezvous) return counters.drop('too-many-rendezvous');
    const digest = components.suite.sha256(m.sealed);
    if (this.replay.has(digest)) return counters.drop('replayed');
    const secret = openIntroduce(components.suite, slot.encKey.privateKey, m.authKey, m.sealed);
    if (secret === null) return counters.drop('seal-failed');
    if (secret.sentAtMs < now - config.cookieTtlMs - config.maxClockSkewMs || secret.sentAtMs > now + config.maxClockSkewMs) {
      return counters.drop('introduce-expired');
    }
    this.replay.add(digest);
    counters.service.introductionsReceived++;
    const joined = (channel: CircuitChannel): void => {
      if (this.stopped) return channel.close('stopped');
      counters.service.rendezvousJoined++;
      this.adopt(channel);
      this.onIncoming(channel);
    };
    // The client may have picked this very node as its rendezvous point: join locally.
    const pipe = this.ctx.local.joinRendezvous(secret.cookie, rendezvousTag(components.suite, secret.secret, secret.cookie));
    if (pipe !== null) return joined(new CircuitChannel(pipe, config.relayBodyMaxBytes, counters));
    const r = new ServiceRendezvous(this.ctx, secret, (done, channel) => {
      this.pending.delete(done);
      if (channel === null) {
        counters.service.rendezvousFailed++;
        return;
      }
      joined(channel);
    });
    this.pending.add(r);
    r.start();
  }
}
