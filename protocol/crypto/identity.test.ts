import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { base32Decode, base32Encode } from './base32.ts';
import { toHex, utf8 } from './bytes.ts';
import {
  ID_TEXT_LENGTH,
  IdParseError,
  accountIdFromPrivateKey,
  createAccountId,
  createNodeId,
  dhtKeyOf,
  formatId,
  parseId,
  type IdParseReason,
} from './identity.ts';
import { nobleSuite } from './noble-suite.ts';
import { nodeSuite } from './node-suite.ts';

const rng = new SeededRng('identity');
const account = createAccountId(nodeSuite, rng);

function reasonOf(text: string): IdParseReason | 'ok' {
  try {
    parseId(text);
    return 'ok';
  } catch (e) {
    if (e instanceof IdParseError) return e.reason;
    throw e;
  }
}

describe('base32 (RFC 4648, lowercase, unpadded)', () => {
  it('matches the RFC 4648 §10 test vectors', () => {
    const cases: [string, string][] = [['', ''], ['f', 'my'], ['fo', 'mzxq'], ['foo', 'mzxw6'], ['foob', 'mzxw6yq'], ['fooba', 'mzxw6ytb'], ['foobar', 'mzxw6ytboi']];
    for (const [plain, encoded] of cases) {
      expect(base32Encode(utf8(plain))).toBe(encoded);
      const d = base32Decode(encoded);
      expect(d.ok && toHex(d.bytes)).toBe(toHex(utf8(plain)));
    }
  });

  it('round-trips random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 50 }), (b) => {
        const d = base32Decode(base32Encode(b));
        expect(d.ok && toHex(d.bytes)).toBe(toHex(b));
      }),
    );
  });
});

describe('formatId / parseId', () => {
  it('formatId makes a 64-character pxa1/pxn1 id that parseId reads back', () => {
    expect(account.text).toMatch(/^pxa1[a-z2-7]{60}$/);
    expect(ID_TEXT_LENGTH).toBe(64);
    expect(parseId(account.text)).toEqual({ kind: 'account', publicKey: account.keyPair.publicKey });
    const node = createNodeId(nobleSuite, rng, 1234);
    expect(node.text.startsWith('pxn1')).toBe(true);
    expect(node.createdAtMs).toBe(1234);
    expect(parseId(node.text).kind).toBe('node');
  });

  it('parseId is case-insensitive', () => {
    expect(parseId(account.text.toUpperCase()).publicKey).toEqual(account.keyPair.publicKey);
  });

  it('the same key formats differently as NodeID and AccountID, and the checksum binds the prefix', () => {
    const asNode = formatId('node', account.keyPair.publicKey);
    expect(asNode.slice(4)).not.toBe(account.text.slice(4));
    expect(reasonOf('pxn1' + account.text.slice(4))).toBe('checksum-mismatch');
  });

  it('says what is wrong: prefix, length, character, checksum, curve point', () => {
    const t = account.text;
    expect(reasonOf('pxq1' + t.slice(4))).toBe('wrong-prefix');
    expect(reasonOf('')).toBe('wrong-prefix');
    expect(reasonOf(t.slice(0, 63))).toBe('bad-length');
    expect(reasonOf(t + 'a')).toBe('bad-length');
    const withOne = t.slice(0, 10) + '1' + t.slice(11);
    expect(reasonOf(withOne)).toBe('bad-character');
    try {
      parseId(withOne);
    } catch (e) {
      expect((e as IdParseError).position).toBe(10);
      expect((e as IdParseError).message).toContain('position 10');
    }
    const typo = t.slice(0, 20) + (t[20] === 'a' ? 'b' : 'a') + t.slice(21);
    expect(reasonOf(typo)).toBe('checksum-mismatch');
    // A correctly checksummed id around bytes that are not a curve point.
    const notPoint = new Uint8Array(33);
    notPoint[0] = 0x02;
    notPoint[32] = 1;
    const bogus = 'pxa1' + base32Encode(Uint8Array.of(...notPoint, ...nodeSuite.sha256(Uint8Array.of(...utf8('pxa1'), ...notPoint)).subarray(0, 4)));
    expect(reasonOf(bogus)).toBe('not-a-curve-point');
    // Non-zero padding bits in the last character: a second spelling of the same bytes is refused.
    const last = t[63];
    const sibling = 'abcdefghijklmnopqrstuvwxyz234567'['abcdefghijklmnopqrstuvwxyz234567'.indexOf(last) ^ 1];
    expect(reasonOf(t.slice(0, 63) + sibling)).toBe('non-canonical');
  });

  it('formatId refuses a key that is not a compressed point', () => {
    expect(() => formatId('node', new Uint8Array(65))).toThrow();
  });
});

describe('dhtKeyOf and AccountId helpers', () => {
  it('dhtKeyOf is SHA-256 of the compressed key, equal in both suites', () => {
    const k = dhtKeyOf(nodeSuite, account.keyPair.publicKey);
    expect(k).toHaveLength(32);
    expect(toHex(k)).toBe(toHex(nobleSuite.sha256(account.keyPair.publicKey)));
    expect(toHex(dhtKeyOf(nobleSuite, account.keyPair.publicKey))).toBe(toHex(k));
  });

  it('accountIdFromPrivateKey restores the same AccountID', () => {
    expect(accountIdFromPrivateKey(nobleSuite, account.keyPair.privateKey).text).toBe(account.text);
  });

  it('the same seed gives the same AccountID in both suites', () => {
    expect(createAccountId(nobleSuite, new SeededRng('x')).text).toBe(createAccountId(nodeSuite, new SeededRng('x')).text);
  });
});
