import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../src/detect/series-input.js';
import { bucketStart, canonicalZone, fmtIn, fmtSpanIn, fmtUtc, gridShift, iso, knownZone, parseIsoTime, parseTime, standardOffset, zonedDayStart, zonedMidnight } from '../../src/core/time.js';
import { regrid } from '../../src/core/buckets.js';
import { parseDate } from '../../src/parse/feed.js';

const T = Date.UTC(2026, 10, 20, 12, 0, 0);

describe('one reader of ISO times', () => {
  it.each<[string, number | null]>([
    ['2026-11-20T12:00:00Z', T],
    ['2026-11-20 12:00:00', T],
    ['2026-11-20t12:00:00z', T],
    ['2026-11-20T12:00Z', T],
    ['2026-11-20T13:00:00+01:00', T],
    ['2026-11-20T13:00:00+0100', T],
    ['2026-11-20T13:00:00+01', T],
    ['2026-11-20T07:30:00-04:30', T],
    ['2026-11-20T12:00:00.250Z', T + 250],
    ['2026-11-20T12:00:00,5Z', T + 500],
    ['2026-11-20', Date.UTC(2026, 10, 20)],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['0050-01-01T00:00:00Z', Date.UTC(2050, 0, 1) - 2000 * 365.2425 * 86_400_000],
    ['2026-02-29', null],
    ['2026-02-30T00:00:00Z', null],
    ['2026-13-01', null],
    ['2026-11-20T24:00:00Z', null],
    ['2026-11-20T12:00:60Z', null],
    ['2026-11-20T12:00:00+24:00', null],
    ['20 Nov 2026 12:00:00 GMT', null],
    ['2026-11-20T12', null],
  ])('%s', (text, want) => {
    expect(parseIsoTime(text)).toBe(want);
  });

  it('is what the command line and series input read', () => {
    for (const text of ['2026-11-20T13:00:00+01', '2026-11-20 12:00:00', '2026-11-20T12:00:00,5Z']) {
      expect(parseTime(text, 0, '--as-of')).toBe(parseIsoTime(text));
      expect(parseTimestamp(text)).toBe(parseIsoTime(text));
    }
    expect(() => parseTime('2026-02-30', 0, '--as-of')).toThrow(/--as-of: cannot read "2026-02-30" as a time/);
    expect(parseTimestamp('2026-02-30')).toBeNull();
  });

  it('reads what feeds write anyway, leniently: 24:00, a leap second, day 31 of a 30-day month', () => {
    expect(parseIsoTime('2026-11-20T24:00:00Z', { lenient: true })).toBe(Date.UTC(2026, 10, 21));
    expect(parseIsoTime('2026-11-20T12:00:60Z', { lenient: true })).toBe(T + 59_000);
    expect(parseIsoTime('2026-11-31T12:00:00Z', { lenient: true })).toBe(Date.UTC(2026, 11, 1, 12));
    expect(parseIsoTime('2026-11-32T12:00:00Z', { lenient: true })).toBeNull();
    expect(parseDate('2026-11-20T24:00:00Z')).toBe(Date.UTC(2026, 10, 21));
    expect(parseDate('2026-11-20T13:00:00+01')).toBe(T);
  });
});

describe("a team's time zone", () => {
  const H = 3_600_000;
  it.each([
    // the day the clocks go back is 25 hours long, the day they go forward 23, midnight to midnight
    ['Europe/Amsterdam', 2026, 10, 25, '2026-10-24T22:00:00Z', 25],
    ['Europe/Amsterdam', 2026, 3, 29, '2026-03-28T23:00:00Z', 23],
    ['Europe/Amsterdam', 2026, 11, 20, '2026-11-19T23:00:00Z', 24],
    ['America/New_York', 2026, 11, 1, '2026-11-01T04:00:00Z', 25],
    ['America/New_York', 2026, 3, 8, '2026-03-08T05:00:00Z', 23],
    ['Asia/Tokyo', 2026, 11, 20, '2026-11-19T15:00:00Z', 24],
    ['UTC', 2026, 11, 20, '2026-11-20T00:00:00Z', 24],
  ])('%s: %i-%i-%i begins at %s and lasts %i hours', (tz, y, m, d, start, hours) => {
    const t = zonedMidnight(y, m, d, tz);
    expect(iso(t)).toBe(start);
    expect((zonedMidnight(y, m, d + 1, tz) - t) / H).toBe(hours);
    // the day a time falls in, and the one before it: what digest --day yesterday covers
    expect(zonedDayStart(t + (hours - 1) * H, tz)).toBe(t);
    expect(zonedDayStart(zonedMidnight(y, m, d + 1, tz) + H, tz, -1)).toBe(t);
  });

  it.each([
    [Date.UTC(2026, 6, 1, 12), 'Europe/Amsterdam', '2026-07-01 14:00 CEST'],
    [Date.UTC(2026, 10, 20, 12), 'Europe/Amsterdam', '2026-11-20 13:00 CET'],
    [Date.UTC(2026, 10, 20, 12), 'America/New_York', '2026-11-20 07:00 EST'],
    [Date.UTC(2026, 9, 20, 12), 'America/New_York', '2026-10-20 08:00 EDT'],
    [Date.UTC(2026, 10, 20, 12), 'Europe/London', '2026-11-20 12:00 GMT'],
    [Date.UTC(2026, 10, 20, 12), 'Asia/Tokyo', '2026-11-20 21:00 UTC+9'],
    [Date.UTC(2026, 10, 20, 12), 'Asia/Kolkata', '2026-11-20 17:30 UTC+5:30'],
    [Date.UTC(2026, 10, 20, 12), 'UTC', '2026-11-20 12:00 UTC'],
  ])('%i in %s reads %s', (ms, tz, shown) => {
    expect(fmtIn(ms, tz)).toBe(shown);
    if (tz === 'UTC') expect(fmtIn(ms, tz)).toBe(fmtUtc(ms));
  });

  it('names the zone once in a span, at both ends when the clocks change between them', () => {
    const ams = (y: number, m: number, d: number) => zonedMidnight(y, m, d, 'Europe/Amsterdam');
    expect(fmtSpanIn(ams(2026, 11, 19), ams(2026, 11, 20), 'Europe/Amsterdam')).toBe('2026-11-19 00:00 → 2026-11-20 00:00 CET');
    expect(fmtSpanIn(ams(2026, 10, 25), ams(2026, 10, 26), 'Europe/Amsterdam')).toBe('2026-10-25 00:00 CEST → 2026-10-26 00:00 CET');
    expect(fmtSpanIn(Date.UTC(2026, 10, 19, 8), Date.UTC(2026, 10, 20, 8), 'UTC', ' and ')).toBe('2026-11-19 08:00 and 2026-11-20 08:00 UTC');
  });

  it.each([
    // a time without a zone (or a date alone) is the team's; one with Z or an offset is read as written
    ['2026-11-20', 'Europe/Amsterdam', '2026-11-19T23:00:00Z'],
    ['2026-11-20 14:00', 'Europe/Amsterdam', '2026-11-20T13:00:00Z'],
    ['2026-10-25T02:30', 'Europe/Amsterdam', '2026-10-25T00:30:00Z'], // the hour repeated: its first time
    ['2026-03-29T02:30', 'Europe/Amsterdam', '2026-03-29T01:30:00Z'], // the hour skipped: moved on by the gap (03:30 CEST)
    ['2026-11-20T14:00Z', 'Europe/Amsterdam', '2026-11-20T14:00:00Z'],
    ['2026-11-20T14:00+09:00', 'America/New_York', '2026-11-20T05:00:00Z'],
    ['2026-11-01', 'America/New_York', '2026-11-01T04:00:00Z'],
    ['2026-11-20', 'UTC', '2026-11-20T00:00:00Z'],
  ])('%s in %s is %s', (text, tz, want) => {
    expect(iso(parseTime(text, 0, '--as-of', tz))).toBe(want);
  });

  it('knows IANA names in any case, and nothing else', () => {
    expect(knownZone('Europe/Amsterdam')).toBe(true);
    expect(canonicalZone('europe/amsterdam')).toBe('Europe/Amsterdam');
    expect(canonicalZone('Etc/UTC')).toBe('UTC');
    expect(knownZone('Mars/Olympus_Mons')).toBe(false);
    expect(knownZone('')).toBe(false);
  });
});

describe("buckets cut at the team's midnight", () => {
  const H = 3_600_000;
  it.each<[string, string, string, string]>([
    // a day's bucket starts at the team's midnight by its standard clock (01:00 in summer), all of one length
    ['Europe/Amsterdam', '1d', '2026-11-20T10:00:00Z', '2026-11-19T23:00:00Z'],
    ['Europe/Amsterdam', '1d', '2026-07-01T10:00:00Z', '2026-06-30T23:00:00Z'],
    ['Europe/Amsterdam', '6h', '2026-11-20T10:00:00Z', '2026-11-20T05:00:00Z'],
    ['America/New_York', '1d', '2026-11-20T03:00:00Z', '2026-11-19T05:00:00Z'],
    ['America/New_York', '6h', '2026-11-20T03:00:00Z', '2026-11-19T23:00:00Z'],
    ['Asia/Kolkata', '1h', '2026-11-20T10:10:00Z', '2026-11-20T09:30:00Z'],
    ['Australia/Sydney', '1d', '2026-01-15T10:00:00Z', '2026-01-14T14:00:00Z'], // AEST +10 (summer is +11)
    ['Asia/Tokyo', '1d', '2026-11-20T10:00:00Z', '2026-11-19T15:00:00Z'],
    ['UTC', '1d', '2026-11-20T10:00:00Z', '2026-11-20T00:00:00Z'],
  ])('%s, %s buckets: %s falls in the one from %s', (tz, size, at, want) => {
    const b = size === '1d' ? 24 * H : size === '6h' ? 6 * H : H;
    const t = Date.parse(at);
    expect(iso(bucketStart(t, b, gridShift(b, standardOffset(tz, t))))).toBe(want);
  });

  it('leaves the epoch grid alone without a zone, and for buckets that are not whole quarter hours', () => {
    expect(gridShift(86_400_000, 0)).toBe(0);
    expect(gridShift(86_400_000)).toBe(0);
    expect(gridShift(7 * 60_000, H)).toBe(0);
    expect(gridShift(H, H)).toBe(0); // an hour's buckets are the same in Amsterdam
    expect(standardOffset(undefined, 0)).toBe(0);
    expect(standardOffset('Europe/Amsterdam', Date.parse('2026-07-01T00:00:00Z'))).toBe(H);
  });

  it("rolls quarter-hour counts up into the team's buckets", () => {
    const q = (t: string, n: number) => [Date.parse(t), n, n, n, 0.5 * n, 0.25 * n];
    const fine = Float64Array.from([...q('2026-11-19T22:45:00Z', 1), ...q('2026-11-19T23:00:00Z', 2), ...q('2026-11-20T22:45:00Z', 3), ...q('2026-11-20T23:00:00Z', 4)]);
    const out = regrid(fine, 24 * H, gridShift(24 * H, H));
    expect(Array.from(out)).toEqual([
      ...[Date.parse('2026-11-18T23:00:00Z'), 1, 1, 1, 0.5, 0.25],
      ...[Date.parse('2026-11-19T23:00:00Z'), 5, 5, 5, 2.5, 1.25],
      ...[Date.parse('2026-11-20T23:00:00Z'), 4, 4, 4, 2, 1],
    ]);
  });
});
