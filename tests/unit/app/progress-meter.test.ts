import { describe, expect, it } from 'vitest';
import { ProgressMeter } from '../../../electron/studio/service/progress-meter.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('ProgressMeter', () => {
  it('measures fraction by bytes when the job knows them', () => {
    const c = clock();
    const m = new ProgressMeter(c.now);
    m.update({ stage: 'quantize', itemsTotal: 4, bytesTotal: 1000, bytesDone: 250, itemsDone: 3 });
    expect(m.snapshot().fraction).toBe(0.25);
  });

  it('falls back to items, counting the current item’s share', () => {
    const m = new ProgressMeter(clock().now);
    m.update({ itemsTotal: 4, itemsDone: 1, item: 'b', itemFraction: 0.5 });
    expect(m.snapshot().fraction).toBeCloseTo(1.5 / 4, 12);
    // A new item starts at zero, and its own fraction is unknown until the job reports one.
    m.update({ itemsDone: 2, item: 'c' });
    expect(m.snapshot().itemFraction).toBeUndefined();
    expect(m.snapshot().fraction).toBe(0.5);
    m.update({ itemFraction: 0.25 });
    expect(m.snapshot().itemFraction).toBe(0.25);
  });

  it('has no rate or ETA until enough time has been measured', () => {
    const c = clock();
    const m = new ProgressMeter(c.now);
    m.update({ bytesTotal: 1000, bytesDone: 10 });
    c.advance(100);
    m.update({ bytesDone: 20 });
    const s = m.snapshot();
    expect(s.bytesPerSecond).toBeNull();
    expect(s.etaSeconds).toBeNull();
  });

  it('computes throughput and time left from a steady rate', () => {
    const c = clock();
    const m = new ProgressMeter(c.now);
    m.update({ bytesTotal: 10_000, bytesDone: 0 });
    for (let i = 1; i <= 10; i++) {
      c.advance(100);
      m.update({ bytesDone: i * 100 }); // 1000 bytes per second
    }
    const s = m.snapshot();
    expect(s.bytesPerSecond).toBeCloseTo(1000, 6);
    expect(s.etaSeconds).toBeCloseTo(9, 6);
    expect(s.elapsedSeconds).toBeCloseTo(1, 6);
  });

  it('follows the recent rate, not the average since the start', () => {
    const c = clock();
    const m = new ProgressMeter(c.now);
    m.update({ bytesTotal: 100_000, bytesDone: 0 });
    // 10 s slow (100 B/s), then 6 s fast (1000 B/s): the window sees only the fast part.
    for (let i = 1; i <= 10; i++) { c.advance(1000); m.update({ bytesDone: i * 100 }); }
    for (let i = 1; i <= 6; i++) { c.advance(1000); m.update({ bytesDone: 1000 + i * 1000 }); }
    const s = m.snapshot();
    expect(s.bytesPerSecond).toBeCloseTo(1000, 6);
    expect(s.etaSeconds).toBeCloseTo((100_000 - 7000) / 1000, 6);
  });

  it('estimates time left from items when bytes are unknown', () => {
    const c = clock();
    const m = new ProgressMeter(c.now);
    m.update({ itemsTotal: 10, itemsDone: 0 });
    for (let i = 1; i <= 5; i++) { c.advance(200); m.update({ itemsDone: i }); } // 5 items per second
    const s = m.snapshot();
    expect(s.bytesPerSecond).toBeNull();
    expect(s.etaSeconds).toBeCloseTo(1, 6);
  });

  it('clamps nonsense to [0, 1]', () => {
    const m = new ProgressMeter(clock().now);
    m.update({ bytesTotal: 10, bytesDone: 50 });
    expect(m.snapshot().fraction).toBe(1);
    m.update({ bytesTotal: 0, itemsTotal: 2, itemFraction: Number.NaN, item: 'x' });
    expect(m.snapshot().itemFraction).toBe(0);
  });
});
