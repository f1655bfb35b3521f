/**
 * One backing buffer per session for its fixed-size keys and ids, handed out as views (issue 14: a node holds
 * dozens of sessions, and every Uint8Array of its own costs an ArrayBuffer of ~90 B of heap plus a backing store,
 * more than the 8-32 bytes it holds). The slots never overlap, so writing or erasing one view leaves the others as
 * they were (session-material.test.ts).
 */
import { CONN_ID_BYTES } from '../packet/constants.ts';
import { HEADER_KEY_BYTES } from '../packet/header-protection.ts';
import { EPHEMERAL_FIELD } from './handshake.ts';
import type { SessionRole } from './session.ts';

const TRAFFIC_KEY_BYTES = 32;
/** msg2's ES field, kept by the initiator to recognise a duplicate msg2. */
const RESPONDER_EPHEMERAL_BYTES = EPHEMERAL_FIELD.length;

/** [offset, length] of each slot; the responder has no responderEphemeral slot. */
const SLOTS = {
  localConnId: [0, CONN_ID_BYTES],
  sendKey: [CONN_ID_BYTES, TRAFFIC_KEY_BYTES],
  remoteConnId: [CONN_ID_BYTES + TRAFFIC_KEY_BYTES, CONN_ID_BYTES],
  remoteHeaderKey: [2 * CONN_ID_BYTES + TRAFFIC_KEY_BYTES, HEADER_KEY_BYTES],
  receiveKey: [2 * CONN_ID_BYTES + TRAFFIC_KEY_BYTES + HEADER_KEY_BYTES, TRAFFIC_KEY_BYTES],
  responderEphemeral: [2 * CONN_ID_BYTES + 2 * TRAFFIC_KEY_BYTES + HEADER_KEY_BYTES, RESPONDER_EPHEMERAL_BYTES],
} as const;

export type SessionSlot = keyof typeof SLOTS;

const RESPONDER_BYTES = SLOTS.responderEphemeral[0];
const INITIATOR_BYTES = RESPONDER_BYTES + RESPONDER_EPHEMERAL_BYTES;

/** A zeroed buffer with every slot of `role`'s sessions (a plain Uint8Array: no wrapper object per session). */
export function sessionMaterial(role: SessionRole): Uint8Array {
  return new Uint8Array(role === 'initiator' ? INITIATOR_BYTES : RESPONDER_BYTES);
}

/** Copies `value` (exactly the slot's length) into `slot` of `material` and returns the slot's view. */
export function keepInSlot(material: Uint8Array, slot: SessionSlot, value: Uint8Array): Uint8Array {
  const length = SLOTS[slot][1];
  if (value.length !== length) throw new RangeError(`session ${slot}: ${value.length} bytes, want ${length}`);
  const view = slotView(material, slot);
  view.set(value);
  return view;
}

/** A view of `slot` in `material`. */
export function slotView(material: Uint8Array, slot: SessionSlot): Uint8Array {
  const [offset, length] = SLOTS[slot];
  if (offset + length > material.length) throw new RangeError(`session ${slot}: no such slot in this session`);
  return material.subarray(offset, offset + length);
}

/** Whether `slot` of `material` holds exactly `value` (compared in place, no copy). */
export function slotHolds(material: Uint8Array, slot: SessionSlot, value: Uint8Array): boolean {
  const [offset, length] = SLOTS[slot];
  if (value.length !== length || offset + length > material.length) return false;
  for (let i = 0; i < length; i++) if (material[offset + i] !== value[i]) return false;
  return true;
}
