import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import { fromHex, toHex } from './bytes.ts';
import { DIRECTION_LABEL, openDataFrame } from './data-packet.ts';
import { toggleHeaderMask } from './header-protection.ts';
import fixture from './vectors/data-packets.json' with { type: 'json' };
import { computePacket } from './vectors/generate.ts';

describe.each([nobleSuite, nodeSuite])('frozen data-packet vectors ($name)', (suite) => {
  it.each(fixture.vectors)('$name: seeded padding gives exactly the frozen bytes', (v) => {
    const packet = computePacket(v as Parameters<typeof computePacket>[0], suite);
    expect(toHex(packet)).toBe(v.packetHex);
  });

  it.each(fixture.vectors)('$name: the frozen bytes unmask and open to the frozen frame', (v) => {
    const options = { wireSize: v.wireSize, paddingMode: v.paddingMode as 'fixed' | 'variable' };
    const label = DIRECTION_LABEL[v.direction as keyof typeof DIRECTION_LABEL];
    const wire = fromHex(v.packetHex);
    expect(toHex(wire.subarray(0, 8))).not.toBe(v.connIdHex); // the connId is not in clear
    const clear = toggleHeaderMask(suite, fromHex(v.headerKeyHex), wire);
    const opened = openDataFrame(suite, fromHex(v.keyHex), label, clear, options);
    expect(opened).toMatchObject({ ok: true, value: { header: { connId: fromHex(v.connIdHex), seq: v.seq }, frame: { type: v.type, body: fromHex(v.bodyHex) } } });
  });
});
