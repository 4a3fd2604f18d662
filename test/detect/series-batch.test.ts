import { describe, expect, it } from 'vitest';
import { packPoints, scoreBatch, unpackScores } from '../../src/detect/series-batch.js';
import { SeriesDetector, type SeriesPoint } from '../../src/detect/series.js';

describe('series batches (what goes to and from the detect worker)', () => {
  // (counts: 5-minute rows judged in quarter hours, with early looks; some rows missing, so a step is
  // judged when the next begins)
  it.each([false, true])('score every row exactly as pushing it one by one does, optional fields absent, null or set (counts: %s)', (counts) => {
    const points: SeriesPoint[] = Array.from({ length: 3000 }, (_, i) => {
      const p: SeriesPoint = { t: Date.UTC(2026, 0, 1) + i * 300_000, value: 10 + (i % 12) + (i === 2500 ? 90 : 0) + (counts && i >= 2700 && i < 2720 ? 60 : 0) };
      if (i % 3 === 1) p.sentiment = i % 6 === 1 ? null : ((i % 9) - 4) / 10;
      if (i % 4 === 1) p.n = i % 8 === 1 ? null : 10 + (i % 12);
      return p;
    }).filter((_, i) => !counts || i % 97 !== 5);
    const options = { resolutionMs: 300_000, sensitivity: 'medium' as const, counts };
    const direct = new SeriesDetector(options);
    const want = points.map((p) => direct.push(p));
    const batched = new SeriesDetector(options);
    const got = [];
    let last = null;
    for (let i = 0; i < points.length; i += 600) {
      const batch = packPoints(points.slice(i, i + 600));
      last = scoreBatch(batched, batch);
      got.push(...unpackScores(batch, last));
    }
    expect(got).toEqual(want);
    // scores written into the arrays of an earlier batch (as the worker reuses them) are the same: the
    // first batch's learning rows, without tone, written over the last batch's, all with tone
    // (counts: the rows that end a step, which are judged with their tone; early looks have none)
    expect(Array.from(last!.toneFlags)[counts ? 'some' : 'every']((f) => f & 1)).toBe(true);
    const reused = new SeriesDetector(options);
    const again = [];
    let spare = last;
    for (let i = 0; i < points.length; i += 600) {
      const batch = packPoints(points.slice(i, i + 600));
      const scores = scoreBatch(reused, batch, spare);
      again.push(...unpackScores(batch, scores));
      spare = scores;
    }
    expect(again).toEqual(want);
    expect(got.some((s) => s.moment)).toBe(true);
    expect(got.slice(0, 600).some((s) => s.tone === null)).toBe(true);
    expect(got.some((s) => s.learning)).toBe(true);
    expect(got.filter((s) => s.alert === 'onset').length).toBeGreaterThan(0);
  });
});
