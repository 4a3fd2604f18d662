import { describe, expect, it } from 'vitest';
import { packPoints, scoreBatch, unpackScores } from '../../src/detect/series-batch.js';
import { SeriesDetector, type SeriesPoint } from '../../src/detect/series.js';

describe('series batches (what goes to and from the detect worker)', () => {
  it('score every row exactly as pushing it one by one does, optional fields absent, null or set', () => {
    const points: SeriesPoint[] = Array.from({ length: 3000 }, (_, i) => {
      const p: SeriesPoint = { t: Date.UTC(2026, 0, 1) + i * 300_000, value: 10 + (i % 12) + (i === 2500 ? 90 : 0) };
      if (i % 3 === 1) p.sentiment = i % 6 === 1 ? null : ((i % 9) - 4) / 10;
      if (i % 4 === 1) p.n = i % 8 === 1 ? null : 10 + (i % 12);
      return p;
    });
    const options = { resolutionMs: 300_000, sensitivity: 'medium' as const };
    const direct = new SeriesDetector(options);
    const want = points.map((p) => direct.push(p));
    const batched = new SeriesDetector(options);
    const got = [];
    for (let i = 0; i < points.length; i += 700) {
      const rows = points.slice(i, i + 700);
      got.push(...unpackScores(rows, scoreBatch(batched, packPoints(rows))));
    }
    expect(got).toEqual(want);
    expect(got.some((s) => s.moment)).toBe(true);
    expect(got.some((s) => s.learning)).toBe(true);
  });
});
