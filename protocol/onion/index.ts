/** protocol/onion: Tor-like onion circuits over the Messenger (README.md in this folder). */
export { OnionService, MAX_PATH_HOPS } from './onion-service.ts';
export { RELAY_BODY_MAX, CELL_BYTES, DEFAULT_ONION_CONFIG, FIRST_SERVICE_COMMAND, type OnionConfig } from './constants.ts';
export type { BuildResult, Circuit, OnionComponents, RelayEndpoint, RelayCommandHandler } from './types.ts';
export type { OnionStats, OnionDropReason, OnionRefusal } from './stats.ts';
export { ONION_DROPS, ONION_REFUSALS } from './stats.ts';
