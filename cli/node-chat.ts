/**
 * The chat side of `paratox node`: with an account the node hosts it like a hidden service and prints what
 * arrives; with `--to pxa1...` it sends each `--send` text (and, with `--stdin`, each line typed) to that
 * account through circuits and a rendezvous point. One fact per line, stable for scripts and tests:
 *   account pxa1...
 *   sent <id> to pxa1...
 *   delivered <id> latency=<ms>ms
 *   failed <id> reason=<reason>
 *   message from pxa1... pfs=true id=<id>: <text>
 */
import { createInterface } from 'node:readline';
import { formatId } from '../protocol/crypto/identity.ts';
import type { CryptoSuite, KeyPair } from '../protocol/crypto/suite.ts';
import type { ParatoxNode } from '../protocol/node/paratox-node.ts';
import { SeededRng } from '../protocol/runtime/seeded-rng.ts';
import { UsageError } from './errors.ts';
import { parseIdOfKind } from './node-command.ts';

export interface ChatOptions {
  /** A fresh account (CSPRNG) for this run. */
  account?: boolean;
  /** The account key pair from this seed, so its AccountID is known before start (tests and demos only). */
  accountSeed?: number;
  to?: string;
  send: string[];
  stdin?: boolean;
}

/** Parses an AccountID text form (pxa1...) into its public key; one-line UsageError otherwise. */
export function parseAccountId(what: string, text: string): Uint8Array {
  return parseIdOfKind('account', what, text);
}

export function accountFromSeed(suite: CryptoSuite, seed: number): KeyPair {
  return suite.generateKeyPair(new SeededRng(`paratox-node-account/${seed}`));
}

/** Checks chat flags before any socket opens; returns the recipient key (if any). */
export function checkChatOptions(opts: ChatOptions): Uint8Array | undefined {
  const to = opts.to === undefined ? undefined : parseAccountId(`--to "${opts.to}"`, opts.to);
  const hasAccount = opts.account === true || opts.accountSeed !== undefined;
  if ((to !== undefined || opts.send.length > 0 || opts.stdin) && !hasAccount) {
    throw new UsageError('--to, --send and --stdin need an account: add --account (or --account-seed n for demos)');
  }
  if ((opts.send.length > 0 || opts.stdin) && to === undefined) throw new UsageError('--send and --stdin need --to pxa1... (the recipient)');
  return to;
}

/** Starts the account on a joined node and wires sending and printing. Returns a function that stops stdin. */
export function startChat(node: ParatoxNode, account: KeyPair, to: Uint8Array | undefined, opts: ChatOptions, say: (line: string) => void): () => void {
  const conversations = node.useAccount(account);
  conversations.events.on('message', (e) => {
    const text = new TextDecoder().decode(e.body);
    say(`message from ${formatId('account', e.fromAccountPub)} pfs=${e.protection.pfs} id=${e.messageId}: ${text}`);
  });
  conversations.events.on('outcome', (e) => {
    if (e.outcome.kind === 'delivered') say(`delivered ${e.messageId} latency=${Math.round(e.outcome.latencyMs)}ms`);
    else say(`failed ${e.messageId} reason=${e.outcome.reason}`);
  });
  if (to === undefined) return () => {};
  const toText = formatId('account', to);
  const send = (text: string): void => {
    const id = conversations.send(to, new TextEncoder().encode(text));
    say(`sent ${id} to ${toText}`);
  };
  for (const text of opts.send) send(text);
  if (!opts.stdin) return () => {};
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (line.length > 0) send(line);
  });
  return () => rl.close();
}
