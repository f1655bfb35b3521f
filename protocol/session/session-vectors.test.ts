import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import fixture from './vectors/handshake-transcript.json' with { type: 'json' };
import { transcript } from './vectors/generate.ts';

describe.each([nobleSuite, nodeSuite])('frozen handshake transcript ($name)', (suite) => {
  it('a seeded run produces byte-identical datagrams (SHA-256 of each)', () => {
    const { alicePub, bobPub, datagrams } = transcript(suite);
    expect({ alicePub, bobPub }).toEqual({ alicePub: fixture.alicePub, bobPub: fixture.bobPub });
    expect(datagrams).toEqual(fixture.datagrams);
  });
});
