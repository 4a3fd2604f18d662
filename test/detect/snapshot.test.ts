import { describe, expect, it } from 'vitest';
import { Episodes } from '../../src/detect/alerts.js';
import { SeriesDetector } from '../../src/detect/series.js';
import { compactState, episodeOpen, packDoubles, restoreState, saveState, unpackDoubles } from '../../src/detect/snapshot.js';

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

  // A kept state's Float64Arrays are written as small integers where that is exact: the same values back,
  // bit for bit (NaN, −0, fractions and huge values kept as they are), in fewer bytes.
  const ramp = (n: number, f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
  it.each([
    ['counts with NaN (unfilled)', ramp(500, (i) => (i < 40 ? NaN : (i * 7919) % 13)), true],
    ['a ring of row indexes, wrapped', ramp(4034, (i) => (i < 1000 ? 8000 + i : i > 3990 ? -1 : 8000 + i - 4034)), true],
    ['means of three counts', ramp(300, (i) => ((i % 5) + (i % 7) + (i % 3)) / 3), true],
    ['a constant', ramp(200, () => 1), true],
    ['at the edges of the narrow types', ramp(100, (i) => [127, -127, 128, -128, 32767, -32768, 2 ** 31 - 1][i % 7]!), true],
    ['with −0', ramp(100, (i) => (i === 50 ? -0 : i)), false],
    ['fractions', ramp(100, (i) => i / 7 + 0.1), false],
    ['beyond 32-bit integers', ramp(100, (i) => i * 2 ** 30), false],
    ['-2^31 (the least Int32)', ramp(100, (i) => (i === 3 ? -(2 ** 31) : i)), false],
  ])('Float64Array packed: %s', (_, a, smaller) => {
    const p = packDoubles(a);
    expect(p !== a).toBe(smaller);
    const back = p instanceof Float64Array ? p : unpackDoubles(p);
    expect(back).toHaveLength(a.length);
    for (let i = 0; i < a.length; i++) expect(Object.is(back[i], a[i]), `[${i}] ${back[i]} for ${a[i]}`).toBe(true);
    if (smaller) expect(saveState({ a: p })!.length).toBeLessThan(saveState({ a })!.length);
  });

  it('a kept state is several times smaller and resumes exactly; a broken packed array does not restore', () => {
    const opts = { resolutionMs: 900_000, sensitivity: 'medium' as const, baselineMs: 14 * 86_400_000, direction: 'up' as const, counts: true };
    // sparse counts (means of three in the smoothing), 50 days: the history ring wraps
    const rows = Array.from({ length: 4800 }, (_, i) => ({ t: i * 900_000, value: ((i * 7919) % 5) + (i % 96 > 40 ? 1 : 0) + (i > 4700 && i < 4710 ? 30 : 0), sentiment: ((i % 9) - 4) / 8, n: 2 }));
    const a = new SeriesDetector(opts);
    rows.slice(0, 4600).forEach((r) => a.push(r));
    const raw = saveState(a)!;
    const kept = compactState(raw);
    expect(kept.length).toBeLessThan(raw.length / 4);
    const b = new SeriesDetector(opts);
    expect(restoreState(b, kept)).toBe(true);
    const after = rows.slice(4600);
    const fromA = after.map((r) => a.push(r));
    expect(after.map((r) => b.push(r))).toEqual(fromA);
    expect(fromA.some((s) => s.alert === 'onset')).toBe(true);
    // an array shared by two fields stays one array
    const shared = new Float64Array(100).fill(2);
    const c = { x: shared, y: shared };
    const d = { x: new Float64Array(100), y: new Float64Array(100) };
    expect(restoreState(d, compactState(saveState(c)!))).toBe(true);
    expect(d.x).toBe(d.y);
    expect(Array.from(d.x)).toEqual(Array.from(shared));
    // runs that do not add up to the array's length: refused (the topic is replayed from its start)
    const bad = packDoubles(new Float64Array(100).fill(3)) as unknown as { runs: Uint32Array };
    bad.runs[0] = 99;
    expect(restoreState({ x: new Float64Array(100) }, saveState({ x: bad })!)).toBe(false);
  });
});
