/** What a request handler sees and returns. One file per message type, as in kad-dht's rpc/handlers. */
import type { MessageOf, RequestKind } from '../messages.ts';
import type { RecordStore } from '../record-store.ts';
import type { RoutingTable } from '../routing-table.ts';
import type { OutgoingReply } from '../rpc.ts';
import type { StatsCounter } from '../stats.ts';
import type { Contact } from '../types.ts';

export interface HandlerComponents {
  table: RoutingTable;
  store: RecordStore;
  stats: StatsCounter;
}

export interface HandlerInit {
  /** Contacts per NODES reply (before trimming to the body budget). */
  k: number;
  /** STORE: refuse keys that this many known nodes are closer to than we are (store-radius.ts; 0 = no check). */
  storeRadius: number;
}

export type { RequestKind };

/** Returns the reply to send, or undefined to send none. `from` is authenticated by the session layer. */
export type RequestHandler<K extends RequestKind> = (from: Contact, msg: MessageOf<K>) => OutgoingReply | undefined;

export type HandlerTable = { [K in RequestKind]?: RequestHandler<K> };
