import { closeSync, openSync, writeSync, writeFileSync } from 'node:fs';

/** What a global passive observer sees: one CSV row per datagram on a link (design.md, `--tap`). */
export const TAP_HEADER = 'time_ms,source,target,bytes\n';

export interface Conversation {
  source: string;
  target: string;
  startMs: number;
  endMs: number;
}

/**
 * The tap's ground truth (FILE.truth.json). Every address in it and in the tap rows is a host: a node name such as
 * `n3`, never a NAT mapping such as `n3:1` (sim/eve/README.md, "Addresses").
 */
export interface GroundTruth {
  conversations: Conversation[];
  malicious: string[];
  /** Extension: every node of the run, so each tap address can be resolved to one (absent in older files). */
  nodes?: string[];
}

/** Streams tap rows to a file in large writes, so a 10^7-row tap does not sit in memory. */
export class TapWriter {
  private readonly fd: number;
  private buffer = '';

  constructor(readonly file: string) {
    this.fd = openSync(file, 'w');
    this.buffer = TAP_HEADER;
  }

  row(timeMs: number, source: string, target: string, bytes: number): void {
    // Microsecond resolution keeps the file exact enough for timing analysis and stable across runs.
    this.buffer += `${Math.round(timeMs * 1000) / 1000},${source},${target},${bytes}\n`;
    if (this.buffer.length > 1 << 16) this.flush();
  }

  private flush(): void {
    writeSync(this.fd, this.buffer);
    this.buffer = '';
  }

  close(truth: GroundTruth): string {
    this.flush();
    closeSync(this.fd);
    const truthFile = `${this.file}.truth.json`;
    writeFileSync(truthFile, `${JSON.stringify(truth, null, 1)}\n`);
    return truthFile;
  }
}
