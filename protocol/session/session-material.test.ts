import { describe, expect, it } from 'vitest';
import { keepInSlot, sessionMaterial, slotHolds, type SessionSlot } from './session-material.ts';
import { KeyedPeer } from './keyed-peer.ts';
import { Session } from './session.ts';

const SIZES: Record<SessionSlot, number> = { localConnId: 8, sendKey: 32, remoteConnId: 8, remoteHeaderKey: 32, receiveKey: 32, responderEphemeral: 64 };
const fill = (n: number, v: number) => new Uint8Array(n).fill(v);

// Guards the one-buffer-per-session layout: slots that overlapped would let one key (or its erasure) change another.
describe('session material (one buffer per session, views per slot)', () => {
  it('keeps every slot apart: writing or erasing one view leaves the others as written', () => {
    const m = sessionMaterial('initiator');
    const slots = Object.keys(SIZES) as SessionSlot[];
    const views = slots.map((slot, i) => keepInSlot(m, slot, fill(SIZES[slot], i + 1)));
    views.forEach((v, i) => expect(v).toEqual(fill(SIZES[slots[i]], i + 1)));
    views[1].fill(0); // SendCipher.destroy erases its key in place
    views.forEach((v, i) => expect(v).toEqual(fill(SIZES[slots[i]], i === 1 ? 0 : i + 1)));
    expect(views.every((v) => v.buffer === m.buffer)).toBe(true);
  });

  it('copies the value in, so the caller may erase its own copy', () => {
    const m = sessionMaterial('responder');
    const key = fill(32, 9);
    const view = keepInSlot(m, 'receiveKey', key);
    key.fill(0);
    expect(view).toEqual(fill(32, 9));
  });

  it('refuses a wrong length and the responder has no responderEphemeral slot', () => {
    expect(() => keepInSlot(sessionMaterial('initiator'), 'sendKey', fill(31, 1))).toThrow(RangeError);
    expect(() => keepInSlot(sessionMaterial('responder'), 'responderEphemeral', fill(64, 1))).toThrow(RangeError);
    expect(slotHolds(sessionMaterial('responder'), 'responderEphemeral', fill(64, 0))).toBe(false);
  });

  it('a session recognises exactly the ES field it kept', () => {
    const s = new Session('initiator', new KeyedPeer('a', fill(33, 2)), fill(8, 7), '07'.repeat(8), 0);
    const field = Uint8Array.from({ length: 64 }, (_, i) => i);
    expect(s.isResponderEphemeral(field)).toBe(false);
    s.keepResponderEphemeral(field);
    expect(s.isResponderEphemeral(field.slice())).toBe(true);
    const other = field.slice();
    other[63] ^= 1;
    expect(s.isResponderEphemeral(other)).toBe(false);
    expect(s.localConnId).toEqual(fill(8, 7));
  });
});
