/**
 * Regenerates offline-seal.json: `npx tsx protocol/mailbox/vectors/generate.ts`.
 * Source: fixed seeds -> sender account, ephemeral, recipient account (SeededRng, noble suite), a fixed message id
 * and plaintext -> the one-pass MQV Z (computed here by the readable reference, crypto/ecmqv.ts
 * ecmqvSharedSecret, not by a suite) and the sealed bytes; the mailbox key and sender tag of period 20000.
 * offline-seal.test.ts checks both suites against it. Regenerate only for a deliberate format change.
 */
import { writeFileSync } from 'node:fs';
import { ecmqvSharedSecret } from '../../crypto/ecmqv.ts';
import { nobleSuite } from '../../crypto/noble-suite.ts';
import type { CryptoSuite } from '../../crypto/suite.ts';
import { fromHex, toHex } from '../../packet/bytes.ts';
import { SeededRng } from '../../runtime/seeded-rng.ts';
import { mailboxKey, senderTag } from '../mailbox-key.ts';
import { offlineSealWith } from '../offline-seal.ts';

export const VECTOR_SEED = 'offline-seal-vector';
export const VECTOR_PERIOD = 20_000;
export const VECTOR_MESSAGE_ID = '000102030405060708090a0b0c0d0e0f';
export const VECTOR_PLAINTEXT = '6f66666c696e652068656c6c6f2c20626f62'; // "offline hello, bob"

export function offlineVector(suite: CryptoSuite) {
  const root = new SeededRng(VECTOR_SEED);
  const alice = suite.generateKeyPair(root.fork('alice'));
  const ephemeral = suite.generateKeyPair(root.fork('ephemeral'));
  const bob = suite.generateKeyPair(root.fork('bob'));
  const z = ecmqvSharedSecret({ ownStatic: alice, ownEphemeral: ephemeral, peerStaticPub: bob.publicKey, peerEphemeralPub: bob.publicKey });
  const sealed = offlineSealWith(suite, alice, ephemeral, bob.publicKey, fromHex(VECTOR_MESSAGE_ID), fromHex(VECTOR_PLAINTEXT));
  const key = mailboxKey(suite, bob.publicKey, VECTOR_PERIOD);
  return {
    source: `SeededRng('${VECTOR_SEED}') forks alice/ephemeral/bob; Z by the reference crypto/ecmqv.ts; noble suite`,
    senderPriv: toHex(alice.privateKey),
    ephemeralPriv: toHex(ephemeral.privateKey),
    recipientPriv: toHex(bob.privateKey),
    messageId: VECTOR_MESSAGE_ID,
    plaintext: VECTOR_PLAINTEXT,
    z: toHex(z),
    sealed: toHex(sealed),
    period: VECTOR_PERIOD,
    mailboxKey: toHex(key),
    senderTag: toHex(senderTag(suite, alice, bob.publicKey, key)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('./offline-seal.json', import.meta.url), JSON.stringify(offlineVector(nobleSuite), null, 2) + '\n');
}
