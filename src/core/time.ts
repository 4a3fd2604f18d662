import { UsageError } from './errors.js';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** Parses "250ms", "90s", "15m", "6h", "14d", "2w" (or a combination such as "1d12h") into milliseconds. Returns null if malformed. */
export function parseDurationMs(text: string): number | null {
  const s = text.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?(ms|[smhdw]))+$/.test(s)) return null;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|[smhdw])/g)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  return Number.isFinite(total) ? Math.round(total) : null;
}

/** The time from `from` to `to` in whole hours, compactly ("7d", "5h"; "1m" under half an hour): how stale a history is. */
export function hoursBetween(from: number, to: number): string {
  return formatDuration(Math.round((to - from) / 3_600_000) * 3_600_000 || 60_000);
}

/** Formats a duration compactly: 21600000 → "6h", 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}

/**
 * Parses a point in time given on the command line: ISO-8601 (a date alone means midnight, a time without
 * zone is a time, in the team's zone `tz`: UTC unless one is set), or a duration before `now` such as "24h" or "7d".
 */
export function parseTime(text: string, now: number, what: string, tz = 'UTC'): number {
  const s = text.trim();
  const ago = parseDurationMs(s);
  if (ago !== null) return now - ago;
  const ms = parseIsoTime(s, { zone: tz });
  if (ms !== null) return ms;
  throw new UsageError(`${what}: cannot read "${text}" as a time`, {
    hint: 'give an ISO-8601 time such as 2026-11-20T12:00:00Z, a date such as 2026-11-20, or a duration ago such as 24h or 7d',
  });
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * An ISO-8601 time as epoch ms UTC, or null: `2026-11-20T12:00:00Z`, with an offset (`+01:00`, `+0100`,
 * `+01`) or without a zone (UTC); a date alone is midnight UTC; `T`, `t` or a space between date and
 * time; a fraction after `.` or `,`. The one reader of ISO times: command-line times, series input, feeds.
 * Impossible times (February 30, 25:00, second 60, offset +24:00) are null, unless `lenient` (feeds, which
 * write them anyway): then 24:00 and second 60 are read as the clock would roll them and day 29–31 of a
 * shorter month rolls into the next, as JavaScript's Date does. `zone`: the zone a time without one is in
 * (the team's zone, for times people type; UTC when not given).
 */
export function parseIsoTime(text: string, o: { lenient?: boolean; zone?: string } = {}): number | null {
  const m = ISO_TIME.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(sec);
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  let offset = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(/[^0-9]/g, '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4) || 0);
    if (!o.lenient && (oh > 23 || om > 59)) return null;
    offset = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  let t: number;
  if (o.lenient) {
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return null;
    // (utcDay rolls day 31 of a shorter month on as Date.UTC does, and reads years 0–99 as those years)
    t = utcDay(year, month, day) + ((hour * 60 + minute) * 60 + Math.min(second, 59)) * 1000 + ms;
  } else {
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
    t = utcDay(year, month, day) + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
  }
  t -= offset * 60_000;
  if (!zone && o.zone && o.zone !== 'UTC' && Number.isFinite(t)) t = zonedToUtc(t, o.zone);
  return Number.isFinite(t) ? t : null;
}

/** Whether the text is written as parseIsoTime reads (whether or not the time it names exists). */
export function isIsoTime(text: string): boolean {
  return ISO_TIME.test(text.trim());
}

/** Epoch ms of a UTC date (Date.UTC reads years 0–99 as 1900–1999; shift by 400 years there). */
export function utcDay(year: number, month: number, day: number): number {
  if (year >= 100) return Date.UTC(year, month - 1, day);
  return Date.UTC(year + 400, month - 1, day) - 146_097 * 86_400_000;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1]!;
}

/** ISO-8601 UTC with seconds precision: 2026-11-20T12:00:00Z. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Start of the bucket containing `ms`: buckets aligned to the Unix epoch (UTC), or, with `shift` (gridShift:
 * a team's zone), to `shift` after it, so that they start at the team's midnight.
 */
export function bucketStart(ms: number, bucketMs: number, shift = 0): number {
  return Math.floor((ms - shift) / bucketMs) * bucketMs + shift;
}

const GRID_QUARTER_MS = 900_000;
/**
 * Where a grid of `bucketMs` buckets is cut for a team whose standard offset is `offsetMs` (standardOffset):
 * the shift from the epoch's grid (0 to bucketMs) that makes a bucket start at the team's midnight, by its
 * standard clock — 23:00 UTC for Amsterdam's days (00:00 CET, 01:00 CEST in summer), 05:00 UTC for New
 * York's, 17:00, 23:00, 05:00, 11:00 UTC for Amsterdam's 6-hour buckets. 0 without a zone, and for buckets
 * that are not whole quarter hours (the counts' unit; every zone's offset is whole quarter hours).
 */
export function gridShift(bucketMs: number, offsetMs = 0): number {
  if (!offsetMs || !(bucketMs > 0) || bucketMs % GRID_QUARTER_MS !== 0 || offsetMs % GRID_QUARTER_MS !== 0) return 0;
  return (((-offsetMs) % bucketMs) + bucketMs) % bucketMs;
}

/** "2026-11-20 12:00 UTC" (minutes are all a digest needs). */
export function fmtUtc(ms: number): string {
  return `${fmtUtcShort(ms)} UTC`;
}

/** "2026-11-20 12:00" without the zone, for ranges that say UTC once. */
export function fmtUtcShort(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

// ── Time zones: the times people read, and the days they mean ─────────────────────────────────────────────
// Stored and machine-read times stay UTC; a team's zone (defaults.timeZone, --tz) is how times are shown to
// people and which midnight a day starts at. Intl knows the zones (IANA names); the formatters are cached.

const zoneCheck = new Map<string, boolean>();
/** Whether this runtime knows `tz` as a time zone name (IANA: Europe/Amsterdam, UTC). */
export function knownZone(tz: string): boolean {
  let ok = zoneCheck.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      ok = tz.trim() !== '';
    } catch {
      ok = false;
    }
    zoneCheck.set(tz, ok);
  }
  return ok;
}

/** The zone's name as Intl spells it (utc → UTC, Etc/UTC → UTC, europe/amsterdam → Europe/Amsterdam); a known zone only. */
export function canonicalZone(tz: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: tz.trim() }).resolvedOptions().timeZone;
}

const wallFormats = new Map<string, Intl.DateTimeFormat>();
function wallFormat(tz: string): Intl.DateTimeFormat {
  let f = wallFormats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    wallFormats.set(tz, f);
  }
  return f;
}

/** The zone's wall clock at the instant `utc`, as if it were UTC (epoch ms of the same digits; seconds kept, ms dropped). */
function wallAt(tz: string, utc: number): number {
  if (tz === 'UTC') return Math.floor(utc / 1000) * 1000;
  const parts = wallFormat(tz).formatToParts(new Date(utc));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return utcDay(get('year'), get('month'), get('day')) + ((get('hour') * 60 + get('minute')) * 60 + get('second')) * 1000;
}

/** The zone's offset from UTC (ms) at the instant `utc`: +3,600,000 for Amsterdam in winter. */
export function zoneOffset(tz: string, utc: number): number {
  return wallAt(tz, utc) - Math.floor(utc / 1000) * 1000;
}

/**
 * A wall-clock time in a zone (its digits given as a UTC epoch ms) as the instant it names. A time a
 * DST change skips (02:30 on the spring night) moves forward by the gap, as calendars do; one it repeats
 * (02:30 on the autumn night) is the first of the two.
 */
export function zonedToUtc(wall: number, tz: string): number {
  if (tz === 'UTC') return wall;
  const before = wall - zoneOffset(tz, wall - 86_400_000);
  const after = wall - zoneOffset(tz, wall + 86_400_000);
  // the earlier reading that reads back as this wall time (the first of a repeated hour), else the gap's end
  for (const t of [Math.min(before, after), Math.max(before, after)]) if (t + zoneOffset(tz, t) === wall) return t;
  return Math.max(before, after);
}

/** The zone's calendar date at `ms`: { year, month (1–12), day }. */
export function zonedDate(ms: number, tz: string): { year: number; month: number; day: number } {
  const d = new Date(wallAt(tz, ms));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The instant the zone's day `year-month-day` begins (its midnight; a day may be 23 or 25 hours long). */
export function zonedMidnight(year: number, month: number, day: number, tz: string): number {
  return zonedToUtc(utcDay(year, month, day), tz);
}

/** The zone's days around `ms`: the start of the day it falls in, shifted by `days` (−1: yesterday's midnight). */
export function zonedDayStart(ms: number, tz: string, days = 0): number {
  const { year, month, day } = zonedDate(ms, tz);
  return zonedMidnight(year, month, day + days, tz);
}

const labelFormats = new Map<string, Intl.DateTimeFormat[]>();
/**
 * The zone's name at `ms` as people write it: its abbreviation where English has one (CET, CEST, EST, EDT,
 * GMT, BST; UTC), else its offset (UTC+9, UTC+5:30). en-US names American zones, en-GB European ones.
 */
export function zoneLabel(ms: number, tz: string): string {
  if (tz === 'UTC') return 'UTC';
  let fs = labelFormats.get(tz);
  if (!fs) {
    fs = ['en-US', 'en-GB'].map((loc) => new Intl.DateTimeFormat(loc, { timeZone: tz, timeZoneName: 'short' }));
    labelFormats.set(tz, fs);
  }
  for (const f of fs) {
    const name = f.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? '';
    if (/^[A-Z]{2,5}$/.test(name)) return name;
  }
  const off = Math.round(zoneOffset(tz, ms) / 60_000);
  const h = Math.floor(Math.abs(off) / 60);
  const m = Math.abs(off) % 60;
  return off === 0 ? 'UTC' : `UTC${off < 0 ? '-' : '+'}${h}${m ? `:${String(m).padStart(2, '0')}` : ''}`;
}

/** "2026-11-20 13:00" on the zone's clock, without the zone (for columns and ranges that name it once). */
export function fmtShortIn(ms: number, tz: string): string {
  return new Date(wallAt(tz, ms)).toISOString().slice(0, 16).replace('T', ' ');
}

/** "2026-11-20 13:00 CET": the zone's clock and its name (fmtUtc in UTC). */
export function fmtIn(ms: number, tz: string): string {
  return `${fmtShortIn(ms, tz)} ${zoneLabel(ms, tz)}`;
}

/**
 * A span on the zone's clock, the zone named once when both ends share it ("2026-11-19 00:00 → 2026-11-20
 * 00:00 CET"), at each end when a DST change falls between ("2026-10-25 00:00 CEST → 2026-10-26 00:00 CET").
 */
export function fmtSpanIn(from: number, to: number, tz: string, joint = ' → '): string {
  const a = zoneLabel(from, tz);
  const b = zoneLabel(to, tz);
  return `${a === b ? fmtShortIn(from, tz) : fmtIn(from, tz)}${joint}${fmtIn(to, tz)}`;
}

/**
 * The zone's standard offset from UTC in the year of `at` (ms): its offset without summer time, the lesser of
 * January's and July's (+1 h for Amsterdam, −5 h for New York, +10 h for Sydney; 0 for UTC). The detection
 * engine's buckets are cut on it (gridShift): of one length all year, they start at the team's midnight but
 * an hour off it in summer.
 */
export function standardOffset(tz: string | undefined, at: number): number {
  if (!tz || tz === 'UTC') return 0;
  const year = new Date(at).getUTCFullYear();
  return Math.min(zoneOffset(tz, Date.UTC(year, 0, 1)), zoneOffset(tz, Date.UTC(year, 6, 1)));
}
