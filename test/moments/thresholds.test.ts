import { describe, expect, it } from 'vitest';
import { REAL_RUN, THRESHOLD_MAX, THRESHOLD_MIN, THRESHOLD_STEP, flagThreshold, learnThreshold, type LabelEvent } from '../../src/moments/thresholds.js';

const DAY = 86_400_000;
const D0 = Date.UTC(2026, 10, 2); // a Monday, 00:00 UTC
const at = (day: number, hour = 10) => D0 + day * DAY + hour * 3_600_000;
let next = 1;
const noise = (t: number): LabelEvent => ({ momentId: next++, verdict: 'noise', at: t });
const real = (t: number): LabelEvent => ({ momentId: next++, verdict: 'real', at: t });
const planned = (t: number): LabelEvent => ({ momentId: next++, verdict: 'planned', at: t });

describe('thresholds learn from labels within bounds', () => {
  it('with no labels, the threshold is the configured sensitivity\'s level', () => {
    for (const [s, level] of [['low', 4], ['medium', 3], ['high', 2.5]] as const) {
      const t = learnThreshold(s, [], at(0));
      expect(t).toMatchObject({ level, base: level, source: 'config', adjustments: [], pending: 0 });
      expect(t.why).toBe(`${level} (sensitivity ${s})`);
    }
  });

  it('a noise label moves the topic one step up, recorded with its reason', () => {
    const l = noise(at(0));
    const t = learnThreshold('medium', [l], at(0, 23));
    expect(t.level).toBe(3 + THRESHOLD_STEP);
    expect(t.source).toBe('learned');
    expect(t.adjustments).toEqual([{ at: l.at, from: 3, to: 3.25, reason: `noise label on moment ${l.momentId}`, momentIds: [l.momentId] }]);
    expect(t.why).toMatch(/^3\.25: 1 step above sensitivity medium \(3\) after 1 adjustment, the last on 2026-11-02: noise label on moment \d+$/);
  });

  it('at most one step a day: a second noise label the same day waits for the next day', () => {
    const labels = [noise(at(0, 9)), noise(at(0, 15))];
    const sameDay = learnThreshold('medium', labels, at(0, 23));
    expect(sameDay.level).toBe(3.25);
    expect(sameDay.pending).toBe(1);
    expect(sameDay.why).toMatch(/1 step up waiting \(one a day\)/);
    const nextDay = learnThreshold('medium', labels, at(1, 0));
    expect(nextDay.level).toBe(3.5);
    expect(nextDay.pending).toBe(0);
    expect(nextDay.adjustments.map((a) => a.at)).toEqual([at(0, 9), D0 + DAY]);
  });

  it(`${REAL_RUN} real labels in a row let it down a step; a noise label between them starts the run again`, () => {
    const up = noise(at(0));
    const reals = [real(at(2)), real(at(2, 11)), real(at(2, 12))];
    const t = learnThreshold('medium', [up, ...reals], at(3));
    expect(t.adjustments.map((a) => a.to)).toEqual([3.25, 3]);
    expect(t.adjustments[1]!.reason).toBe(`3 real labels in a row (moments ${reals.map((r) => r.momentId).join(', ')})`);
    const broken = learnThreshold('medium', [real(at(2)), real(at(2, 11)), noise(at(3)), real(at(4)), real(at(4, 11))], at(5));
    expect(broken.adjustments.map((a) => a.to)).toEqual([3.25]);
    expect(broken.realRun).toBe(2);
  });

  it('planned labels move nothing', () => {
    expect(learnThreshold('medium', [planned(at(0)), planned(at(1)), planned(at(2))], at(3)).level).toBe(3);
  });

  it('never beyond the sensitivity range, whatever the labels', () => {
    const many = Array.from({ length: 30 }, (_, i) => noise(at(i)));
    const top = learnThreshold('medium', many, at(40));
    expect(top.level).toBe(THRESHOLD_MAX);
    expect(Math.max(...top.adjustments.map((a) => a.to))).toBe(THRESHOLD_MAX);
    expect(top.why).toMatch(/the top of the range/);
    const downs = Array.from({ length: 60 }, (_, i) => real(at(i)));
    const bottom = learnThreshold('medium', downs, at(70));
    expect(bottom.level).toBe(THRESHOLD_MIN);
  });

  it('is a pure function of (labels, clock): the order given does not matter, later labels do not count yet', () => {
    const labels = [noise(at(0)), real(at(1)), noise(at(1, 12)), real(at(2)), real(at(2, 1)), real(at(2, 2)), noise(at(5))];
    const a = learnThreshold('medium', labels, at(10));
    const b = learnThreshold('medium', [...labels].reverse(), at(10));
    expect(b).toEqual(a);
    expect(learnThreshold('medium', labels, at(1, 0)).level).toBe(3.25); // only the first label by then
  });

  it('--sensitivity on the command line overrides, labels ignored', () => {
    expect(flagThreshold('high')).toMatchObject({ level: 2.5, source: 'flag', adjustments: [] });
    expect(flagThreshold('high').why).toMatch(/--sensitivity high on the command line; labels ignored/);
  });

  // The day that allows one step is the team's, midnight to midnight on its clock (it was UTC's whatever the zone).
  it.each([
    // two noise labels 3 hours apart that UTC puts on one day and the team on two (Kolkata: 23:00 and 02:00 IST)
    ['Asia/Kolkata', Date.UTC(2026, 10, 18, 17, 30), Date.UTC(2026, 10, 18, 20, 30), 2, '2026-11-19'],
    // Los Angeles: 23:00 and 02:00 PST, on UTC's 19th both
    ['America/Los_Angeles', Date.UTC(2026, 10, 19, 7), Date.UTC(2026, 10, 19, 10), 2, '2026-11-19'],
    // and the other way: 23:00 and 02:00 UTC are 04:30 and 07:30 IST, one day of Kolkata's
    ['Asia/Kolkata', Date.UTC(2026, 10, 18, 23), Date.UTC(2026, 10, 19, 2), 1, '2026-11-19'],
    ['UTC', Date.UTC(2026, 10, 18, 23), Date.UTC(2026, 10, 19, 2), 2, '2026-11-19'],
  ])("one step a day is one a day of the team's (%s)", (tz, first, second, steps, lastOn) => {
    const labels = [noise(first), noise(second)];
    const t = learnThreshold('medium', labels, second + 3_600_000, tz);
    expect(t.adjustments.length).toBe(steps);
    expect(t.pending).toBe(2 - steps);
    expect(t.why).toContain(`the last on ${lastOn}: noise label on moment ${labels[steps - 1]!.momentId}`);
    if (steps === 1) expect(t.why).toMatch(/1 step up waiting \(one a day\)$/);
  });

  it("a step that waited is taken at the team's next midnight, and dated by its calendar", () => {
    // 04:30 and 07:30 IST on the 19th: the second waits for the 20th, which begins at 18:30 UTC on the 19th
    const labels = [noise(Date.UTC(2026, 10, 18, 23)), noise(Date.UTC(2026, 10, 19, 2))];
    const kolkataMidnight = Date.UTC(2026, 10, 19, 18, 30);
    expect(learnThreshold('medium', labels, kolkataMidnight - 1, 'Asia/Kolkata').pending).toBe(1);
    const t = learnThreshold('medium', labels, kolkataMidnight, 'Asia/Kolkata');
    expect(t.adjustments.map((a) => a.at)).toEqual([labels[0]!.at, kolkataMidnight]);
    expect(t.why).toMatch(/after 2 adjustments, the last on 2026-11-20: noise label/);
    // Los Angeles: 23:00 and 23:30 PST on the 18th; the 19th begins at 08:00 UTC
    const la = [noise(Date.UTC(2026, 10, 19, 7)), noise(Date.UTC(2026, 10, 19, 7, 30))];
    const t2 = learnThreshold('medium', la, Date.UTC(2026, 10, 19, 8), 'America/Los_Angeles');
    expect(t2.adjustments.map((a) => a.at)).toEqual([la[0]!.at, Date.UTC(2026, 10, 19, 8)]);
    expect(t2.why).toMatch(/the last on 2026-11-19: noise label/);
  });
});
