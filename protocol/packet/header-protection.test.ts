import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { toHex } from './bytes.ts';
import { DEFAULT_WIRE_SIZE } from './constants.ts';
import { DIRECTION_LABEL, openDataFrame, parseDataHeader, sealDataFrame } from './data-packet.ts';
import { PacketEncodeError } from './errors.ts';
import { toggleHeaderMask, toggleHeaderMaskInPlace } from './header-protection.ts';
import { PayloadType } from './payload-type.ts';

const label = DIRECTION_LABEL.initiatorToResponder;
const options = { wireSize: DEFAULT_WIRE_SIZE, paddingMode: 'fixed' } as const;

describe.each([nobleSuite, nodeSuite])('header protection ($name)', (suite) => {
  const rng = new SeededRng(`header-protection/${suite.name}`);
  const key = rng.bytes(32);
  const headerKey = rng.bytes(32);
  const connId = rng.bytes(8);
  const seal = (seq: number) => sealDataFrame(suite, key, label, { connId, seq }, { type: PayloadType.DATA, body: new Uint8Array(3) }, { ...options, rng });

  it('toggleHeaderMaskInPlace changes the packet itself into what toggleHeaderMask returns', () => {
    const clear = seal(2);
    const wire = toggleHeaderMask(suite, headerKey, clear);
    const packet = clear.slice();
    toggleHeaderMaskInPlace(suite, headerKey, packet);
    expect(packet).toEqual(wire);
    expect(() => toggleHeaderMaskInPlace(suite, headerKey, new Uint8Array(31))).toThrow(PacketEncodeError);
  });

  it('masking twice is the identity, and touches only the first 16 bytes', () => {
    const clear = seal(1);
    const wire = toggleHeaderMask(suite, headerKey, clear);
    expect(wire.subarray(16)).toEqual(clear.subarray(16));
    expect(toHex(wire.subarray(0, 16))).not.toBe(toHex(clear.subarray(0, 16)));
    expect(toggleHeaderMask(suite, headerKey, wire)).toEqual(clear);
    expect(openDataFrame(suite, key, label, toggleHeaderMask(suite, headerKey, wire), options).ok).toBe(true);
  });

  it('consecutive packets of one session share no visible header bytes (connId and seq are hidden)', () => {
    // Guards issue 11 item 14: in clear, 8 connId bytes repeat and 7 of 8 seq bytes repeat.
    const headers = Array.from({ length: 64 }, (_, seq) => toggleHeaderMask(suite, headerKey, seal(seq)).subarray(0, 16));
    const samePrefix = headers.slice(1).filter((h, i) => h[0] === headers[i][0] && h[1] === headers[i][1]).length;
    expect(samePrefix).toBeLessThan(4); // 63 pairs, 2^-16 each
  });

  it('under the wrong header key the connId comes out wrong, so the AEAD (AAD = clear header) rejects it', () => {
    const wire = toggleHeaderMask(suite, headerKey, seal(2));
    const wrong = toggleHeaderMask(suite, rng.bytes(32), wire);
    const parsed = parseDataHeader(wrong, options);
    if (parsed.ok) expect(toHex(parsed.value.connId)).not.toBe(toHex(connId));
    expect(openDataFrame(suite, key, label, wrong, options).ok).toBe(false);
  });

  it('throws PacketEncodeError for a bad key or a packet too short to sample', () => {
    expect(() => toggleHeaderMask(suite, new Uint8Array(16), seal(3))).toThrow(PacketEncodeError);
    expect(() => toggleHeaderMask(suite, headerKey, new Uint8Array(31))).toThrow(PacketEncodeError);
  });
});
