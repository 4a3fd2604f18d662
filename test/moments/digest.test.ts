import { describe, expect, it } from 'vitest';
import { knownAt } from '../../src/moments/digest.js';
import { sampleMoment } from '../helpers/moments.js';

const H = 3_600_000;

describe('digest: a stored moment as known at an earlier evaluation time', () => {
  const m = sampleMoment({ alerts: 3, alertedAt: sampleMoment().start + 16 * H });
  const stored = { topic: m.topic, firstSeenAt: m.start + 6 * H, lastSeenAt: m.end + 24 * H, moment: m };

  it('is unchanged when it was last updated by then', () => {
    expect(knownAt(stored, stored.lastSeenAt)).toBe(stored);
  });

  it('is cut at the evaluation time when a later run updated it: times, alerts and examples', () => {
    const asOf = m.start + 9 * H;
    const k = knownAt(stored, asOf);
    expect(k.lastSeenAt).toBe(asOf);
    expect(k.moment).toMatchObject({ start: m.start, end: asOf, peak: m.peak, firedAt: m.firedAt, alerts: 1, alertedAt: m.firedAt });
    expect(k.moment.examples.every((e) => e.publishedAt <= asOf)).toBe(true);
    expect(k.moment.examples).toHaveLength(m.examples.filter((e) => e.publishedAt <= asOf).length);
    // the peak bucket after the evaluation time is not known either
    expect(knownAt(stored, m.start + 3 * H).moment.peak).toBeLessThanOrEqual(m.start + 3 * H);
    expect(knownAt(stored, m.start + 3 * H).moment.examples).toEqual([]);
  });
});
