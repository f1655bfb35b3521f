/**
 * Onion layers of RELAY cells (README.md, "Cells"). Every hop i holds HopKeys_i; a cell travels as
 * (nonce, layered) and each hop changes both:
 *
 * forward (origin -> hop t):  hop i gets (n_i, C_i), computes P = AES-CTR(Kf_i, iv = n_i, C_i), accepts the
 *   cell if P's mac verifies under Mf_i and n_i, else passes (n_{i+1}, P) on with n_{i+1} = AES(Nf_i, n_i).
 *   The origin knows every key, so it picks n_1, derives n_2..n_t and encrypts innermost (hop t) first.
 * backward (hop k -> origin): the hop that starts a cell picks a fresh n, seals P under Mb_k, encrypts with
 *   AES-CTR(Kb_k, n) and sends AES(Nb_k, n); every earlier hop j encrypts with AES-CTR(Kb_j, n) and sends
 *   AES(Nb_j, n). The origin undoes it hop by hop, inverting the permutation with AES^-1, and checks the
 *   mac at each depth.
 *
 * The nonce permutation means no two relays see the same nonce for one cell, so colluding relays cannot
 * link a cell by its nonce; only by timing.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import type { Rng } from '../runtime/rng.ts';
import { NONCE_BYTES } from './constants.ts';
import type { HopKeys } from './ntor.ts';
import { isRecognized, sealRelayPlaintext } from './relay-payload.ts';

export interface LayeredCell {
  readonly nonce: Uint8Array;
  readonly layered: Uint8Array;
}

/** Origin: a cell for hop `target` (index into `hops`) carrying command/body, all layers applied. */
export function wrapForward(suite: CryptoSuite, rng: Rng, hops: readonly HopKeys[], target: number, command: number, body: Uint8Array, pad = true): LayeredCell {
  const nonces = [rng.bytes(NONCE_BYTES)];
  for (let i = 0; i < target; i++) nonces.push(suite.aesEcbEncryptBlock(hops[i].nf, nonces[i]));
  let c = sealRelayPlaintext(suite, rng, hops[target].mf, nonces[target], command, body, pad);
  for (let i = target; i >= 0; i--) c = suite.aesCtr(hops[i].kf, nonces[i], c);
  return { nonce: nonces[0], layered: c };
}

/** Relay: removes this hop's forward layer. `recognized` = the cell is for this hop. */
export function peelForward(suite: CryptoSuite, keys: HopKeys, cell: LayeredCell): { plaintext: Uint8Array; recognized: boolean; next: LayeredCell } {
  const plaintext = suite.aesCtr(keys.kf, cell.nonce, cell.layered);
  const recognized = isRecognized(suite, keys.mf, cell.nonce, plaintext);
  return { plaintext, recognized, next: { nonce: suite.aesEcbEncryptBlock(keys.nf, cell.nonce), layered: plaintext } };
}

/** Relay: starts a backward cell from this hop. */
export function originateBackward(suite: CryptoSuite, rng: Rng, keys: HopKeys, command: number, body: Uint8Array, pad = true): LayeredCell {
  const nonce = rng.bytes(NONCE_BYTES);
  return addBackward(suite, keys, { nonce, layered: sealRelayPlaintext(suite, rng, keys.mb, nonce, command, body, pad) });
}

/** Relay: adds this hop's backward layer to a cell coming from further down the circuit. */
export function addBackward(suite: CryptoSuite, keys: HopKeys, cell: LayeredCell): LayeredCell {
  return { nonce: suite.aesEcbEncryptBlock(keys.nb, cell.nonce), layered: suite.aesCtr(keys.kb, cell.nonce, cell.layered) };
}

/** Origin: peels backward layers until a hop's mac verifies; null when none does (counted 'bad-mac'). */
export function unwrapBackward(suite: CryptoSuite, hops: readonly HopKeys[], cell: LayeredCell): { hop: number; plaintext: Uint8Array } | null {
  let { nonce, layered } = cell;
  for (let j = 0; j < hops.length; j++) {
    nonce = suite.aesEcbDecryptBlock(hops[j].nb, nonce);
    layered = suite.aesCtr(hops[j].kb, nonce, layered);
    if (isRecognized(suite, hops[j].mb, nonce, layered)) return { hop: j, plaintext: layered };
  }
  return null;
}
