/**
 * Identities. A NodeID is a temporary P-256 key pair made at start-up and rotated (node-id-rotator.ts), so
 * a node's network identity cannot be linked across long periods; an AccountID is the long-lived P-256 key
 * pair a user is known by and receives offline messages (ECIES) under.
 *
 * Why P-256 rather than X25519: ECMQV (SP 800-56A) is specified for prime-order NIST-style curves, with
 * the associate value function and cofactor h = 1 that X25519's Montgomery x-only, cofactor-8 arithmetic
 * does not give; and we want one curve and one key format for ECDH, ECMQV and ECDSA, so that a single
 * AccountID key both agrees keys and signs. P-256 is also the curve node:crypto/OpenSSL and WebCrypto
 * accelerate everywhere.
 *
 * Text form: prefix ("pxn1" NodeID, "pxa1" AccountID) + base32 (RFC 4648, lowercase, no padding) of
 * compressed key (33 B) || checksum (4 B), checksum = first 4 bytes of SHA-256(prefix || key). 64 chars.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { Rng } from '../runtime/rng.ts';
import { base32Decode, base32Encode, base32Length } from './base32.ts';
import { concatBytes, constantTimeEqual, utf8 } from './bytes.ts';
import { PUBLIC_KEY_BYTES, assertCompressedEncoding, decodePoint } from './p256.ts';
import type { CryptoSuite, KeyPair } from './suite.ts';

export type IdKind = 'node' | 'account';

export const ID_PREFIX: Readonly<Record<IdKind, string>> = Object.freeze({ node: 'pxn1', account: 'pxa1' });
const PREFIX_LENGTH = 4;
const CHECKSUM_BYTES = 4;
const BODY_CHARS = base32Length(PUBLIC_KEY_BYTES + CHECKSUM_BYTES);
/** Length of a formatted id. */
export const ID_TEXT_LENGTH = PREFIX_LENGTH + BODY_CHARS;

export interface NodeId {
  readonly kind: 'node';
  readonly keyPair: KeyPair;
  readonly text: string;
  /** Clock time at creation, for rotation bookkeeping. */
  readonly createdAtMs: number;
}

export interface AccountId {
  readonly kind: 'account';
  readonly keyPair: KeyPair;
  readonly text: string;
}

export interface ParsedId {
  readonly kind: IdKind;
  readonly publicKey: Uint8Array;
}

export type IdParseReason =
  | 'not-a-string'
  | 'wrong-prefix'
  | 'bad-length'
  | 'bad-character'
  | 'non-canonical'
  | 'checksum-mismatch'
  | 'not-a-curve-point';

export class IdParseError extends Error {
  constructor(
    readonly reason: IdParseReason,
    message: string,
    /** 0-based index into the text, for 'bad-character'. */
    readonly position?: number,
  ) {
    super(message);
    this.name = 'IdParseError';
  }
}

function checksum(prefix: string, publicKey: Uint8Array): Uint8Array {
  return sha256(concatBytes(utf8(prefix), publicKey)).subarray(0, CHECKSUM_BYTES);
}

export function formatId(kind: IdKind, publicKey: Uint8Array): string {
  assertCompressedEncoding(publicKey);
  const prefix = ID_PREFIX[kind];
  return prefix + base32Encode(concatBytes(publicKey, checksum(prefix, publicKey)));
}

const KIND_BY_PREFIX = new Map<string, IdKind>(Object.entries(ID_PREFIX).map(([k, p]) => [p, k as IdKind]));

/** Parses a text id; case-insensitive. Throws IdParseError saying what is wrong. */
export function parseId(text: string): ParsedId {
  if (typeof text !== 'string') throw new IdParseError('not-a-string', 'id must be a string');
  const lower = text.toLowerCase();
  const prefix = lower.slice(0, PREFIX_LENGTH);
  const kind = KIND_BY_PREFIX.get(prefix);
  if (kind === undefined) {
    throw new IdParseError('wrong-prefix', `id must start with "pxn1" (NodeID) or "pxa1" (AccountID), got "${text.slice(0, PREFIX_LENGTH)}"`);
  }
  if (lower.length !== ID_TEXT_LENGTH) {
    throw new IdParseError('bad-length', `id must be ${ID_TEXT_LENGTH} characters, got ${lower.length}`);
  }
  const decoded = base32Decode(lower.slice(PREFIX_LENGTH));
  if (!decoded.ok) {
    if (decoded.reason === 'non-canonical') {
      throw new IdParseError('non-canonical', 'last character has non-zero padding bits (not a canonical encoding)');
    }
    const position = PREFIX_LENGTH + decoded.index;
    throw new IdParseError('bad-character', `bad character ${JSON.stringify(text[position])} at position ${position}`, position);
  }
  const publicKey = decoded.bytes.slice(0, PUBLIC_KEY_BYTES);
  if (!constantTimeEqual(decoded.bytes.subarray(PUBLIC_KEY_BYTES), checksum(prefix, publicKey))) {
    throw new IdParseError('checksum-mismatch', 'checksum mismatch: the id was mistyped or altered');
  }
  try {
    decodePoint(publicKey);
  } catch {
    throw new IdParseError('not-a-curve-point', 'the key in this id is not a valid P-256 point');
  }
  return { kind, publicKey };
}

/** Kademlia key of an id: SHA-256 of its compressed public key. */
export function dhtKeyOf(suite: CryptoSuite, publicKey: Uint8Array): Uint8Array {
  assertCompressedEncoding(publicKey);
  return suite.sha256(publicKey);
}

export function createNodeId(suite: CryptoSuite, rng: Rng, nowMs: number): NodeId {
  const keyPair = suite.generateKeyPair(rng);
  return { kind: 'node', keyPair, text: formatId('node', keyPair.publicKey), createdAtMs: nowMs };
}

export function createAccountId(suite: CryptoSuite, rng: Rng): AccountId {
  const keyPair = suite.generateKeyPair(rng);
  return { kind: 'account', keyPair, text: formatId('account', keyPair.publicKey) };
}

/** An AccountID from a stored private key (e.g. loaded from disk). */
export function accountIdFromPrivateKey(suite: CryptoSuite, privateKey: Uint8Array): AccountId {
  const keyPair = { privateKey, publicKey: suite.publicKeyOf(privateKey) };
  return { kind: 'account', keyPair, text: formatId('account', keyPair.publicKey) };
}

export { NodeIdRotator, type NodeIdRotation, type NodeIdRotatorComponents, type NodeIdRotatorInit } from './node-id-rotator.ts';
