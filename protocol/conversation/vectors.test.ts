import { describe, expect, it } from 'vitest';
import { SUITES } from '../crypto/test-support.ts';
import fixture from './vectors/conversation-handshake.json' with { type: 'json' };
import { handshakeVector, runTranscript } from './vectors/generate.ts';

describe.each(SUITES.map((s) => [s.name, s] as const))('conversation known answers (%s)', (_name, suite) => {
  it('fixed keys and seed give the frozen handshake, keys and first record', () => {
    expect(handshakeVector(suite)).toEqual(fixture.handshake);
  });

  it('a seeded lossy run carries the frozen payloads and delivers every message once', () => {
    const t = runTranscript(suite);
    expect(t).toEqual(fixture.transcript);
    expect(t.delivered).toEqual(t.messageIds);
  });
});
