// What each metric means (design.md "Report JSON" and sim/report/report.ts), shown on hover as title attributes.
export const GLOSSARY = {
  'traffic.deliveryRatio': 'Messages delivered / messages sent by the workload (outcomes sum to messagesSent).',
  'traffic.latencyMs.p50': 'Median end-to-end latency of delivered messages, in milliseconds.',
  'traffic.latencyMs.p95': '95th percentile of end-to-end latency of delivered messages (ms).',
  'traffic.latencyMs.p99': '99th percentile of end-to-end latency of delivered messages (ms).',
  'traffic.messagesSent': 'Messages the workload sent (what one message is depends on the protocol: messageUnit).',
  'traffic.messagesDelivered': 'Messages that reached their destination.',
  'traffic.wirePackets': 'Datagrams put on the wire, real and noise.',
  'traffic.noisePackets': 'Cover-traffic (dummy) datagrams among the wire packets.',
  'traffic.wireBytes': 'Bytes of all datagrams on the wire.',
  'traffic.bandwidthOverhead': 'Wire bytes per application payload byte (traffic.bandwidthOverheadDefinition has the exact definition): the cost of onion layers, padding and noise.',
  'attacks.eve.top1': "Share of Eve's targets whose true partner she ranks first (strongest attack, named by method). Lower is better.",
  'attacks.eve.top5': "Share of targets whose true partner is among Eve's first five candidates.",
  'attacks.eve.meanRank': "Mean rank of the true partner in Eve's ranking (1 = first).",
  'attacks.eve.entropyBits': "Shannon entropy of Eve's posterior over candidates, in bits.",
  'attacks.eve.maxEntropyBits': 'log2(candidates): the entropy if Eve knew nothing.',
  'attacks.eve.degreeOfAnonymity': 'Diaz et al. degree of anonymity = entropyBits / maxEntropyBits: 1 = Eve learns nothing, 0 = she is certain. Higher is better.',
  'attacks.eve.auc': "Area under the ROC curve of Eve's (target, candidate) scores: 0.5 = guessing.",
  'attacks.eclipse.victimHarm.majorityMaliciousShare': "Share of eclipse victims whose routing table is >= 50 % malicious at the end. Lower is better.",
  'attacks.eclipse.victimHarm.meanMaliciousTableShare': "Mean share of malicious entries in the victims' routing tables.",
  'attacks.eclipse.victimHarm.lookupSuccessRate': "Share of the victims' lookups that found the right node.",
  'attacks.eclipse.poisonedLookupFraction': 'Share of lookups answered with a malicious node.',
  'attacks.eclipse.eclipsedVictims': 'Victims whose view of the network is entirely malicious.',
  'sim.events': 'Simulator events processed.',
  'sim.wallSeconds': 'Wall-clock seconds the run took.',
};

export function meaning(path) {
  return GLOSSARY[path] ?? path;
}
