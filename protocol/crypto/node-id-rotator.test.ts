import { describe, expect, it } from 'vitest';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { formatId, NodeIdRotator, type NodeIdRotation } from './identity.ts';
import { nodeSuite } from './node-suite.ts';
import { ManualClock } from '../session/testing/loopback.ts';

function setup(init = { rotationPeriodMs: 1000, graceMs: 100 }) {
  const clock = new ManualClock();
  const rotator = new NodeIdRotator({ clock, rng: new SeededRng('rotator'), suite: nodeSuite }, init);
  return { clock, rotator };
}

describe('NodeIdRotator', () => {
  it('has a NodeID from construction and does not rotate before start()', () => {
    const { clock, rotator } = setup();
    const first = rotator.current();
    expect(first.kind).toBe('node');
    clock.advance(5000);
    expect(rotator.current()).toBe(first);
    expect(clock.pending()).toBe(0);
  });

  it('rotates every period, keeps the previous key for the grace period, then drops it', () => {
    const { clock, rotator } = setup();
    const events: NodeIdRotation[] = [];
    rotator.onRotate((r) => events.push(r));
    const first = rotator.current();
    rotator.start();
    clock.advance(999);
    expect(rotator.current()).toBe(first);
    clock.advance(1);
    expect(events).toHaveLength(1);
    expect(events[0].previous).toBe(first);
    expect(rotator.current()).toBe(events[0].current);
    expect(rotator.current().text).not.toBe(first.text);
    expect(rotator.current().createdAtMs).toBe(1000);
    expect(rotator.previous()).toBe(first);
    expect(rotator.liveIds()).toEqual([rotator.current(), first]);
    clock.advance(99);
    expect(rotator.previous()).toBe(first);
    clock.advance(1);
    expect(rotator.previous()).toBeNull();
    expect(rotator.liveIds()).toEqual([rotator.current()]);
    clock.advance(2900);
    expect(events.map((e) => e.current.createdAtMs)).toEqual([1000, 2000, 3000, 4000]);
  });

  it('stop() ends rotation; start() twice schedules only one timer', () => {
    const { clock, rotator } = setup();
    let n = 0;
    rotator.onRotate(() => n++);
    rotator.start();
    rotator.start();
    clock.advance(2000);
    expect(n).toBe(2);
    rotator.stop();
    clock.advance(5000);
    expect(n).toBe(2);
  });

  it('the unsubscribe function returned by onRotate works', () => {
    const { clock, rotator } = setup();
    let n = 0;
    const off = rotator.onRotate(() => n++);
    rotator.start();
    clock.advance(1000);
    off();
    clock.advance(1000);
    expect(n).toBe(1);
  });

  it('rotateNow() rotates at once and restarts the schedule from now', () => {
    const { clock, rotator } = setup();
    const times: number[] = [];
    rotator.onRotate((r) => times.push(r.current.createdAtMs));
    rotator.start();
    clock.advance(400);
    rotator.rotateNow();
    clock.advance(1500);
    expect(times).toEqual([400, 1400]);
  });

  it('the key sequence is reproducible from the rng seed', () => {
    const a = setup();
    const b = setup();
    a.rotator.start();
    b.rotator.start();
    a.clock.advance(3000);
    b.clock.advance(3000);
    expect(a.rotator.current().text).toBe(b.rotator.current().text);
  });

  it('rejects bad configuration', () => {
    expect(() => setup({ rotationPeriodMs: 0, graceMs: 0 })).toThrow(RangeError);
    expect(() => setup({ rotationPeriodMs: 100, graceMs: 101 })).toThrow(RangeError);
  });

  it('graceMs defaults to min(2 min, period)', () => {
    const clock = new ManualClock();
    const r = new NodeIdRotator({ clock, rng: new SeededRng(1), suite: nodeSuite }, { rotationPeriodMs: 1000 });
    expect(r.graceMs).toBe(1000);
    const r2 = new NodeIdRotator({ clock, rng: new SeededRng(1), suite: nodeSuite }, { rotationPeriodMs: 3_600_000 });
    expect(r2.graceMs).toBe(120_000);
  });

  it('starts from the `initial` key pair without drawing from the rng; later keys come from the rng', () => {
    const clock = new ManualClock();
    const initial = nodeSuite.generateKeyPair(new SeededRng('initial'));
    const rotator = new NodeIdRotator({ clock, rng: new SeededRng('rotator'), suite: nodeSuite }, { rotationPeriodMs: 1000, initial });
    expect(rotator.current().keyPair).toBe(initial);
    expect(rotator.current().text).toBe(formatId('node', initial.publicKey));
    rotator.start();
    clock.advance(1000);
    // The rng's first key pair: the same one a rotator without `initial` starts with.
    expect(rotator.current().text).toBe(setup().rotator.current().text);
    expect(rotator.previous()?.keyPair).toBe(initial);
  });

  it('close() stops rotating and drops the previous key with its grace timer: no timer is left', () => {
    const { clock, rotator } = setup();
    rotator.start();
    clock.advance(1000);
    expect(rotator.previous()).not.toBeNull();
    expect(clock.pending()).toBe(2);
    const current = rotator.current();
    rotator.close();
    expect(clock.pending()).toBe(0);
    expect(rotator.previous()).toBeNull();
    expect(rotator.liveIds()).toEqual([current]);
  });
});
