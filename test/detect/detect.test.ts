import { describe, expect, it } from 'vitest';
import type { Bucket } from '../../src/core/types.js';
import { detectMoments, scoreBuckets, type DetectOptions } from '../../src/detect/detect.js';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 9, 1); // 2026-10-01
const BUCKET = 6 * H;

/** A dense series from per-bucket counts and (optional) mean sentiment. */
function series(counts: number[], sentiment: (i: number) => number = () => 0.05): Bucket[] {
  return counts.map((count, i) => {
    const s = sentiment(i);
    return { start: T0 + i * BUCKET, count, scored: count, sentimentSum: s * count, sentimentSumSq: (s * s + 0.09) * count };
  });
}

/** A deterministic, Poisson-ish baseline around `rate` per bucket. */
function steady(n: number, rate: number, seed = 7): number[] {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, () => {
    // inverse-CDF Poisson sample
    let k = 0;
    let p = Math.exp(-rate);
    let cdf = p;
    const u = rnd();
    while (u > cdf && k < 1000) {
      k++;
      p *= rate / k;
      cdf += p;
    }
    return k;
  });
}

function opts(n: number, extra: Partial<DetectOptions> = {}): DetectOptions {
  const asOf = T0 + n * BUCKET; // the end of the last bucket: every bucket has ended
  return { asOf, from: asOf - 7 * D, bucketMs: BUCKET, baselineMs: 14 * D, sensitivity: 'medium', historyStart: T0, ...extra };
}

describe('detectMoments', () => {
  it('alerts once per burst, and again only when a bucket doubles the peak it alerted at', () => {
    const counts = steady(120, 2);
    // fires at 16 (about 2 usual); 18 and 24 are the same burst going on; 36 doubles the excess it fired
    // at (alert 2); 50 does not double that; 80 does (alert 3)
    [16, 18, 24, 36, 50, 80].forEach((c, k) => (counts[112 + k] = c));
    const at = (n: number) => detectMoments('Acme', series(counts.slice(0, n)), opts(n)).find((m) => m.kind === 'volume-spike')!;
    const end = (i: number) => T0 + (i + 1) * BUCKET;
    expect(at(113)).toMatchObject({ alerts: 1, alertedAt: end(112), firedAt: end(112) });
    expect(at(115)).toMatchObject({ alerts: 1, alertedAt: end(112), firedAt: end(112) });
    expect(at(116)).toMatchObject({ alerts: 2, alertedAt: end(115), firedAt: end(112) });
    expect(at(117)).toMatchObject({ alerts: 2, alertedAt: end(115) });
    expect(at(118)).toMatchObject({ alerts: 3, alertedAt: end(117), firedAt: end(112) });
  });

  it('finds a planted volume spike, with its start, peak and size', () => {
    const counts = steady(120, 3);
    counts[110] = 14;
    counts[111] = 25;
    counts[112] = 9;
    const moments = detectMoments('Acme', series(counts), opts(120));
    expect(moments).toHaveLength(1);
    const m = moments[0]!;
    expect(m.kind).toBe('volume-spike');
    expect(m.start).toBe(T0 + 110 * BUCKET);
    expect(m.peak).toBe(T0 + 111 * BUCKET);
    expect(m.observed).toBe(25);
    expect(m.expected).toBeGreaterThan(2);
    expect(m.expected).toBeLessThan(4.5);
    expect(m.score).toBeGreaterThan(8);
    expect(m.ongoing).toBe(false);
  });

  it.each([
    ['quiet', 0.3],
    ['steady', 3],
    ['busy', 40],
  ])('a %s series with no event produces no moment', (_name, rate) => {
    const counts = steady(120, rate, 11);
    expect(detectMoments('T', series(counts), opts(120))).toEqual([]);
  });

  it('a single item on a quiet topic is not a moment', () => {
    const counts = new Array(120).fill(0);
    counts[40] = 1;
    counts[80] = 1;
    counts[119] = 1;
    expect(detectMoments('Quiet', series(counts), opts(120))).toEqual([]);
  });

  it('a burst on a quiet topic is a moment once it is several items', () => {
    const counts = new Array(120).fill(0);
    counts[40] = 1;
    counts[80] = 1;
    counts[118] = 6;
    const [m] = detectMoments('Quiet', series(counts), opts(120));
    expect(m?.kind).toBe('volume-spike');
    expect(m?.observed).toBe(6);
  });

  it('the same relative burst is less surprising on a bursty (overdispersed) topic', () => {
    const calm = steady(120, 5, 3);
    // bursts every 5th bucket: not the daily rhythm (4 buckets a day), which the engine would learn
    const bursty = calm.map((c, i) => (i % 5 === 0 ? c * 3 : Math.round(c / 2)));
    calm[119] = 15;
    bursty[119] = 15;
    const a = scoreBuckets(series(calm), opts(120)).at(-1)!;
    const b = scoreBuckets(series(bursty), opts(120)).at(-1)!;
    expect(a.volumeScore).toBeGreaterThan(b.volumeScore);
  });

  it('finds a negative sentiment swing at normal volume, and reports it as ongoing', () => {
    const counts = steady(120, 4, 5).map((c) => Math.max(c, 3));
    const moments = detectMoments('Air', series(counts, (i) => (i >= 116 ? -0.6 : 0.08)), opts(120));
    expect(moments.map((m) => [m.kind, m.direction])).toEqual([['sentiment-shift', 'negative']]);
    const m = moments[0]!;
    expect(m.start).toBe(T0 + 116 * BUCKET);
    expect(m.ongoing).toBe(true);
    expect(m.sentimentNow).toBeLessThan(-0.5);
    expect(m.sentimentBaseline).toBeGreaterThan(0);
  });

  it('a shifted mean carried by one or two items is not a sentiment moment', () => {
    const counts = new Array(120).fill(2);
    expect(detectMoments('Air', series(counts, (i) => (i === 119 ? -0.9 : 0.1)), opts(120))).toEqual([]);
  });

  it('is causal: the verdict for a time does not change when later data arrives', () => {
    const counts = steady(140, 3);
    counts[110] = 20;
    const early = detectMoments('A', series(counts.slice(0, 112)), opts(112));
    const late = detectMoments('A', series(counts), opts(112)); // same as-of, more data in the store
    expect(late).toEqual(early);
    expect(early).toHaveLength(1);
  });

  it('judges only buckets that have ended: a burst fires at the end of its bucket, and later runs agree', () => {
    const counts = steady(120, 3);
    counts[119] = 30;
    // the bucket is under way: shown, not judged, nothing fired yet
    const during = opts(120, { asOf: T0 + 119 * BUCKET + H });
    expect(scoreBuckets(series(counts), during).at(-1)).toMatchObject({ count: 30, judged: false });
    expect(detectMoments('A', series(counts), during)).toEqual([]);
    // once it has ended it fires then, and a run a day later says the same
    const [m] = detectMoments('A', series(counts), opts(120));
    expect(m).toMatchObject({ kind: 'volume-spike', firedAt: T0 + 120 * BUCKET });
    const later = detectMoments('A', series([...counts, 3, 2, 4, 3]), opts(124)).find((x) => x.kind === 'volume-spike');
    expect(later).toMatchObject({ firedAt: m!.firedAt, start: m!.start, alerts: 1 });
  });

  it('says nothing while there is too little history (learning)', () => {
    const counts = new Array(120).fill(0);
    counts[118] = 30;
    const rows = scoreBuckets(series(counts), opts(120, { historyStart: T0 + 117 * BUCKET }));
    expect(rows.at(-2)!.judged).toBe(false);
    expect(detectMoments('New', series(counts), opts(120, { historyStart: T0 + 117 * BUCKET }))).toEqual([]);
  });

  it('a long burst does not become its own baseline', () => {
    const counts = steady(120, 3);
    for (let i = 104; i < 120; i++) counts[i] = 15; // four days at five times the rate
    const [m] = detectMoments('A', series(counts), opts(120));
    expect(m?.start).toBe(T0 + 104 * BUCKET);
    expect(m?.end).toBe(T0 + 120 * BUCKET);
    expect(m?.ongoing).toBe(true);
  });

  it.each([
    [10, []],
    [11, ['high']],
    [12, ['medium', 'high']],
    [14, ['low', 'medium', 'high']],
  ])('a bucket of %d items where about 3 are usual is flagged at sensitivity %j', (count, levels) => {
    const counts = steady(120, 3);
    counts[119] = count;
    const flagged = (['low', 'medium', 'high'] as const).filter((sensitivity) => detectMoments('A', series(counts), opts(120, { sensitivity })).length > 0);
    expect(flagged).toEqual(levels);
  });
});

describe('undercount caveats', () => {
  it('names a feed that may have dropped items during a moment or in its baseline, and nothing else', async () => {
    const { undercountCaveats } = await import('../../src/detect/explain.js');
    const m = { start: T0 + 10 * D, end: T0 + 11 * D } as Parameters<typeof undercountCaveats>[0];
    const caveats = undercountCaveats(m, 14 * D, [
      { feedUrl: 'https://a.example/rss', start: T0 + 10 * D + H, end: T0 + 10 * D + 3 * H },
      { feedUrl: 'https://b.example/rss', start: T0 + 5 * D, end: T0 + 5 * D + H },
      { feedUrl: 'https://c.example/rss', start: T0 + 12 * D, end: T0 + 12 * D + H },
    ]);
    expect(caveats).toEqual([
      'https://a.example/rss may have dropped items between 2026-10-11T01:00:00Z and 2026-10-11T03:00:00Z (during the moment): counts there may be low',
      'https://b.example/rss may have dropped items between 2026-10-06T00:00:00Z and 2026-10-06T01:00:00Z (in its baseline): counts there may be low',
    ]);
  });
});

describe('auto bucket size', () => {
  it('is a quarter of an hour for every topic: a burst is judged 15 minutes after it shows, whatever the volume', async () => {
    const { autoBucket } = await import('../../src/detect/detect.js');
    expect(autoBucket()).toBe(15 * 60_000);
  });

  it('a quiet topic (two stories a day) in 15-minute buckets: its usual days are quiet, a day with a dozen stories is a moment', () => {
    const Q = 15 * 60_000;
    const days = 30;
    const quiet: Bucket[] = [];
    for (let d = 0; d < days; d++) for (const h of [9, 15]) quiet.push({ start: T0 + d * D + h * H, count: 1, scored: 0, sentimentSum: 0, sentimentSumSq: 0 });
    const o = (asOf: number): DetectOptions => ({ asOf, from: asOf - 7 * D, bucketMs: Q, baselineMs: 14 * D, sensitivity: 'medium', historyStart: T0 });
    expect(detectMoments('Quiet', quiet, o(T0 + days * D))).toEqual([]);
    // day 30: twelve stories between 09:00 and 12:00
    const busy = [...quiet, ...Array.from({ length: 12 }, (_, k) => ({ start: T0 + days * D + 9 * H + k * Q, count: 1, scored: 0, sentimentSum: 0, sentimentSumSq: 0 }))];
    const [m] = detectMoments('Quiet', busy, o(T0 + days * D + 12 * H));
    expect(m?.kind).toBe('volume-spike');
    expect(m!.firedAt).toBeLessThanOrEqual(T0 + days * D + 12 * H);
  });
});

describe('seasonality', () => {
  // hourly buckets, busy 08–20 UTC on weekdays, quiet at night and at weekends
  const HOURLY = H;
  const START = Date.UTC(2026, 9, 5); // a Monday
  const rateAt = (t: number) => {
    const hour = new Date(t).getUTCHours();
    const weekday = new Date(t).getUTCDay();
    const day = hour >= 8 && hour < 20 ? 6 : 0.3;
    return weekday === 0 || weekday === 6 ? day * 0.3 : day;
  };
  const poisson = (rate: number, u: number) => {
    let k = 0;
    let p = Math.exp(-rate);
    let cdf = p;
    while (u > cdf && k < 1000) {
      k++;
      p *= rate / k;
      cdf += p;
    }
    return k;
  };
  const cycle = (days: number, seed = 3): Bucket[] => {
    let x = seed;
    const rnd = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    return Array.from({ length: days * 24 }, (_, i) => {
      const start = START + i * HOURLY;
      const count = poisson(rateAt(start), rnd());
      return { start, count, scored: count, sentimentSum: 0.05 * count, sentimentSumSq: 0.1 * count };
    });
  };
  const hourlyOpts = (asOf: number): DetectOptions => ({ asOf, from: asOf - 7 * D, bucketMs: HOURLY, baselineMs: 14 * D, sensitivity: 'medium', historyStart: START });

  it('expects a busy topic to be busy by day and quiet by night and at weekends, once it has the history', () => {
    const buckets = cycle(28);
    const asOf = START + 28 * D;
    const rows = scoreBuckets(buckets, hourlyOpts(asOf));
    const at = (day: number, hour: number) => rows.find((r) => r.start === START + day * D + hour * H)!;
    // day 23 is a Wednesday, day 26 a Saturday
    expect(at(23, 12).expected).toBeGreaterThan(4);
    expect(at(23, 3).expected).toBeLessThan(1);
    expect(at(26, 12).expected).toBeLessThan(at(23, 12).expected / 2);
    // its ordinary days are not moments
    expect(detectMoments('Acme', buckets, hourlyOpts(asOf)).filter((m) => m.kind === 'volume-spike')).toEqual([]);
  });

  it('finds a burst at night that would pass for an ordinary hour of the day', () => {
    const buckets = cycle(28);
    const burst = START + 23 * D + 2 * H; // Wednesday 02:00, when 0.3 are expected (and 6 at noon, up to 12)
    buckets.find((b) => b.start === burst)!.count = 10;
    const moments = detectMoments('Acme', buckets, hourlyOpts(burst + H)).filter((m) => m.kind === 'volume-spike');
    expect(moments).toHaveLength(1);
    expect(moments[0]!.peak).toBe(burst);
    expect(moments[0]!.expected).toBeLessThan(1);
  });

  it('after five days of history an ordinary day is not a moment', () => {
    const buckets = cycle(5);
    expect(detectMoments('Acme', buckets, { ...hourlyOpts(START + 5 * D), from: START + 4 * D })).toEqual([]);
  });
});
