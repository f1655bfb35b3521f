/**
 * node:crypto when the platform has it (Node >= 20.16), fetched through `process.getBuiltinModule` rather than a
 * static import, so the modules that use it still load in a browser bundle; there it is undefined and callers
 * fall back to @noble or BigInt code.
 */
import type * as NodeCrypto from 'node:crypto';

export type NodeCryptoModule = typeof NodeCrypto;

function loadNodeCrypto(): NodeCryptoModule | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.('node:crypto') as NodeCryptoModule | undefined;
}

export const nodeCrypto: NodeCryptoModule | undefined = loadNodeCrypto();
