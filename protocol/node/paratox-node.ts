/**
 * One paratox node: a NodeID key pair, secure sessions over the injected transport, and the DHT on top.
 * The same class runs in the simulator (SimTransport, SimClock, SeededRng) and on UDP (UdpTransport,
 * WallClock, CryptoRng). Later layers (onion circuits, accounts, mailboxes, noise) compose in here.
 */
import type { CryptoSuite, KeyPair } from '../crypto/suite.ts';
import { NodeIdRotator } from '../crypto/node-id-rotator.ts';
import { EventBus } from '../messenger/event-bus.ts';
import { DhtNode, type BootstrapResult, type DhtComponents } from '../dht/dht-node.ts';
import type { DhtConfig } from '../dht/config.ts';
import { BINDING_TTL_MS } from '../dht/constants.ts';
import type { NatConfig } from '../nat/constants.ts';
import { NatService } from '../nat/nat-service.ts';
import { PunchPort } from '../nat/punch-port.ts';
import type { PeerRef } from '../dht/types.ts';
import { PayloadType } from '../packet/payload-type.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Rng } from '../runtime/rng.ts';
import type { Transport } from '../runtime/transport.ts';
import type { SessionConfig } from '../session/constants.ts';
import { SessionManager } from '../session/session-manager.ts';
import { OnionService } from '../onion/onion-service.ts';
import type { OnionConfig } from '../onion/constants.ts';
import { AccountService, accountDescriptorValidator } from '../account/account-service.ts';
import type { AccountConfig } from '../account/config.ts';
import { ConversationService } from '../conversation/conversation-service.ts';
import type { ConversationConfig } from '../conversation/constants.ts';
import { RelayPicker, type RelaySelection } from './relay-picker.ts';
import { MailboxService } from '../mailbox/mailbox-service.ts';
import { MailboxClient } from '../mailbox/mailbox-client.ts';
import { MailboxOffline } from '../mailbox/offline-mailbox.ts';
import type { MailboxConfig } from '../mailbox/constants.ts';
import { createLinkShaper, type LinkShaper } from '../noise/link-shaper.ts';
import { onionNoiseConfig, resolveNoiseConfig, type NoiseConfig } from '../noise/constants.ts';

/** The messenger layers (issue 7): onion circuits, hidden-service accounts, end-to-end conversations. */
export interface MessengerInit {
  onion?: Partial<OnionConfig>;
  account?: Partial<AccountConfig>;
  conversation?: Partial<ConversationConfig>;
  relaySelection?: RelaySelection;
  /** Offline mailboxes (protocol/mailbox); periodMs follows the account layer's. */
  mailbox?: Partial<MailboxConfig>;
  /** false: an unreachable recipient's messages fail instead of waiting in mailboxes (default true). */
  offline?: boolean;
}

/** NodeID rotation (issue 7): a new key every `periodMs`; the previous one still answers for `graceMs`. */
export interface RotationInit {
  periodMs: number;
  /** Default min(2 min, periodMs); see NodeIdRotator. */
  graceMs?: number;
}

/**
 * Binding lifetime of a rotating node (unless `dht.bindingTtlMs` says otherwise): one period plus the grace, so
 * with republication every ttl/2 a rotated-out key's last binding lapses within about half a period of the
 * rotation, instead of lingering in the DHT for a day after the key stopped answering.
 */
function rotatingBindingTtlMs(rotator: NodeIdRotator): number {
  return Math.min(BINDING_TTL_MS, rotator.rotationPeriodMs + rotator.graceMs);
}

/** 'node-id-rotated': this node now handshakes, signs and is found under `current` (public keys). */
export type ParatoxNodeEvent = { readonly kind: 'node-id-rotated'; readonly previous: Uint8Array; readonly current: Uint8Array };

export interface ParatoxNodeComponents {
  transport: Transport;
  clock: Clock;
  /** The node's own stream; sub-streams are forked by name, so adding a layer reshuffles nothing else. */
  rng: Rng;
  suite: CryptoSuite;
}

export interface ParatoxNodeInit {
  /** NodeID key pair; drawn from rng.fork('identity') when absent. */
  identity?: KeyPair;
  session?: Partial<SessionConfig>;
  dht?: Partial<DhtConfig>;
  /** Policy hooks for the DHT (admission, bootstrap choice, handler table); adversaries plug in here. */
  dhtPolicy?: Pick<DhtComponents, 'policy' | 'handlers' | 'validators'>;
  /**
   * NAT traversal (protocol/nat). Every node serves as rendezvous for contacts in its routing table and accepts
   * punch notifications from them; `autoPunch` (default false here, so runs without NATs keep their traces)
   * makes the DHT punch through a contact's introducer when a handshake to the contact stalls.
   */
  nat?: Partial<NatConfig>;
  /** Cover traffic and mixing (protocol/noise); absent or policy 'off': none, and nothing changes. */
  noise?: Partial<NoiseConfig>;
  /** Builds the onion and account services (every such node relays, introduces and meets); absent: DHT only. */
  messenger?: MessengerInit;
  /**
   * Rotates the NodeID (the first key is `identity` or the usual draw; later ones from rng.fork('rotation')):
   * new handshakes and bindings use the new key, inits to the previous key are accepted for the grace period,
   * the DHT keeps its routing table, established sessions run on until idle. Absent: one NodeID for life.
   */
  rotation?: RotationInit;
}

export class ParatoxNode {
  /** Present with `rotation`: the NodeID schedule (rotateNow() on suspected compromise). */
  readonly rotator?: NodeIdRotator;
  /** Facts about this node for the layers above and the CLI; see ParatoxNodeEvent. */
  readonly events = new EventBus<ParatoxNodeEvent>();
  private readonly fixedIdentity: KeyPair;
  readonly sessions: SessionManager;
  /** Cover traffic on this node's links (pass-through when the noise policy is 'off'). */
  readonly shaper: LinkShaper;
  readonly dht: DhtNode;
  readonly nat: NatService;
  /** Present when built with `messenger`: circuits through this node and from it. */
  readonly onion?: OnionService;
  /** Present when built with `messenger`: introduction/rendezvous service, and hosting of this node's account. */
  readonly accounts?: AccountService;
  /** Present when built with `messenger`: this node's role as an offline-mailbox holder, and its client side. */
  readonly mailboxes?: MailboxService;
  readonly mailboxClient?: MailboxClient;
  /** Present after useAccount(): the user's end-to-end conversations. */
  conversations?: ConversationService;
  private readonly messengerInit?: MessengerInit;

  constructor(
    readonly components: ParatoxNodeComponents,
    init: ParatoxNodeInit = {},
  ) {
    const { transport, clock, rng, suite } = components;
    this.fixedIdentity = init.identity ?? suite.generateKeyPair(rng.fork('identity'));
    const rotator = init.rotation && this.makeRotator(init.rotation);
    this.rotator = rotator;
    // Every layer reads the key through a closure, so a rotation reaches all of them at once.
    const identity = () => this.identity;
    // Punch datagrams pass beside the session layer: it runs over a PunchPort wrapping the transport.
    const port = new PunchPort(transport);
    const liveIdentities = rotator && { liveIdentities: () => rotator.liveIds().map((id) => id.keyPair) };
    // Cover traffic shapes the links below the session layer (protocol/noise); 'off' hands the port through.
    const noise = resolveNoiseConfig(init.noise);
    this.shaper = createLinkShaper({ transport: port, clock, rng: rng.fork('noise') }, noise);
    // With noise on, sessions never go idle: bound key lifetime like WireGuard (rekey after 120 s) unless set.
    const sessionInit = noise.policy === 'off' ? init.session ?? {} : { rekeyAfterMs: 120_000, ...init.session };
    this.sessions = new SessionManager({ transport: this.shaper.transport, clock, rng: rng.fork('session'), suite, identity, ...liveIdentities }, sessionInit);
    this.shaper.attach(this.sessions);
    const inTable = (nodePub: Uint8Array) => this.dht.table.get(this.dht.contactOf({ address: '', nodePub }).key);
    this.nat = new NatService(
      {
        sessions: this.sessions,
        port,
        clock,
        rng: rng.fork('nat'),
        suite,
        identity,
        knownPeer: (nodePub) => {
          const c = inTable(nodePub);
          return c === undefined ? undefined : { address: c.address, nodePub: c.nodePub };
        },
        acceptNotify: (from) => inTable(from.nodePub) !== undefined,
      },
      { autoPunch: false, ...init.nat },
    );
    this.dht = new DhtNode(
      {
        messenger: this.nat,
        clock,
        rng: rng.fork('dht'),
        suite,
        self: () => ({ nodePub: this.identity.publicKey, address: transport.localAddress }),
        sign: (message) => suite.sign(this.identity.privateKey, message),
        ...init.dhtPolicy,
      },
      { payloadType: PayloadType.DHT, ...(rotator && { bindingTtlMs: rotatingBindingTtlMs(rotator) }), ...init.dht },
    );
    if (init.messenger) {
      this.messengerInit = init.messenger;
      this.onion = new OnionService({ messenger: this.nat, clock, rng: rng.fork('onion'), suite, identity, ...liveIdentities }, { ...onionNoiseConfig(noise), ...init.messenger.onion });
      // Every messenger node stores account descriptors for others (the DHT refuses unknown record types).
      this.dht.validators.register(accountDescriptorValidator(suite, init.messenger.account));
      const hops = init.messenger.account?.hopsPerCircuit ?? 3;
      const picker = new RelayPicker(() => this.dht.table, () => this.identity.publicKey, rng.fork('relays'), init.messenger.relaySelection, hops);
      this.accounts = new AccountService(
        { onion: this.onion, dht: this.dht, clock, rng: rng.fork('account'), suite, pickRelays: (n, exclude) => picker.pick(n, exclude) },
        init.messenger.account,
      );
      // Every messenger node holds offline mailboxes for others; a node with an account also stores and fetches.
      const periodMs = this.accounts.config.periodMs;
      const mailboxInit = { periodMs, ...init.messenger.mailbox };
      const mb = { onion: this.onion, dht: this.dht, clock, suite, pickRelays: (n: number, ex?: readonly Uint8Array[]) => picker.pick(n, ex), self: () => this.peerRef };
      this.mailboxes = new MailboxService({ ...mb, rng: rng.fork('mailbox') }, mailboxInit);
      this.mailboxClient = new MailboxClient({ ...mb, rng: rng.fork('mailbox-client'), local: this.mailboxes.local }, mailboxInit);
    }
    // NAT traversal learns from the DHT's facts instead of decoding its bodies.
    this.dht.events.on('contact-learned', (e) => this.nat.noteIntroducer(e.contact.nodePub, e.introducer));
    this.dht.events.on('address-observed', (e) => this.nat.noteObserved(e.reporter.nodePub, e.observedAddress));
    rotator?.start();
  }

  /** The current NodeID key pair: new handshakes (session, NAT, onion ntor) and bindings use it. */
  get identity(): KeyPair {
    return this.rotator ? this.rotator.current().keyPair : this.fixedIdentity;
  }

  private makeRotator(rotation: RotationInit): NodeIdRotator {
    const { clock, rng, suite } = this.components;
    const rotator = new NodeIdRotator(
      { clock, rng: rng.fork('rotation'), suite },
      { rotationPeriodMs: rotation.periodMs, graceMs: rotation.graceMs, initial: this.fixedIdentity },
    );
    rotator.onRotate(({ previous, current }) => {
      this.dht.rekey();
      this.events.emit({ kind: 'node-id-rotated', previous: previous.keyPair.publicKey, current: current.keyPair.publicKey });
    });
    return rotator;
  }

  /** How other nodes reach this one (its contact). */
  get peerRef(): PeerRef {
    return { address: this.components.transport.localAddress, nodePub: this.identity.publicKey };
  }

  /** Joins the network through `entries`, then publishes its NodeID -> address binding. */
  join(entries: readonly PeerRef[], cb: (result: BootstrapResult) => void = () => {}): void {
    this.dht.bootstrap(entries, (result) => {
      if (result.ok) this.dht.publishBinding();
      cb(result);
    });
  }

  /**
   * Makes this node the home of `account` (the user's long-lived AccountID): hosts it like a hidden service and
   * starts its conversations. Needs `messenger` in the init; call once the node has joined (it publishes).
   */
  useAccount(account: KeyPair): ConversationService {
    if (!this.accounts) throw new Error('useAccount: this node was built without the messenger layers');
    if (this.conversations) throw new Error('useAccount: this node already serves an account');
    const accounts = this.accounts;
    const { clock, rng, suite } = this.components;
    const offline =
      this.mailboxClient && this.messengerInit?.offline !== false
        ? { offline: new MailboxOffline(this.mailboxClient, { suite, rng: rng.fork('offline'), clock }) }
        : {};
    const conversations = new ConversationService(
      { clock, rng: rng.fork('conversation'), suite, account, openChannel: (pub, cb) => accounts.connect(pub, cb), ...offline },
      this.messengerInit?.conversation,
    );
    this.conversations = conversations;
    accounts.host(account, (channel) => conversations.accept(channel));
    return conversations;
  }

  /** Closes every protocol object, top layer first, so pending work fails with counted reasons and no timer stays. */
  stop(): void {
    this.rotator?.close();
    this.conversations?.stop();
    this.mailboxClient?.stop();
    this.mailboxes?.stop();
    this.accounts?.stop();
    this.onion?.stop();
    this.dht.stop();
    this.nat.stop();
    this.sessions.close();
    this.shaper.stop();
  }
}
