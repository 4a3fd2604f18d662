import { describe, expect, it } from 'vitest';
import { Episodes } from '../../src/detect/alerts.js';
import { SeriesDetector } from '../../src/detect/series.js';
import { episodeOpen, restoreState, saveState } from '../../src/detect/snapshot.js';

// The engine's state kept whole and restored into a fresh engine: the rows after say the same.

class Inner {
  seen = new Map<string, number>();
  values = new Float64Array(3);
  episodes = new Episodes(3, 900_000);
  constructor(readonly scale: number) {}
  get total(): number {
    return [...this.seen.values()].reduce((a, b) => a + b, 0) * this.scale;
  }
}
class Outer {
  inner = new Inner(2);
  list = [new Inner(1), { plain: NaN }];
  n = -0;
}

describe('engine state snapshots', () => {
  it('restores own classes field by field (keeping their methods), and built-ins, typed arrays and plain objects whole', () => {
    const a = new Outer();
    a.inner.seen.set('x', 3);
    a.inner.values.set([1, NaN, -Infinity]);
    a.inner.episodes.push(10, 1, 5);
    (a.list[0] as Inner).seen.set('y', 4);
    const b = new Outer();
    expect(restoreState(b, saveState(a)!)).toBe(true);
    expect(b.inner).toBeInstanceOf(Inner);
    expect(b.inner.total).toBe(6);
    expect(Array.from(b.inner.values)).toEqual([1, NaN, -Infinity]);
    expect(b.inner.episodes.direction).toBe(1);
    expect((b.list[0] as Inner).total).toBe(4);
    expect(b.list[1]).toEqual({ plain: NaN });
    expect(Object.is(b.n, -0)).toBe(true);
    expect(episodeOpen(b)).toBe(true);
    expect(episodeOpen(new Outer())).toBe(false);
  });

  it('refuses a state that does not fit, and one that cannot be read', () => {
    expect(restoreState(new Outer(), saveState({ inner: {} })!)).toBe(false);
    expect(restoreState(new Outer(), new Uint8Array([255, 0, 255]))).toBe(false);
    expect(saveState({ f: () => 1 })).toBeNull();
  });

  it('a restored engine scores the following rows as the one it was saved from', () => {
    const opts = { resolutionMs: 900_000, sensitivity: 'medium' as const, baselineMs: 14 * 86_400_000 };
    const rows = Array.from({ length: 3000 }, (_, i) => ({ t: i * 900_000, value: (i * 7919) % 11 + (i > 2500 && i < 2510 ? 40 : 0), sentiment: 0.1, n: 2 }));
    const a = new SeriesDetector(opts);
    rows.slice(0, 2000).forEach((r) => a.push(r));
    const b = new SeriesDetector(opts);
    expect(restoreState(b, saveState(a)!)).toBe(true);
    const after = rows.slice(2000);
    const fromA = after.map((r) => a.push(r));
    expect(after.map((r) => b.push(r))).toEqual(fromA);
    expect(fromA.some((s) => s.alert === 'onset')).toBe(true);
  });
});
