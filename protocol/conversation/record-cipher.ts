/**
 * One direction of an end-to-end session: AES-256-GCM with an explicit 8-byte record counter. The nonce is
 * 0^4 || counter (SP 800-38D §8.2.1 deterministic construction: the counter is the invocation field), so a nonce
 * never repeats under one key; each direction has its own key, so the two counters never collide either.
 * The receiver checks the counter against a replay window (RFC 6479) before decrypting and commits it only
 * after authentication, so a forged record cannot move the window.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import { MAX_SEQ, writeU64 } from '../packet/bytes.ts';
import { ReplayWindow } from '../session/replay-window.ts';
import { COUNTER_BYTES, fail, ok, parseRecordHeader, PayloadKind, type Decoded } from './wire.ts';

function nonceAndAad(counter: number): { nonce: Uint8Array; aad: Uint8Array } {
  const nonce = new Uint8Array(12);
  writeU64(nonce, 4, counter);
  const aad = new Uint8Array(1 + COUNTER_BYTES);
  aad[0] = PayloadKind.RECORD;
  writeU64(aad, 1, counter);
  return { nonce, aad };
}

export class RecordSealer {
  private counter = 0;

  constructor(
    private readonly suite: CryptoSuite,
    private readonly key: Uint8Array,
  ) {}

  /** Seals one frame under the next counter. Returns null once the counter is exhausted (never in practice). */
  seal(frame: Uint8Array): Uint8Array | null {
    if (this.counter >= MAX_SEQ) return null;
    const { nonce, aad } = nonceAndAad(this.counter++);
    const sealed = this.suite.aeadSeal(this.key, nonce, frame, aad);
    const out = new Uint8Array(aad.length + sealed.length);
    out.set(aad, 0);
    out.set(sealed, aad.length);
    return out;
  }

  destroy(): void {
    this.key.fill(0);
    this.counter = MAX_SEQ;
  }
}

export class RecordOpener {
  private readonly window: ReplayWindow;

  constructor(
    private readonly suite: CryptoSuite,
    private readonly key: Uint8Array,
    windowSize: number,
  ) {
    this.window = new ReplayWindow(windowSize);
  }

  /** Replay check, AEAD, then commit. Never throws: 'malformed', 'replay', 'too-old', 'auth-failed'. */
  open(bytes: Uint8Array): Decoded<Uint8Array> {
    const header = parseRecordHeader(bytes);
    if (!header.ok) return header;
    const { counter } = header.value;
    const verdict = this.window.check(counter);
    if (verdict !== 'fresh') return fail(verdict === 'replay' ? 'replay' : 'too-old');
    const { nonce, aad } = nonceAndAad(counter);
    const frame = this.suite.aeadOpen(this.key, nonce, bytes.subarray(aad.length), aad);
    if (frame === null) return fail('auth-failed');
    this.window.commit(counter);
    return ok(frame);
  }

  destroy(): void {
    this.key.fill(0);
  }
}
