import type { PaddingMode } from './constants.ts';
import { decoded, rejected, type DecodeResult } from './errors.ts';

/**
 * Length gate applied before any parsing. 'fixed': exactly `wireSize`. 'variable': at least `minLength`
 * (the fixed headers and tag of the packet kind) and at most `wireSize`.
 */
export function checkWireSize(length: number, wireSize: number, paddingMode: PaddingMode, minLength: number): DecodeResult<null> {
  if (paddingMode === 'fixed') {
    return length === wireSize ? decoded(null) : rejected('wrong-size', `datagram of ${length} bytes, wire size is ${wireSize}`);
  }
  if (length > wireSize) return rejected('wrong-size', `datagram of ${length} bytes exceeds wire size ${wireSize}`);
  if (length < minLength) return rejected('truncated', `datagram of ${length} bytes, need at least ${minLength}`);
  return decoded(null);
}
