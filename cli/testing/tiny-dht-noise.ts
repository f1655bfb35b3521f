/**
 * A DHT scenario with cover traffic small enough for end-to-end CLI tests of sweeps and tunes (about a second per
 * run): 8 nodes, 3 simulated seconds, Poisson dummies whose rate the tests vary.
 */
export const TINY_DHT_NOISE = {
  name: 'tiny-dht-noise',
  nodes: 8,
  durationS: 3,
  protocol: 'dht',
  dht: { k: 4, bootstrapRefreshes: 0, entryNodes: 3, entriesPerNewcomer: 2, joinSpreadS: 1, lookupsPerNodePerMin: 6, stores: 1, nonExistentLookups: 2, drainS: 1 },
  noise: { policy: 'poisson', ratePerS: 1 },
};
