import { describe, expect, it } from 'vitest';
import { packPoints, scoreBatch, unpackScores } from '../../src/detect/series-batch.js';
import { seriesKind, warmUp } from '../../src/detect/series-scorer.js';
import { SeriesDetector, type SeriesOptions, type SeriesPoint } from '../../src/detect/series.js';

// The scoring worker of `detect` warms the engine up on a made-up series before the user's rows (so that
// V8 compiles the engine's `judge` once). What a user would notice if it went wrong: different scores.

const M = 60_000;
const T0 = Date.UTC(2026, 9, 5);

/** Deterministic pseudo-random numbers (an LCG). */
function rng(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** Rows every `res` with a daily rhythm, a burst on the fourth day; whole counts or decimals, a tone or not. */
function series(rows: number, res: number, o: { decimals?: boolean; tone?: boolean } = {}): SeriesPoint[] {
  const rnd = rng(5);
  return Array.from({ length: rows }, (_, i) => {
    const t = T0 + i * res;
    const hour = ((t / 3_600_000) % 24) | 0;
    let value = Math.round((hour >= 9 && hour <= 18 ? 30 : 8) * (0.7 + rnd() * 0.6));
    if (t - T0 > 3.5 * 86_400_000 && t - T0 < 3.52 * 86_400_000) value *= 5;
    if (o.decimals) value += 0.5 * rnd();
    return o.tone ? { t, value, sentiment: (rnd() - 0.5) * 0.4, n: Math.max(1, Math.round(value)) } : { t, value };
  });
}

const cases: [string, SeriesOptions, { decimals?: boolean; tone?: boolean }][] = [
  ['5-minute rows judged one by one', { resolutionMs: 5 * M, sensitivity: 'medium' }, {}],
  ['5-minute counts judged in quarter hours, with a tone', { resolutionMs: 5 * M, sensitivity: 'medium', counts: true }, { tone: true }],
  ['5-minute decimals, rises only', { resolutionMs: 5 * M, sensitivity: 'high', direction: 'up' }, { decimals: true }],
  ['hourly counts', { resolutionMs: 60 * M, sensitivity: 'low', counts: true }, {}],
  ['daily rows', { resolutionMs: 1440 * M, sensitivity: 'medium' }, {}],
];

describe('the scoring worker’s warm-up', () => {
  it.each(cases)('on %s scores the user’s series exactly as without it', (_name, options, shape) => {
    const points = series(options.resolutionMs >= 86_400_000 ? 400 : 3000, options.resolutionMs, shape);
    const score = () => {
      const d = new SeriesDetector(options);
      const out = [];
      for (let i = 0; i < points.length; i += 700) {
        const b = packPoints(points.slice(i, i + 700));
        out.push(...unpackScores(b, scoreBatch(d, b)));
      }
      return JSON.stringify(out);
    };
    const before = score();
    const kind = seriesKind(points.slice(0, 500));
    expect(kind).toEqual({ integers: !shape.decimals, tone: shape.tone === true });
    const w = warmUp(options, kind);
    // what it is for: within its rows the engine has learnt, alerted on a burst and again as it grew,
    // seen a fall, and (with a tone) judged the tone; should the engine change so that it no longer does,
    // it warms up less
    const flags = Array.from(w.scores.flags);
    expect(flags.some((f) => (f & 2) === 0)).toBe(true); // judged, not learning
    expect(flags.some((f) => f & 16)).toBe(true); // an onset alert
    if (options.resolutionMs < 86_400_000) expect(flags.some((f) => f & 32)).toBe(true); // a growth alert
    expect(flags.some((f) => f & 8)).toBe(true); // a row below its forecast
    if (shape.tone) expect(Array.from(w.scores.toneFlags).some((f) => f & 2)).toBe(true);
    expect(w.points.t.length).toBeLessThanOrEqual(4096); // a few hundred steps, not a long series
    expect(score()).toBe(before);
  });
});
