import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../src/detect/series-input.js';
import { parseIsoTime, parseTime } from '../../src/core/time.js';
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
