import { describe, expect, it } from 'vitest';
import { gridShift } from '../../src/core/time.js';
import type { Bucket } from '../../src/core/types.js';
import { detectResumable, engineStart, scoreBuckets, type DetectOptions } from '../../src/detect/detect.js';
import { rng } from '../helpers/rng.js';

// The engine resumed from a state saved by an earlier run says exactly what a replay from its start
// says: every bucket's scores, flags and alerts, bit for bit, and every moment.

const Q = 15 * 60_000;
const H = 3_600_000;
const D = 24 * H;
const START = Date.UTC(2026, 8, 1);
const END = Date.UTC(2026, 10, 20, 12);

/** 15-minute counts with a daily rhythm, sentiment, bursts and swings (some across midnight). */
function buckets(seed: number, level: number): Bucket[] {
  const r = rng(seed);
  const bursts = [END - 20 * D - 2 * H, END - 9 * D - H, END - 8 * D + 11 * H, END - 3 * D + 5 * H, END - 12 * H];
  const out: Bucket[] = [];
  for (let t = START; t < END; t += Q) {
    const hour = new Date(t).getUTCHours();
    const burst = bursts.some((b) => t >= b && t < b + 3 * H) ? 6 * level + 5 : 0;
    const count = Math.floor(r() * 2 * level * (hour >= 8 && hour < 20 ? 1.4 : 0.6) + burst);
    if (count === 0) continue;
    const scored = Math.max(0, count - 1);
    const mean = burst ? -0.5 : r() * 0.4 - 0.15;
    out.push({ start: t, count, items: count + (r() < 0.2 ? 1 : 0), scored, sentimentSum: scored * mean, sentimentSumSq: scored * (mean * mean + 0.04) });
  }
  return out;
}

const opts = (asOf: number, since = 7 * D): DetectOptions => ({ asOf, from: asOf - since, bucketMs: Q, baselineMs: 14 * D, sensitivity: 'medium', historyStart: START });

describe('the engine resumed from a saved state', () => {
  it.each([
    [1, 0.4],
    [2, 3],
    [3, 25],
  ])('says what a replay from the start says, bucket by bucket (seed %i, %f a quarter)', (seed, level) => {
    const b = buckets(seed, level);
    const first = opts(END - 4 * D);
    const saveBy = first.from; // at the latest: the window's first bucket
    const saved = detectResumable('T', b, first, { saveBy });
    expect(saved.resumed).toBe(false);
    const snap = saved.snapshot!;
    expect(snap).not.toBeNull();
    expect(snap.at).toBeLessThanOrEqual(saveBy);
    expect(snap.at % D).toBe(0);
    let moments = 0;
    for (const later of [0, Q, 7 * 60_000, 5 * H, D, 2 * D + 3 * Q, 4 * D]) {
      const o = opts(first.asOf + later);
      const full = detectResumable('T', b, o);
      const resumed = detectResumable('T', b, o, { from: snap });
      expect(resumed.resumed).toBe(true);
      expect(resumed.moments).toEqual(full.moments);
      moments += full.moments.length;
      // every bucket's scores from the window on, not just the rounded moments
      expect(scoreBuckets(b, o, { from: snap })).toEqual(scoreBuckets(b, o));
    }
    expect(moments).toBeGreaterThan(0);
    // the saved state is not changed by resuming from it (the same state twice gives the same answer)
    const again = opts(END);
    expect(detectResumable('T', b, again, { from: snap }).moments).toEqual(detectResumable('T', b, again).moments);
  });

  it('is saved only at a day boundary where no burst or swing is open, and is ignored where it does not fit', () => {
    const b = buckets(4, 3);
    // the burst from 23:00 on 2026-11-12 runs across midnight: no state at that midnight, but an earlier one
    const o = opts(END - 6 * D - 21 * H);
    const saveBy = END - 7 * D;
    const s = detectResumable('T', b, o, { saveBy }).snapshot!;
    expect(s.at).toBeLessThan(Date.UTC(2026, 10, 13));
    expect(s.at).toBeGreaterThanOrEqual(saveBy - 3 * D);
    expect(s.at % D).toBe(0);
    // a state after the window's first bucket, or off the bucket grid, is not resumed from
    const early = opts(END, 30 * D);
    expect(detectResumable('T', b, early, { from: s }).resumed).toBe(false);
    expect(detectResumable('T', b, opts(END), { from: { ...s, at: s.at + 60_000 } }).resumed).toBe(false);
    expect(detectResumable('T', b, opts(END), { from: s }).resumed).toBe(true);
  });

  // A backtest's window is most of the history: it saves its state near its end, with the moments that
  // closed before it, so that a backtest run again (or any window that starts before the state) resumes there.
  it.each([
    [5, 0.4],
    [6, 3],
    [7, 25],
  ])('saved inside the window, carries the moments before it: a run resumed there says what a replay says (seed %i, %f a quarter)', (seed, level) => {
    const b = buckets(seed, level);
    const saving = opts(END - 2 * D, 60 * D);
    const snap = detectResumable('T', b, saving, { saveBy: saving.asOf }).snapshot!;
    expect(snap.at).toBeGreaterThan(saving.from + 50 * D); // inside the window, near its end
    expect(snap.at % D).toBe(0);
    let before = 0;
    let resumes = 0;
    for (const asOf of [snap.at + 7 * 60_000, snap.at + Q, saving.asOf, saving.asOf + 5 * H, END]) {
      for (const since of [60 * D, 30 * D, 7 * D, 2 * H]) {
        const o = opts(asOf, since);
        // (another engine start is another key: the store would not offer this state)
        if (engineStart(o) !== engineStart(saving)) continue;
        const full = detectResumable('T', b, o);
        const resumed = detectResumable('T', b, o, { from: snap });
        // resumed unless the window starts before the moments the state carries (the saving run's window)
        expect(resumed.resumed).toBe(o.from >= saving.from);
        if (resumed.resumed) resumes++;
        expect(JSON.stringify(resumed.moments)).toBe(JSON.stringify(full.moments));
        before += full.moments.filter((m) => m.firedAt <= snap.at).length;
        // and the state it saves, resumed from in turn
        const next = detectResumable('T', b, o, { from: snap, saveBy: asOf }).snapshot;
        if (next) expect(JSON.stringify(detectResumable('T', b, opts(END, since), { from: next }).moments)).toBe(JSON.stringify(detectResumable('T', b, opts(END, since)).moments));
      }
    }
    expect(resumes).toBeGreaterThanOrEqual(8);
    expect(before).toBeGreaterThan(0); // moments before the state were carried, not found again
    // a window that starts before what the state carries, or a period nobody fetched before the state that
    // it was not made with: not resumed from (replayed, with the same answer)
    const wider = opts(END, 70 * D);
    expect(detectResumable('T', b, wider, { from: snap }).resumed).toBe(false);
    const blind = { ...opts(END, 30 * D), blind: [[snap.at - 3 * D, snap.at - 2 * D]] as [number, number][] };
    const r = detectResumable('T', b, blind, { from: snap });
    expect(r.resumed).toBe(false);
    expect(r.moments).toEqual(detectResumable('T', b, blind).moments);
  });
});

// A moment carried by a state (it closed before it) may still be ongoing for a run right at the state, or one
// bucket after it: with buckets of 4 hours or more an episode closes after one quiet bucket, so its last
// bucket may be the one before the last judged. The resumed run makes its `ongoing`, `stage` and
// `hoursSinceOnset` again, from the carried last judged bucket when none after the state is judged yet.
describe('a carried moment still ongoing at the state', () => {
  /** The 15-minute buckets summed into buckets of `bucketMs`, cut `shift` after the epoch's grid. */
  function wider(b: Bucket[], bucketMs: number, shift: number): Bucket[] {
    const out = new Map<number, Bucket>();
    for (const x of b) {
      const s = Math.floor((x.start - shift) / bucketMs) * bucketMs + shift;
      const y = out.get(s) ?? { start: s, count: 0, items: 0, scored: 0, sentimentSum: 0, sentimentSumSq: 0 };
      y.count += x.count;
      y.items = (y.items ?? 0) + (x.items ?? 0);
      y.scored += x.scored;
      y.sentimentSum += x.sentimentSum;
      y.sentimentSumSq += x.sentimentSumSq;
      out.set(s, y);
    }
    return [...out.values()];
  }

  it.each([
    ['6h, UTC', 6 * H, 0],
    ['6h, Asia/Kolkata (+5:30)', 6 * H, 5.5 * H],
    ['4h, America/Los_Angeles (−8)', 4 * H, -8 * H],
    ['1d, UTC', D, 0],
    ['1d, Asia/Kolkata (+5:30)', D, 5.5 * H],
  ])('a resumed run says what a replay says, at the state and just after it (%s)', (_name, bucketMs, offsetMs) => {
    const shift = gridShift(bucketMs, offsetMs);
    let ongoing = 0;
    let compared = 0;
    for (const [seed, level] of [[8, 3], [9, 25]] as const) {
      const b = wider(buckets(seed, level), bucketMs, shift);
      const o = (asOf: number, since: number): DetectOptions => ({ ...opts(asOf, since), bucketMs, baselineMs: 28 * D, offsetMs });
      // a state at each of the last 10 days' midnights (the team's), saved by a backtest that ends a bucket later
      for (let day = 10; day >= 1; day--) {
        const saveBy = Math.floor((END - day * D + offsetMs) / D) * D - offsetMs;
        const saving = o(saveBy + bucketMs, 40 * D);
        const snap = detectResumable('T', b, saving, { saveBy }).snapshot;
        if (!snap || snap.at !== saveBy) continue;
        for (const later of [0, 60_000, bucketMs - 60_000, bucketMs + 7 * 60_000, 2 * bucketMs]) {
          for (const since of [40 * D, 2 * D]) {
            const run = o(snap.at + later, since);
            if (engineStart(run) !== engineStart(saving)) continue;
            const full = detectResumable('T', b, run);
            const resumed = detectResumable('T', b, run, { from: snap });
            if (!resumed.resumed) continue;
            compared++;
            expect(JSON.stringify(resumed.moments, null, 1)).toBe(JSON.stringify(full.moments, null, 1));
            ongoing += full.moments.filter((m) => m.ongoing && m.end <= snap.at).length;
            // the bucket after the state not fetched (not judged): "now" is still the carried last judged bucket
            const blind = { ...run, blind: [[snap.at, snap.at + bucketMs]] as [number, number][] };
            const r = detectResumable('T', b, blind, { from: snap });
            expect(r.resumed).toBe(true);
            expect(JSON.stringify(r.moments, null, 1)).toBe(JSON.stringify(detectResumable('T', b, blind).moments, null, 1));
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(40);
    expect(ongoing).toBeGreaterThan(0); // some moments were carried while ongoing
  });
});
