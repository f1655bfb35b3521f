/**
 * Where an account's mailbox lives and how its owner proves it is theirs.
 *
 *   A'         = blindPublicKey(A, period)                      (protocol/account/blinding.ts: h·A)
 *   mailboxKey = SHA-256("paratox/v1/mailbox" || A')            the DHT key whose k closest nodes hold the items
 *
 * Holders see mailboxKey and, when the owner lists or deletes, A' (to check the proof); never A. The owner proves
 * ownership with an ECDSA signature by a' = h·a over (label || mailboxKey || timestampMs || item ids).
 *
 * Sender tag: SHA-256("paratox/v1/mailbox-sender" || ECDH(a, B) || mailboxKey)[0..16]: stable for one sender,
 * recipient and period, unlinkable across recipients and periods without a or b. Holders count items per tag
 * (maxItemsPerSender), which stops an ordinary client that floods one mailbox from shutting others out. It cannot
 * stop a malicious sender who draws a fresh random tag per item (holders cannot verify a tag without A and B):
 * that one is bounded only by the per-mailbox quota, and when it fills the mailbox every later sender is refused
 * with 'quota' (reported, not silent). Bob can check tags after opening (offline-mailbox.ts counts mismatches).
 */
import { concatBytes, utf8 } from '../crypto/bytes.ts';
import type { CryptoSuite, KeyPair } from '../crypto/suite.ts';
import { writeU64 } from '../packet/bytes.ts';
import { blindKeyPair, blindPublicKey } from '../account/blinding.ts';
import { DELETE_PROOF_LABEL, LIST_PROOF_LABEL, MAILBOX_KEY_LABEL, SENDER_TAG_BYTES, SENDER_TAG_LABEL } from './constants.ts';

const KEY_LABEL = utf8(MAILBOX_KEY_LABEL);

export function mailboxKeyOfBlinded(suite: Pick<CryptoSuite, 'sha256'>, blindedPub: Uint8Array): Uint8Array {
  return suite.sha256(concatBytes(KEY_LABEL, blindedPub));
}

/** Sender side: the mailbox key of account `accountPub` in `period`. Throws CryptoError on a bad key. */
export function mailboxKey(suite: Pick<CryptoSuite, 'sha256'>, accountPub: Uint8Array, period: number): Uint8Array {
  return mailboxKeyOfBlinded(suite, blindPublicKey(suite, accountPub, period));
}

/** Owner side: the blinded key pair and mailbox key of `account` in `period`. */
export function ownMailbox(suite: Pick<CryptoSuite, 'sha256'>, account: KeyPair, period: number): { blinded: KeyPair; key: Uint8Array } {
  const blinded = blindKeyPair(suite, account, period);
  return { blinded, key: mailboxKeyOfBlinded(suite, blinded.publicKey) };
}

export function senderTag(suite: CryptoSuite, sender: KeyPair, recipientPub: Uint8Array, key: Uint8Array): Uint8Array {
  const shared = suite.ecdh(sender.privateKey, recipientPub);
  return suite.sha256(concatBytes(utf8(SENDER_TAG_LABEL), shared, key)).slice(0, SENDER_TAG_BYTES);
}

/** What the owner signs: label || mailboxKey || timestampMs (u64, whole ms) || itemIds. */
export function proofMessage(kind: 'list' | 'delete', key: Uint8Array, timestampMs: number, itemIds: readonly Uint8Array[] = []): Uint8Array {
  const ts = new Uint8Array(8);
  writeU64(ts, 0, Math.max(0, Math.floor(timestampMs)));
  return concatBytes(utf8(kind === 'list' ? LIST_PROOF_LABEL : DELETE_PROOF_LABEL), key, ts, ...itemIds);
}
