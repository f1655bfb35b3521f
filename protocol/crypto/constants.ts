/** Defaults for the crypto layer's configurable behaviour. */

/** How long a NodeID lives before it is replaced. */
export const DEFAULT_NODE_ID_ROTATION_PERIOD_MS = 60 * 60 * 1000;
/**
 * How long the previous NodeID key is kept after a rotation so packets already in flight to it (onion
 * circuits, retransmissions) still decrypt. Must exceed the longest packet lifetime in the network.
 */
export const DEFAULT_NODE_ID_GRACE_MS = 2 * 60 * 1000;
