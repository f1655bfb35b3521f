import { describe, expect, it } from 'vitest';
import { nodeSuite } from '../crypto/node-suite.ts';
import { DEFAULT_WIRE_SIZE } from '../packet/constants.ts';
import { DIRECTION_LABEL } from '../packet/data-packet.ts';
import { PacketEncodeError } from '../packet/errors.ts';
import { toggleHeaderMask } from '../packet/header-protection.ts';
import { PayloadType } from '../packet/payload-type.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { ReceiveCipher, SendCipher } from './cipher-state.ts';
import { keepInSlot, sessionMaterial, slotView } from './session-material.ts';

const rng = new SeededRng('cipher-state');
const options = { wireSize: DEFAULT_WIRE_SIZE, paddingMode: 'fixed', rng } as const;
const frame = { type: PayloadType.DATA, body: new Uint8Array([7]) };

const headerKey = rng.bytes(32);

/** The receiver's side of header protection: what route() does before it hands a packet to the cipher. */
const unmask = (wire: Uint8Array) => toggleHeaderMask(nodeSuite, headerKey, wire);

function pair(limit = 100, window = 32) {
  const key = rng.bytes(32);
  const label = DIRECTION_LABEL.initiatorToResponder;
  const sender = new SendCipher(nodeSuite, key.slice(), label, rng.bytes(8), headerKey, limit);
  return {
    send: { seal: (f: typeof frame, o: typeof options) => unmask(sender.seal(f, o)), exhausted: () => sender.exhausted() },
    receive: new ReceiveCipher(nodeSuite, key.slice(), label, window),
    sender,
  };
}

describe('SendCipher / ReceiveCipher', () => {
  it('numbers packets 0, 1, 2 ... and the receiver opens each once', () => {
    const { send, receive } = pair();
    const packets = [send.seal(frame, options), send.seal(frame, options)];
    expect(receive.open(packets[1], options)).toMatchObject({ ok: true, value: { seq: 1, frame } });
    expect(receive.open(packets[0], options)).toMatchObject({ ok: true, value: { seq: 0 } });
    expect(receive.open(packets[0], options)).toMatchObject({ ok: false, error: { code: 'replay' } });
    expect(receive.window.stats()).toEqual({ accepted: 2, replays: 1, tooOld: 0 });
  });

  it('refuses to seal once the counter reaches its limit (no nonce is ever reused)', () => {
    const { send } = pair(2);
    send.seal(frame, options);
    send.seal(frame, options);
    expect(send.exhausted()).toBe(true);
    expect(() => send.seal(frame, options)).toThrow(PacketEncodeError);
  });

  it('a forged packet with a far-ahead seq does not slide the window', () => {
    const { send, receive } = pair();
    const genuine = send.seal(frame, options);
    const forged = genuine.slice();
    forged[15] = 200; // seq 200, same ciphertext: fails authentication
    expect(receive.open(forged, options)).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
    expect(receive.open(genuine, options).ok).toBe(true); // seq 0 still inside the window
  });

  it('seal masks connId || seq under the peer header key: the clear header is not on the wire', () => {
    const { sender } = pair();
    const wire = sender.seal(frame, options);
    expect(wire.subarray(0, 8)).not.toEqual(sender.remoteConnId);
    expect(unmask(wire).subarray(0, 8)).toEqual(sender.remoteConnId);
  });

  it('destroy() erases the key', () => {
    const key = rng.bytes(32);
    const send = new SendCipher(nodeSuite, key, DIRECTION_LABEL.responderToInitiator, rng.bytes(8), headerKey, 10);
    send.destroy();
    expect(key.every((b) => b === 0)).toBe(true);
    expect(send.exhausted()).toBe(true);
  });

  // Guards the ciphers keeping (buffer, offset, length) instead of their views (issue 14): each must read and erase
  // its own slot of a session's one buffer, not the buffer's start nor a neighbour's bytes.
  it('ciphers over slots of one session material use and erase exactly their own slots', () => {
    const material = sessionMaterial('initiator');
    const key = rng.bytes(32);
    keepInSlot(material, 'localConnId', rng.bytes(8));
    const connId = keepInSlot(material, 'remoteConnId', rng.bytes(8));
    const sender = new SendCipher(nodeSuite, keepInSlot(material, 'sendKey', key), DIRECTION_LABEL.initiatorToResponder, connId, keepInSlot(material, 'remoteHeaderKey', headerKey), 10);
    const receiver = new ReceiveCipher(nodeSuite, keepInSlot(material, 'receiveKey', key), DIRECTION_LABEL.initiatorToResponder, 32);
    const clear = unmask(sender.seal(frame, options));
    expect(clear.subarray(0, 8)).toEqual(slotView(material, 'remoteConnId'));
    expect(receiver.open(clear, options)).toMatchObject({ ok: true, value: { seq: 0, frame } });
    const others = (): Uint8Array[] => (['localConnId', 'remoteConnId', 'remoteHeaderKey'] as const).map((s) => slotView(material, s).slice());
    const before = others();
    sender.destroy();
    expect(slotView(material, 'sendKey').every((b) => b === 0)).toBe(true);
    expect(slotView(material, 'receiveKey')).toEqual(key);
    receiver.destroy();
    expect(slotView(material, 'receiveKey').every((b) => b === 0)).toBe(true);
    expect(others()).toEqual(before);
  });
});
