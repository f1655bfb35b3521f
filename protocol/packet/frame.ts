import type { PayloadType } from './payload-type.ts';

/** What a data packet carries once decrypted: a typed body. Padding is stripped by the codec. */
export interface Frame {
  readonly type: PayloadType;
  readonly body: Uint8Array;
}

export function frame(type: PayloadType, body: Uint8Array): Frame {
  return { type, body };
}
