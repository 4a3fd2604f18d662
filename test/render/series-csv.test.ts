import { describe, expect, it } from 'vitest';
import { seriesCsvLine, SERIES_CSV_LINE_MAX, writeSeriesCsvLine } from '../../src/render/series.js';
import { blankScore } from '../../src/detect/series.js';
import { rng } from '../helpers/rng.js';

describe("detect's CSV lines written as bytes", () => {
  it('are byte for byte the lines seriesCsvLine writes, for any time, value, expectation and score', () => {
    const rnd = rng(7);
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const numbers = () =>
      pick([
        () => Math.floor(rnd() * 1000),
        () => (rnd() - 0.5) * 10 ** Math.floor(rnd() * 16 - 4),
        () => Math.round((rnd() - 0.5) * 2e6) / 1000 + 0.0005,
        () => Math.floor(rnd() * 1e17),
        () => -Math.floor(rnd() * 50),
        () => pick([0, -0, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32 + 7, 2147483.647, 0.001, -0.0049, 0.0045, 0.005, 1e-7, -1e-7, 1e21, 999_999_999_999.9995, 1e12, 123456789012.3456, Number.MAX_VALUE, Infinity, -Infinity, NaN]),
      ])();
    const out = Buffer.alloc(SERIES_CSV_LINE_MAX * 2);
    let checked = 0;
    const wrong: string[] = [];
    for (let i = 0; i < 40_000; i++) {
      const s = blankScore();
      s.t = pick([Date.UTC(2026, 10, 20) + Math.floor(rnd() * 1e6) * 300_000, Date.UTC(2026, 0, 1) + Math.floor(rnd() * 1e9), Date.UTC(12000, 0, 1), -Math.floor(rnd() * 1e12) * 1000]);
      s.value = numbers();
      s.expected = rnd() < 0.1 ? null : numbers();
      if (Number.isNaN(s.expected)) s.expected = null; // (NaN is how a batch says null)
      s.score = Math.abs(numbers());
      if (Number.isNaN(s.score)) s.score = 0;
      s.moment = rnd() < 0.5;
      s.alert = pick([null, null, 'onset', 'growth']);
      const end = writeSeriesCsvLine(out, 0, s.t, s.value, s.expected ?? NaN, s.score, s.moment, s.alert);
      const want = seriesCsvLine(s);
      const got = out.toString('latin1', 0, end);
      if (got !== want && wrong.length < 5) wrong.push(`${got} instead of ${want}`);
      checked++;
    }
    expect(wrong).toEqual([]);
    expect(checked).toBe(40_000);
  });
});

describe("detect's times", () => {
  it('are written as toISOString writes them, years past 9999 and before year 0 as well', () => {
    for (const t of [Date.UTC(2026, 10, 20, 12), Date.UTC(12000, 0, 1), Date.UTC(12000, 0, 1, 0, 5), -62198755200000 + 3_600_000]) {
      const s = blankScore();
      s.t = t;
      const want = new Date(t).toISOString().replace(/\.000Z$/, 'Z');
      expect(seriesCsvLine(s).split(',')[0]).toBe(want);
      const out = Buffer.alloc(SERIES_CSV_LINE_MAX);
      const end = writeSeriesCsvLine(out, 0, t, 0, NaN, 0, false, null);
      expect(out.toString('latin1', 0, end).split(',')[0]).toBe(want);
    }
  });
});
