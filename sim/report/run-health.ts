/**
 * Warnings for a run that finished but measured little of what it was built for: nobody joined, no handshake
 * completed, cover traffic that starves the stack. Such a run's report is valid (accounting holds), yet its
 * figures ("0/0 delivered") say nothing, and a user reading only the headline would not know why. Found when the
 * first scale-10k trial at 500 nodes ran to the end with constant-node cover at 1 datagram/s per node: every
 * datagram waited minutes for a slot, no handshake completed and no message was ever written.
 */
import type { Report } from './report.ts';

/** Waiting this long on average for a cover slot means the slot rate is below what the node must send. */
const STARVED_QUEUE_P50_MS = 10_000;

export function runHealthWarnings(report: Report): string[] {
  const warnings: string[] = [];
  const protocol = report.protocol as Record<string, any>;
  const population = protocol.messenger?.population ?? protocol.dht;
  if (population && typeof population.joinsOk === 'number' && typeof population.joinAttempts === 'number') {
    if (population.joinAttempts > 0 && population.joinsOk === 0) {
      warnings.push(`no node joined the DHT (${population.joinAttempts} join attempts, ${population.joinsFailed ?? 0} failed): the run's figures measure an unjoined network`);
    }
  }
  const sessions = protocol.sessions;
  if (sessions && sessions.handshakesStarted > 0 && sessions.handshakesCompleted === 0) {
    warnings.push(`no session handshake completed (${sessions.handshakesStarted} started, ${sessions.handshakeRetransmits ?? 0} retransmits)`);
  }
  const messenger = protocol.messenger;
  if (messenger && messenger.written === 0 && messenger.notWritten > 0) {
    warnings.push(`no conversation message was written: ${messenger.notWritten} were due but their senders were never ready`);
  }
  const delay = protocol.noise?.queueDelayMs;
  if (delay && typeof delay.p50Ms === 'number' && delay.p50Ms > STARVED_QUEUE_P50_MS) {
    warnings.push(
      `cover traffic starves the stack: real datagrams waited p50 ${(delay.p50Ms / 1000).toFixed(0)} s for a '${protocol.noise.policy}' slot; raise noise.ratePerS (the stack's own datagrams, e.g. a DHT join's, need more slots than that)`,
    );
  }
  return warnings;
}
