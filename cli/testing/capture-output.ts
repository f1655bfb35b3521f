/**
 * Captures what a CLI test's in-process `main()` writes to stdout and stderr, fresh for each test: call once at
 * the top of a test file (`const io = captureOutput()`), read `io.stdout` / `io.stderr` in the tests.
 */
import { afterEach, beforeEach, vi } from 'vitest';

/** Writable: a test may empty one mid-way to read only what follows. */
export interface CapturedOutput {
  stdout: string;
  stderr: string;
}

export function captureOutput(): CapturedOutput {
  const out = { stdout: '', stderr: '' };
  beforeEach(() => {
    out.stdout = '';
    out.stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((out.stderr += String(s)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out.stdout += String(s)), true));
  });
  afterEach(() => vi.restoreAllMocks());
  return out;
}
