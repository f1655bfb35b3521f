/**
 * Alice, Bob (and anyone else) as ConversationServices joined by FakeChannelPairs: openChannel to a known
 * account makes a pair, hands its far end to that service's accept() and answers after one latency; to an
 * unknown account it makes a pair nobody listens on (a black hole) or refuses, as the test asks.
 */
import type { CryptoSuite, KeyPair } from '../../crypto/suite.ts';
import { toHex } from '../../packet/bytes.ts';
import { SeededRng } from '../../runtime/seeded-rng.ts';
import { ManualClock } from '../../session/testing/loopback.ts';
import type { ConversationConfig } from '../constants.ts';
import { ConversationService, type OpenChannelResult } from '../conversation-service.ts';
import type { MessageEvent, OutcomeEvent } from '../events.ts';
import { FakeChannelPair, type FakeChannelOptions } from './fake-channel.ts';

export interface Party {
  readonly name: string;
  readonly account: KeyPair;
  readonly service: ConversationService;
  readonly inbox: MessageEvent[];
  readonly outcomes: OutcomeEvent[];
}

export interface WorldOptions {
  readonly suite: CryptoSuite;
  readonly seed?: string;
  readonly channel?: FakeChannelOptions;
  readonly config?: Partial<ConversationConfig>;
  /** What openChannel does for an account nobody registered. */
  readonly unknown?: 'black-hole' | 'refuse';
}

export class World {
  readonly clock = new ManualClock();
  readonly pairs: FakeChannelPair[] = [];
  readonly parties = new Map<string, Party>();
  /** Called with each new pair before it is used (set an interceptor, ...). */
  onPair?: (pair: FakeChannelPair) => void;
  /** When set, openChannel answers { ok: false } while it returns true. */
  refuseOpen?: () => boolean;
  private readonly rng: SeededRng;

  constructor(readonly options: WorldOptions) {
    this.rng = new SeededRng(options.seed ?? 'world');
  }

  party(name: string, config: Partial<ConversationConfig> = {}): Party {
    const rng = this.rng.fork(name);
    const account = this.options.suite.generateKeyPair(rng.fork('account'));
    const service = new ConversationService(
      {
        clock: this.clock,
        rng: rng.fork('conversation'),
        suite: this.options.suite,
        account,
        openChannel: (pub, cb) => this.openChannel(pub, cb),
      },
      { ...this.options.config, ...config },
    );
    const party: Party = { name, account, service, inbox: [], outcomes: [] };
    service.events.on('message', (e) => party.inbox.push(e));
    service.events.on('outcome', (e) => party.outcomes.push(e));
    this.parties.set(toHex(account.publicKey), party);
    return party;
  }

  /** Every byte any relay carried. */
  carried(): Uint8Array[] {
    return this.pairs.flatMap((p) => p.carried.map((c) => c.bytes));
  }

  private openChannel(pub: Uint8Array, cb: (r: OpenChannelResult) => void): void {
    const target = this.parties.get(toHex(pub));
    const latency = this.options.channel?.latencyMs ?? 10;
    if (this.refuseOpen?.() || (!target && this.options.unknown === 'refuse')) {
      this.clock.setTimer(latency, () => cb({ ok: false, reason: 'no-route' }));
      return;
    }
    const pair = new FakeChannelPair(this.clock, { ...this.options.channel, rng: this.rng.fork(`pair${this.pairs.length}`) });
    this.pairs.push(pair);
    this.onPair?.(pair);
    this.clock.setTimer(latency, () => {
      target?.service.accept(pair.b);
      cb({ ok: true, channel: pair.a });
    });
  }
}

export const bytesOf = (n: number, seed = 1): Uint8Array => {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
};

/** True if `needle` occurs anywhere in `haystack`. */
export function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
