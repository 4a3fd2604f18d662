import { describe, expect, it } from 'vitest';
import {
  countZ,
  inferResolution,
  looksLikeCounts,
  probitFromLogTail,
  SeriesDetector,
  type SeriesPoint,
  type SeriesScore,
} from '../../src/detect/series.js';
import { logNormalUpperTail } from '../../src/detect/stats.js';
import { ALERT_SURPRISE } from '../../src/detect/alerts.js';
import * as v from '../../src/detect/verdict.js';

const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const T0 = Date.UTC(2026, 9, 5); // a Monday

/** Deterministic pseudo-random numbers (an LCG), so every run sees the same series. */
function rng(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function poisson(rnd: () => number, rate: number): number {
  let k = 0;
  let p = Math.exp(-rate);
  let cdf = p;
  const u = rnd();
  while (u > cdf && k < 10_000) {
    k++;
    p *= rate / k;
    cdf += p;
  }
  return k;
}

function gaussian(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
}

function points(values: number[], res: number): SeriesPoint[] {
  return values.map((value, i) => ({ t: T0 + i * res, value }));
}

function detect(values: number[], res: number, sensitivity: 'low' | 'medium' | 'high' = 'medium', counts = false): SeriesScore[] {
  const d = new SeriesDetector({ resolutionMs: res, sensitivity, counts });
  return points(values, res).map((p) => d.push(p));
}

const momentsAt = (out: SeriesScore[]) => out.flatMap((r, i) => (r.moment ? [i] : []));

/** Hourly counts with a daily rhythm: quiet nights, a busy afternoon. */
function dailyCounts(days: number, seed = 3): number[] {
  const rnd = rng(seed);
  return Array.from({ length: days * 24 }, (_, i) => {
    const h = i % 24;
    return poisson(rnd, h >= 13 && h <= 17 ? 60 : h >= 8 && h <= 20 ? 20 : 2);
  });
}

/** Real-valued half-hourly series with an afternoon peak (about +800 over a base of 1000). */
function dailyReal(days: number, seed = 5): number[] {
  const rnd = rng(seed);
  return Array.from({ length: days * 48 }, (_, i) => {
    const h = (i % 48) / 2;
    return 1000 + 800 * Math.exp(-((h - 15) ** 2) / 4) + 30 * gaussian(rnd);
  });
}

const SERIES: [string, number[], number][] = [
  ['hourly counts around 3', Array.from({ length: 400 }, ((r) => () => poisson(r, 3))(rng(1))), H],
  ['sparse hourly counts', Array.from({ length: 400 }, ((r) => () => poisson(r, 0.2))(rng(2))), H],
  ['daily-rhythm counts', dailyCounts(12), H],
  ['real-valued, 5 minutes', Array.from({ length: 1500 }, ((r) => () => 100 + 5 * gaussian(r))(rng(4))), 5 * M],
  ['real-valued daily rhythm, 30 minutes', dailyReal(10), 30 * M],
];

describe('SeriesDetector', () => {
  it.each(SERIES)('is causal: the output for a row does not depend on later rows (%s)', (_name, values, res) => {
    const full = detect(values, res);
    for (const cut of [1, 50, Math.floor(values.length / 2), values.length - 1]) {
      expect(detect(values.slice(0, cut), res)).toEqual(full.slice(0, cut));
    }
  });

  it.each([
    ['hourly', H, 48],
    ['5-minute', 5 * M, 576],
    ['daily', D, 16],
  ] as const)('says "learning" during the warm-up (%s), then scores', (_name, res, warmup) => {
    const out = detect(Array.from({ length: warmup + 20 }, ((r) => () => poisson(r, 5))(rng(9))), res);
    out.slice(0, warmup).forEach((r) => {
      expect(r).toMatchObject({ learning: true, expected: null, score: 0, moment: false, direction: null });
    });
    out.slice(warmup).forEach((r) => {
      expect(r.learning).toBe(false);
      expect(r.expected).not.toBeNull();
    });
  });

  it.each([
    ['a count spike on a steady series', Array.from({ length: 400 }, ((r) => () => poisson(r, 3))(rng(11))), H, 350, 30],
    ['a burst on a sparse series', Array.from({ length: 400 }, ((r) => () => poisson(r, 0.2))(rng(12))), H, 350, 12],
    ['a spike on a real-valued series', Array.from({ length: 1500 }, ((r) => () => 100 + 5 * gaussian(r))(rng(13))), 5 * M, 1200, 150],
    ['a drop on a large-count series', Array.from({ length: 400 }, ((r) => () => poisson(r, 20_000))(rng(14))), H, 350, 12_000],
  ])('finds %s', (_name, values, res, at, value) => {
    const series = [...values];
    series[at] = value;
    const out = detect(series, res);
    expect(out[at]!.moment).toBe(true);
    expect(out[at]!.direction).toBe(value > out[at]!.expected! ? 'up' : 'down');
    expect(momentsAt(out).filter((i) => i < at)).toEqual([]);
  });

  it.each(SERIES.filter(([name]) => !name.includes('rhythm')).concat([['a flat series', Array(500).fill(7), H]]))(
    'raises at most one brief false alert on %s without anything planted',
    (_name, values, res) => {
      const out = detect(values, res);
      expect(out.filter((r) => r.alert === 'onset').length).toBeLessThanOrEqual(1);
      expect(momentsAt(out).length).toBeLessThanOrEqual(3);
    },
  );

  it('does not call one item on a quiet topic a moment (exact count tail, not a z-score)', () => {
    const values = Array(300).fill(0);
    values[200] = 1;
    values[250] = 2;
    const out = detect(values, H);
    expect(out[200]!.moment).toBe(false);
    expect(out[250]!.moment).toBe(false);
    expect(out[250]!.score).toBeGreaterThan(out[200]!.score);
  });

  it.each([
    ['counts', dailyCounts(14), H, 24],
    ['real values', dailyReal(14), 30 * M, 48],
  ])('learns the daily rhythm (%s): the daily peak is not a moment once learned, a night-time spike is', (_name, base, res, perDay) => {
    const values = [...base];
    const night = 12 * perDay + Math.round(perDay / 8); // 3 a.m. on day 12
    const peak = Math.max(...values.slice(11 * perDay, 12 * perDay));
    values[night] = peak;
    const out = detect(values, res);
    expect(out[night]!.moment).toBe(true);
    expect(out[night]!.expected!).toBeLessThan(peak * 0.75);
    // days 5 to 11 (seasonality learnt): the afternoon peaks are expected, not moments
    expect(momentsAt(out).filter((i) => i >= 5 * perDay && i < 12 * perDay)).toEqual([]);
    const afternoon = 11 * perDay + Math.round((15 / 24) * perDay);
    expect(out[afternoon]!.expected!).toBeGreaterThan(peak * 0.75);
  });

  it('scores a row by its surprise (−log10 p), rising with the size of the burst', () => {
    const base = Array.from({ length: 300 }, ((r) => () => poisson(r, 3))(rng(21)));
    const scores = [3, 6, 10, 15, 20, 30, 60, 200].map((x) => {
      const values = [...base];
      values[299] = x;
      return detect(values, H)[299]!.score;
    });
    for (const s of scores) expect(s).toBeGreaterThanOrEqual(0);
    for (let i = 1; i < scores.length; i++) expect(scores[i]!).toBeGreaterThanOrEqual(scores[i - 1]!);
    expect(scores[0]!).toBeLessThan(ALERT_SURPRISE.medium);
    expect(scores.at(-1)!).toBeGreaterThan(ALERT_SURPRISE.low);
  });

  it('alerts once per burst (onset), again only when it has doubled (growth), and not while it goes on', () => {
    const values = Array.from({ length: 400 }, ((r) => () => poisson(r, 4))(rng(51)));
    [30, 32, 28, 31, 90, 60].forEach((v, k) => (values[350 + k] = v));
    const out = detect(values, H);
    const alerts = out.flatMap((r, i) => (r.alert ? [[i, r.alert]] : []));
    expect(alerts).toEqual([
      [350, 'onset'],
      [354, 'growth'],
    ]);
    expect(out.slice(350, 356).every((r) => r.moment)).toBe(true);
  });

  it('orders the sensitivities: a high-sensitivity detector flags at least what a medium one does', () => {
    const values = Array.from({ length: 600 }, ((r) => () => poisson(r, 4))(rng(31)));
    values[500] = 14;
    values[550] = 25;
    const high = momentsAt(detect(values, H, 'high'));
    const medium = momentsAt(detect(values, H, 'medium'));
    const low = momentsAt(detect(values, H, 'low'));
    expect(high).toEqual(expect.arrayContaining(medium));
    expect(medium).toEqual(expect.arrayContaining(low));
    expect(medium).toContain(550);
  });

  it('handles gaps in the series (missing rows)', () => {
    const rnd = rng(41);
    const pts = Array.from({ length: 600 }, (_, i) => ({ t: T0 + i * H, value: poisson(rnd, 5) })).filter((_, i) => i % 7 !== 3);
    pts[pts.length - 1]!.value = 40;
    const d = new SeriesDetector({ resolutionMs: inferResolution(pts), sensitivity: 'medium' });
    const out = pts.map((p) => d.push(p));
    expect(out.at(-1)!.moment).toBe(true);
    expect(momentsAt(out).length).toBeLessThanOrEqual(1);
  });
});

describe('counts finer than 15 minutes', () => {
  // three days of 5-minute counts with a daily rhythm (quiet nights, a busy afternoon)
  const fiveMinute = (seed: number) => {
    const rnd = rng(seed);
    return Array.from({ length: 3 * 288 + 400 }, (_, i) => {
      const h = Math.floor((i % 288) / 12);
      return poisson(rnd, h >= 13 && h <= 17 ? 12 : h >= 8 && h <= 20 ? 4 : 0.5);
    });
  };

  it('judges each quarter hour as a 15-minute series of the same counts would, on the row that ends it', () => {
    const values = fiveMinute(21);
    values[1000] = 90; // a burst in the last row of a quarter hour
    const fine = detect(values, 5 * M, 'medium', true);
    const quarters = Array.from({ length: values.length / 3 }, (_, q) => values[3 * q]! + values[3 * q + 1]! + values[3 * q + 2]!);
    const coarse = detect(quarters, 15 * M, 'medium', true);
    coarse.forEach((c, q) => {
      const f = fine[3 * q + 2]!;
      expect(f.score).toBe(c.score);
      expect(f.learning).toBe(c.learning);
      if (c.expected !== null) expect(f.expected).toBeCloseTo(c.expected / 3, 9);
    });
    expect(fine[1000]!.alert).toBe('onset');
    expect(coarse[333]!.alert).toBe('onset');
  });

  it('does not wait for the quarter hour to end: a burst in its first 5 minutes alerts on that row, once', () => {
    const values = fiveMinute(22);
    values[999] = 120; // the first row of a quarter hour (999 = 3 × 333)
    const out = detect(values, 5 * M, 'medium', true);
    expect(out[999]).toMatchObject({ alert: 'onset', moment: true, episode: 'up', direction: 'up' });
    // the quarter hour's own judgement continues the burst instead of alerting again
    expect(out.slice(1000, 1010).filter((r) => r.alert === 'onset')).toEqual([]);
    expect(out[1001]!.moment).toBe(true);
    expect(out.slice(600, 999).filter((r) => r.alert !== null)).toEqual([]);
  });

  it('still reports every row, in order, with its own value and its share of the forecast', () => {
    const values = fiveMinute(23);
    const out = detect(values, 5 * M, 'medium', true);
    expect(out.map((r) => r.value)).toEqual(values);
    expect(out.map((r) => r.t)).toEqual(values.map((_, i) => T0 + i * 5 * M));
    const judged = out.filter((r) => !r.learning);
    expect(judged.length).toBeGreaterThan(300);
    // a per-row forecast: the afternoon expects about 12 items per 5 minutes, not 36 per quarter hour
    const afternoon = judged.filter((r) => new Date(r.t).getUTCHours() === 15);
    const mean = afternoon.reduce((a, r) => a + r.expected!, 0) / afternoon.length;
    expect(mean).toBeGreaterThan(8);
    expect(mean).toBeLessThan(16);
  });
});

describe('judge: the verdict in a typed array (what moments reads)', () => {
  // counts with a daily rhythm and a sentiment per row, a burst and a swing in tone
  const rows = (res: number, n: number, seed: number) => {
    const rnd = rng(seed);
    return Array.from({ length: n }, (_, i) => {
      const h = Math.floor(((i * res) % D) / H);
      const value = poisson(rnd, h >= 13 && h <= 17 ? 12 : 3) + (i > n - 60 && i < n - 50 ? 40 : 0);
      const scored = value > 0 && i % 5 ? value : 0;
      const sentiment = scored ? (i > n - 120 && i < n - 80 ? -0.6 : 0.2) + (rnd() - 0.5) * 0.2 : null;
      return { t: T0 + i * res, value, n: scored, sentiment, sentimentSq: sentiment === null ? 0 : sentiment * sentiment * scored };
    });
  };
  const read = (): Omit<SeriesScore, 't' | 'value'> => {
    const f = v.verdict[v.V_FLAGS]!;
    const tf = v.verdict[v.V_TONE_FLAGS]!;
    const mean = v.verdict[v.V_TONE_MEAN]!;
    const baseline = v.verdict[v.V_TONE_BASELINE]!;
    const expected = v.verdict[v.V_EXPECTED]!;
    return {
      expected: Number.isNaN(expected) ? null : expected,
      score: v.verdict[v.V_SCORE]!,
      moment: (f & v.F_MOMENT) !== 0,
      episode: f & v.F_MOMENT ? (f & v.F_EPISODE_UP ? 'up' : 'down') : null,
      alert: f & v.F_ONSET ? 'onset' : f & v.F_GROWTH ? 'growth' : null,
      learning: (f & v.F_LEARNING) !== 0,
      direction: f & v.F_UP ? 'up' : f & v.F_DOWN ? 'down' : null,
      tone:
        f & v.F_TONE
          ? {
              surprise: v.verdict[v.V_TONE_SURPRISE]!,
              direction: tf & v.T_UP ? 1 : tf & v.T_DOWN ? -1 : 0,
              mean: Number.isNaN(mean) ? null : mean,
              baseline: Number.isNaN(baseline) ? null : baseline,
              items: v.verdict[v.V_TONE_ITEMS]!,
              alert: tf & v.T_ONSET ? 'onset' : tf & v.T_GROWTH ? 'growth' : null,
              active: (tf & v.T_ACTIVE) !== 0,
              episode: tf & v.T_EPISODE_UP ? 1 : tf & v.T_EPISODE_DOWN ? -1 : 0,
            }
          : null,
    };
  };

  it.each([
    ['15-minute rows (one row per step)', 15 * M],
    ['5-minute rows (early looks)', 5 * M],
  ])('gives row by row what push gives, tone included: %s', (_, res) => {
    const data = rows(res, (4 * D) / res, 31);
    const a = new SeriesDetector({ resolutionMs: res, sensitivity: 'medium', counts: true, direction: 'up' });
    const b = new SeriesDetector({ resolutionMs: res, sensitivity: 'medium', counts: true, direction: 'up' });
    const pushed = data.map((p) => a.push(p));
    const judged = data.map((p) => {
      b.judge(p.t, p.value, p.sentiment ?? NaN, p.n, p.sentimentSq);
      return { t: p.t, value: p.value, ...read() };
    });
    expect(judged).toEqual(pushed);
    // the case is not trivial: judged rows, a burst that alerts, tone judged and swinging
    expect(pushed.filter((s) => s.alert === 'onset').length).toBeGreaterThan(0);
    expect(pushed.some((s) => s.tone && s.tone.surprise > 0)).toBe(true);
  });
});

describe('looksLikeCounts', () => {
  const pts = (vs: number[]) => vs.map((value) => ({ value }));
  it('takes non-negative integers that vary at least as Poisson counts do for counts', () => {
    expect(looksLikeCounts(pts(Array.from({ length: 300 }, ((r) => () => poisson(r, 4))(rng(41)))))).toBe(true);
    expect(looksLikeCounts(pts(Array.from({ length: 300 }, ((r) => () => poisson(r, 0.3))(rng(42)))))).toBe(true);
  });
  it('does not take integer measurements that vary less (speeds, a flat line, a square wave), or non-integers', () => {
    expect(looksLikeCounts(pts(Array.from({ length: 300 }, ((r) => () => 60 + Math.round(2 * gaussian(r)))(rng(43)))))).toBe(false);
    expect(looksLikeCounts(pts(Array(300).fill(45)))).toBe(false);
    expect(looksLikeCounts(pts(Array.from({ length: 300 }, (_, i) => (Math.floor(i / 50) % 2 ? 80 : 20))))).toBe(false);
    expect(looksLikeCounts(pts([1, 2.5, 3]))).toBe(false);
    expect(looksLikeCounts(pts([1, -2, 3]))).toBe(false);
  });
});

describe('direction', () => {
  it("'up' alerts on rises only; a fall never holds back a rise that follows it", () => {
    const values = Array.from({ length: 400 }, ((r) => () => poisson(r, 40))(rng(31)));
    values[300] = 0;
    values[301] = 0; // a fall…
    values[303] = 140; // …and a burst soon after
    const both = new SeriesDetector({ resolutionMs: H, sensitivity: 'medium' });
    const up = new SeriesDetector({ resolutionMs: H, sensitivity: 'medium', direction: 'up' });
    const outBoth = points(values, H).map((p) => both.push(p));
    const outUp = points(values, H).map((p) => up.push(p));
    expect(outBoth[300]).toMatchObject({ alert: 'onset', episode: 'down' });
    // with both directions the burst ends the fall's episode and is a moment of its own
    expect(outBoth[303]).toMatchObject({ alert: 'onset', episode: 'up' });
    expect(outUp.slice(250, 303).filter((r) => r.alert !== null)).toEqual([]);
    expect(outUp[303]).toMatchObject({ alert: 'onset', episode: 'up' });
  });
});

describe('sensitivity table', () => {
  it('orders the alert levels: high alerts on less surprise than medium, medium than low', () => {
    expect(ALERT_SURPRISE.high).toBeLessThan(ALERT_SURPRISE.medium);
    expect(ALERT_SURPRISE.medium).toBeLessThan(ALERT_SURPRISE.low);
  });

  it.each([0.5, 1, 2, 3, 5, 8, 20, 40, 100])('probit inverts the normal tail at z = %d', (z) => {
    expect(probitFromLogTail(logNormalUpperTail(z))).toBeCloseTo(z, 3);
  });
});

describe('countZ', () => {
  /** Exact Poisson mid-p tail as a normal score, summed directly. */
  function poissonZ(x: number, m: number): number {
    const pmf = (k: number) => Math.exp(-m + k * Math.log(m) - lnFactorial(k));
    let below = 0;
    for (let k = 0; k < x; k++) below += pmf(k);
    const mid = x > m ? 1 - below - pmf(x) / 2 : below + pmf(x) / 2;
    const z = probitFromLogTail(Math.log(Math.min(mid, 0.5)));
    return x > m ? z : -z;
  }
  function lnFactorial(k: number): number {
    let s = 0;
    for (let i = 2; i <= k; i++) s += Math.log(i);
    return s;
  }

  it.each([
    [0, 3],
    [1, 0.2],
    [2, 0.2],
    [5, 1],
    [10, 3],
    [12, 4],
    [0, 0.5],
  ])('is the exact Poisson tail for small counts: x = %d, mean %d', (x, m) => {
    expect(countZ(x, m, 0)).toBeCloseTo(poissonZ(x, m), 3);
  });

  it.each([
    [1200, 1000, 0],
    [900, 1000, 0.001],
    [300, 150, 0.05],
    [40, 150, 0.05],
    [260, 200, 0.01],
  ])('approximates the exact tail closely for large counts (Wilson–Hilferty): x = %d, mean %d, phi %d', (x, m, phi) => {
    expect(Math.abs(countZ(x, m, phi, 0) - countZ(x, m, phi, Infinity))).toBeLessThan(0.25);
  });

  it('is near the normal score for a large Poisson count', () => {
    expect(countZ(1200, 1000, 0)).toBeCloseTo(200 / Math.sqrt(1000), 0);
  });

  it('widens with overdispersion', () => {
    expect(Math.abs(countZ(30, 10, 0.5))).toBeLessThan(Math.abs(countZ(30, 10, 0)));
  });
});

describe('inferResolution', () => {
  const series = (step: number, n: number, drop: (i: number) => boolean = () => false, jitter = 0) =>
    Array.from({ length: n }, (_, i) => ({ t: T0 + i * step + (i % 3) * jitter })).filter((_, i) => !drop(i));

  it.each([
    ['5 minutes', series(5 * M, 500), 5 * M],
    ['30 minutes', series(30 * M, 500), 30 * M],
    ['1 hour', series(H, 500), H],
    ['1 day', series(D, 100), D],
    ['5 minutes with gaps', series(5 * M, 500, (i) => i % 5 === 2 || (i > 100 && i < 150)), 5 * M],
    ['30 minutes with every other row missing in places', series(30 * M, 500, (i) => i > 200 && i % 2 === 1), 30 * M],
    ['1 hour with second jitter', series(H, 500, () => false, 1000), H],
    ['1 day with weekends missing', series(D, 140, (i) => i % 7 >= 5), D],
  ])('%s', (_name, pts, want) => {
    expect(inferResolution(pts)).toBe(want);
  });

  it('defaults to a day with fewer than two rows', () => {
    expect(inferResolution([])).toBe(D);
    expect(inferResolution([{ t: T0 }])).toBe(D);
  });
});
