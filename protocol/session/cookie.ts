/**
 * Cookies for handshake inits (WireGuard paper §5.3, §5.4.7): a responder under load answers an init with a
 * cookie reply (packet/cookie-packet.ts) instead of doing any ECDH or ECMQV work. The cookie is a MAC of the
 * init's source address under a secret that rotates every `lifetimeMs`, so it proves only that the
 * initiator can receive at that address; the initiator then sends its init again with mac2 = MAC(cookie,
 * init), which the responder checks with two HMACs and admits even under load (rate-limited per source).
 *
 * The reply is encrypted under a key derived from the responder's static public key (as in WireGuard): the
 * initiator knows which key it addressed. Static keys are public in paratox (the DHT), so like WireGuard's
 * this hides the cookie from an observer who does not know who is being called, and binds the reply to
 * the init it answers (AAD), so no one who has not seen that init can forge it. Caveat: a responder in its
 * NodeID-rotation grace period encrypts under its current key, so an initiator still addressing the old
 * key cannot read the cookie while the responder is under load (it retries later, or looks up the new key).
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import { asciiBytes, concatBytes } from '../packet/bytes.ts';
import { COOKIE_BYTES, COOKIE_NONCE_BYTES, hasValidMac2, openCookieReply, parseCookieReplyHeader, sealCookieReply, type CookiePacketOptions } from '../packet/cookie-packet.ts';
import type { DecodeResult } from '../packet/errors.ts';
import type { Rng } from '../runtime/rng.ts';

const KEY_LABEL = asciiBytes('paratox/v1/cookie-key');
const SECRET_BYTES = 32;

/** Key material of every cookie reply from the holder of `responderStaticPub`. */
export function cookieKeyMaterial(suite: CryptoSuite, responderStaticPub: Uint8Array): Uint8Array {
  return suite.sha256(concatBytes(KEY_LABEL, responderStaticPub));
}

/** What a cookie reply is bound to: the init it answers, byte for byte. */
export function initDigest(suite: CryptoSuite, init: Uint8Array): Uint8Array {
  return suite.sha256(init);
}

interface Secret {
  readonly value: Uint8Array;
  readonly bornMs: number;
}

/** The responder's side: a rotating secret, cookies of source addresses, mac2 checks, replies. */
export class CookieChecker {
  private current?: Secret;
  private previous?: Secret;

  constructor(
    private readonly suite: CryptoSuite,
    /** Only ever drawn under load: a node that is never loaded draws nothing (and its runs stay as they were). */
    private readonly rng: Rng,
    private readonly lifetimeMs: number,
    private readonly wire: CookiePacketOptions,
  ) {}

  /**
   * Whether the init's trailer is a valid mac2 for `source`. A secret validates for two lifetimes after it
   * was made (it hands out cookies during the first), so a cookie works for at least one lifetime; the
   * current and the previous secret are tried. false without any secret (no cookie was ever handed out).
   */
  hasValidMac2(source: string, init: Uint8Array, nowMs: number): boolean {
    for (const secret of [this.current, this.previous]) {
      if (!secret || nowMs - secret.bornMs >= 2 * this.lifetimeMs) continue;
      if (hasValidMac2(this.suite, init, this.cookieUnder(secret, source))) return true;
    }
    return false;
  }

  /** The cookie reply to `init` from `source`, encrypted for the initiator of `init` (see the file comment). */
  reply(args: { source: string; init: Uint8Array; responderStaticPub: Uint8Array; nowMs: number }): Uint8Array {
    const cookie = this.cookieUnder(this.freshSecret(args.nowMs), args.source);
    const header = { nonce: this.rng.bytes(COOKIE_NONCE_BYTES) };
    const keyMaterial = cookieKeyMaterial(this.suite, args.responderStaticPub);
    return sealCookieReply(this.suite, keyMaterial, header, cookie, initDigest(this.suite, args.init), this.wire);
  }

  private freshSecret(nowMs: number): Secret {
    if (!this.current || nowMs - this.current.bornMs >= this.lifetimeMs) {
      this.previous = this.current;
      this.current = { value: this.rng.bytes(SECRET_BYTES), bornMs: nowMs };
    }
    return this.current;
  }

  private cookieUnder(secret: Secret, source: string): Uint8Array {
    return this.suite.hmacSha256(secret.value, asciiBytes(source)).slice(0, COOKIE_BYTES);
  }
}

/**
 * The initiator's side: the cookie in a reply to `init`, which it sent to the holder of `responderStaticPub`.
 * Never throws; 'auth-failed' when the bytes are no such reply (anything else from that address, or forged).
 */
export function openCookieReplyTo(
  suite: CryptoSuite,
  args: { init: Uint8Array; responderStaticPub: Uint8Array },
  bytes: Uint8Array,
  wire: CookiePacketOptions,
): DecodeResult<Uint8Array> {
  const header = parseCookieReplyHeader(bytes, wire);
  if (!header.ok) return header;
  return openCookieReply(suite, cookieKeyMaterial(suite, args.responderStaticPub), bytes, initDigest(suite, args.init), wire);
}
