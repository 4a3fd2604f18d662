/**
 * iCalendar (RFC 5545) VEVENTs, as far as planned events need them: UID, DTSTART, DTEND (or DURATION),
 * SUMMARY, DESCRIPTION and CATEGORIES. Pure: text in, events or one error naming the line out.
 *
 * - Lines are unfolded (a line starting with a space or tab continues the one before); CRLF or LF.
 * - Times: UTC (`20261201T090000Z`), in a zone (`DTSTART;TZID=Europe/Berlin:20261201T090000`, IANA names,
 *   Windows names, or a zone the file's own VTIMEZONE defines: Outlook's "Customized Time Zone"),
 *   floating (no zone: taken in the calendar's zone), or all-day dates (`DTSTART;VALUE=DATE:20261201`, DTEND
 *   exclusive; no DTEND: one day), from midnight to midnight in the calendar's zone. The calendar's zone is its
 *   X-WR-TIMEZONE if it names one, else the zone the caller gives (`events import --tz`), else UTC.
 * - Recurring events (RRULE, RDATE) are refused, not expanded: a launch calendar lists its dates.
 * - A cancelled event (STATUS:CANCELLED) is skipped.
 */

import { knownZone, zonedToUtc } from '../core/time.js';

export interface IcsEvent {
  uid: string;
  start: number;
  /** Exclusive; the start itself for an event with no length. */
  end: number;
  allDay: boolean;
  summary: string | null;
  categories: string[];
  /** The line its BEGIN:VEVENT is on (1-based). */
  line: number;
}

/** A problem at a line of the file (1-based), for the caller to name the file. */
export class IcsError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

interface Prop {
  name: string;
  params: Map<string, string>;
  value: string;
  line: number;
}


/** Content lines, unfolded, each with the line it starts on. */
function contentLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const raw = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  raw.forEach((l, i) => {
    if ((l.startsWith(' ') || l.startsWith('\t')) && out.length) out[out.length - 1]!.text += l.slice(1);
    else if (l.trim() !== '') out.push({ text: l, line: i + 1 });
  });
  return out;
}

function parseProp(l: { text: string; line: number }): Prop {
  // NAME;PARAM=value;PARAM="quoted:value":VALUE — the first colon outside quotes ends the parameters
  let i = 0;
  let quoted = false;
  for (; i < l.text.length; i++) {
    const c = l.text[i];
    if (c === '"') quoted = !quoted;
    else if (c === ':' && !quoted) break;
  }
  if (i >= l.text.length) throw new IcsError(l.line, `not an iCalendar content line (no ':'): "${l.text.slice(0, 40)}"`);
  const [name, ...rawParams] = l.text.slice(0, i).split(/;(?=(?:[^"]*"[^"]*")*[^"]*$)/);
  const params = new Map<string, string>();
  for (const p of rawParams) {
    const eq = p.indexOf('=');
    if (eq > 0) params.set(p.slice(0, eq).toUpperCase(), p.slice(eq + 1).replace(/^"|"$/g, ''));
  }
  return { name: name!.toUpperCase(), params, value: l.text.slice(i + 1), line: l.line };
}

/** TEXT values: \\n, \\, \\; and \\\\ escapes. */
function unescapeText(v: string): string {
  return v.replace(/\\([nN,;\\])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** Splits a TEXT list on unescaped commas. */
function textList(v: string): string[] {
  return v
    .split(/(?<!\\),/)
    .map((s) => unescapeText(s).trim())
    .filter(Boolean);
}

/** The Windows zone names Outlook and Exchange write as TZID, for the zones most calendars use (CLDR's windowsZones, territory 001). */
const WINDOWS_ZONES: Readonly<Record<string, string>> = {
  'UTC': 'UTC',
  'GMT Standard Time': 'Europe/London',
  'Greenwich Standard Time': 'Atlantic/Reykjavik',
  'W. Europe Standard Time': 'Europe/Berlin',
  'Romance Standard Time': 'Europe/Paris',
  'Central Europe Standard Time': 'Europe/Budapest',
  'Central European Standard Time': 'Europe/Warsaw',
  'E. Europe Standard Time': 'Europe/Chisinau',
  'FLE Standard Time': 'Europe/Kiev',
  'GTB Standard Time': 'Europe/Bucharest',
  'Russian Standard Time': 'Europe/Moscow',
  'Eastern Standard Time': 'America/New_York',
  'Central Standard Time': 'America/Chicago',
  'Mountain Standard Time': 'America/Denver',
  'US Mountain Standard Time': 'America/Phoenix',
  'Pacific Standard Time': 'America/Los_Angeles',
  'Alaskan Standard Time': 'America/Anchorage',
  'Hawaiian Standard Time': 'Pacific/Honolulu',
  'Atlantic Standard Time': 'America/Halifax',
  'E. South America Standard Time': 'America/Sao_Paulo',
  'India Standard Time': 'Asia/Calcutta',
  'China Standard Time': 'Asia/Shanghai',
  'Singapore Standard Time': 'Asia/Singapore',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'Korea Standard Time': 'Asia/Seoul',
  'AUS Eastern Standard Time': 'Australia/Sydney',
  'New Zealand Standard Time': 'Pacific/Auckland',
  'Arabian Standard Time': 'Asia/Dubai',
  'Israel Standard Time': 'Asia/Jerusalem',
  'South Africa Standard Time': 'Africa/Johannesburg',
};

/** DATE or DATE-TIME value of a property, as UTC epoch ms. */
function timeOf(p: Prop, calendarZone: string | null, fileZones: ReadonlyMap<string, FileZone> = new Map()): { at: number; allDay: boolean; dayAfter: number } {
  const v = p.value.trim();
  const date = /^(\d{4})(\d{2})(\d{2})$/.exec(v);
  const dt = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/.exec(v);
  const bad = () => new IcsError(p.line, `${p.name}: "${v.slice(0, 40)}" is not a date (YYYYMMDD) or date-time (YYYYMMDDTHHMMSS, Z for UTC)`);
  const valid = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) =>
    mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate() && h <= 23 && mi <= 59 && s <= 60;
  if (date || p.params.get('VALUE') === 'DATE') {
    if (!date) throw bad();
    const [y, mo, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    if (!valid(y, mo, d)) throw bad();
    // an all-day event is its day in the calendar's zone (a team's launch day is theirs, not Greenwich's)
    const midnight = (day: number) => (calendarZone ? zonedToUtc(Date.UTC(y, mo - 1, day), calendarZone) : Date.UTC(y, mo - 1, day));
    return { at: midnight(d), allDay: true, dayAfter: midnight(d + 1) };
  }
  if (!dt) throw bad();
  const n = dt.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (!valid(...n)) throw bad();
  const wall = Date.UTC(n[0], n[1] - 1, n[2], n[3], n[4], Math.min(n[5], 59));
  if (dt[7] === 'Z') return { at: wall, allDay: false, dayAfter: wall };
  const tzid = p.params.get('TZID') ?? calendarZone;
  if (!tzid) return { at: wall, allDay: false, dayAfter: wall };
  // some calendars prefix the IANA name with a path ("/citadel.org/20070914_1/Europe/Berlin")
  // and Outlook writes Windows names ("W. Europe Standard Time")
  const tz = WINDOWS_ZONES[tzid] ?? (knownZone(tzid) ? tzid : tzid.split('/').slice(-2).join('/'));
  // a zone the file defines itself (Outlook's "Customized Time Zone"): its own VTIMEZONE rules
  const own = knownZone(tz) ? undefined : fileZones.get(tzid);
  if (own) {
    const at = wall - own.offset(wall);
    return { at, allDay: false, dayAfter: at };
  }
  if (!knownZone(tz)) throw new IcsError(p.line, `${p.name}: unknown time zone "${tzid}" (expected an IANA name such as Europe/Berlin, or a Windows name such as W. Europe Standard Time)`);
  const at = zonedToUtc(wall, tz);
  return { at, allDay: false, dayAfter: at };
}

/** DURATION (P1D, PT2H30M, P1W): ms. */
function durationOf(p: Prop): number {
  const m = /^\+?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(p.value.trim());
  if (!m || p.value.trim() === 'P' || p.value.trim().endsWith('T')) throw new IcsError(p.line, `DURATION: "${p.value.slice(0, 40)}" is not a duration such as PT2H or P1D`);
  const [w, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number];
  return (((w * 7 + d) * 24 + h) * 60 + mi) * 60_000 + s * 1000;
}

/**
 * The VEVENTs of an iCalendar text, in file order. `o.zone` (an IANA name) is the zone of floating times and
 * all-day dates when the calendar names none. Throws IcsError naming the line of the first problem.
 */
export function parseIcs(text: string, o: { zone?: string; warn?: (line: number, message: string) => void } = {}): IcsEvent[] {
  const raw = contentLines(text);
  if (!raw.length || raw[0]!.text.trim().toUpperCase() !== 'BEGIN:VCALENDAR') {
    throw new IcsError(raw[0]?.line ?? 1, 'not an iCalendar file (it does not start with BEGIN:VCALENDAR)');
  }
  const lines = raw.map(parseProp);
  const zoneProp = lines.find((p) => p.name === 'X-WR-TIMEZONE');
  const calendarZone = zoneProp && knownZone(zoneProp.value.trim()) ? zoneProp.value.trim() : (o.zone ?? null);
  const fileZones = vtimezones(lines, o.warn ?? (() => {}));
  const events: IcsEvent[] = [];
  const stack: string[] = [];
  let ev: Map<string, Prop> | null = null;
  let cats: string[] = [];
  let begin = 0;
  for (const p of lines) {
    if (p.name === 'BEGIN') {
      const what = p.value.trim().toUpperCase();
      stack.push(what);
      if (what === 'VEVENT') {
        if (ev) throw new IcsError(p.line, 'BEGIN:VEVENT inside another VEVENT');
        ev = new Map();
        cats = [];
        begin = p.line;
      }
      continue;
    }
    if (p.name === 'END') {
      const what = p.value.trim().toUpperCase();
      const open = stack.pop();
      if (open !== what) throw new IcsError(p.line, `END:${what} does not close ${open ? `BEGIN:${open}` : 'anything'}`);
      if (what === 'VEVENT' && ev) {
        const e = finish(ev, cats, begin, calendarZone, fileZones);
        const twin = e && events.find((x) => x.uid === e.uid);
        if (twin) throw new IcsError(begin, `UID ${e!.uid} is also the UID of the event at line ${twin.line} (each event needs its own)`);
        if (e) events.push(e);
        ev = null;
      }
      continue;
    }
    // properties of alarms and time zone definitions inside an event are not the event's
    if (!ev || stack.at(-1) !== 'VEVENT') continue;
    if (p.name === 'CATEGORIES') cats.push(...textList(p.value));
    else if (!ev.has(p.name)) ev.set(p.name, p);
  }
  if (stack.length) throw new IcsError(lines.at(-1)!.line, `the file ends inside BEGIN:${stack.at(-1)} (truncated?)`);
  return events;
}

function finish(ev: Map<string, Prop>, categories: string[], line: number, calendarZone: string | null, fileZones: ReadonlyMap<string, FileZone>): IcsEvent | null {
  const status = ev.get('STATUS')?.value.trim().toUpperCase();
  if (status === 'CANCELLED') return null;
  for (const r of ['RRULE', 'RDATE']) {
    const p = ev.get(r);
    if (p) throw new IcsError(p.line, `${r}: recurring events are not supported — list each occurrence as its own event (or export the calendar with recurrences expanded)`);
  }
  const uidProp = ev.get('UID');
  const uid = uidProp?.value.trim();
  if (!uid) throw new IcsError(line, 'a VEVENT has no UID (needed to import the file again without duplicates)');
  const startProp = ev.get('DTSTART');
  if (!startProp) throw new IcsError(line, `VEVENT ${uid} has no DTSTART`);
  const start = timeOf(startProp, calendarZone, fileZones);
  let end: number;
  const endProp = ev.get('DTEND');
  const durProp = ev.get('DURATION');
  if (endProp) {
    const e = timeOf(endProp, calendarZone, fileZones);
    if (e.allDay !== start.allDay) throw new IcsError(endProp.line, 'DTEND: a date where DTSTART has a date-time, or the other way round');
    end = e.at;
    if (end < start.at) throw new IcsError(endProp.line, `DTEND is before DTSTART in VEVENT ${uid}`);
  } else if (durProp) {
    end = start.at + durationOf(durProp);
  } else {
    end = start.dayAfter;
  }
  const summary = ev.get('SUMMARY');
  return { uid, start: start.at, end, allDay: start.allDay, summary: summary ? unescapeText(summary.value).trim() || null : null, categories, line };
}

/** A time zone the file defines (VTIMEZONE): its offset from UTC (ms) at a wall-clock time. */
interface FileZone {
  offset(wall: number): number;
}

/** One STANDARD or DAYLIGHT part of a VTIMEZONE: from its onset (a wall time, yearly by its rule) the offset is `to`. */
interface Observance {
  from: number;
  to: number;
  start: number;
  rule: { month: number; nth: number; weekday: number } | null;
}

const DAY_MS = 86_400_000;
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/** "+0100", "-0430", "+053000" as ms, else null. */
function utcOffset(v: string | undefined): number | null {
  const m = /^([+-])(\d{2})(\d{2})(\d{2})?$/.exec(v?.trim() ?? '');
  return m ? (m[1] === '-' ? -1 : 1) * ((Number(m[2]) * 60 + Number(m[3])) * 60 + Number(m[4] ?? 0)) * 1000 : null;
}

/** A yearly rule as Outlook and most calendars write them (FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU), else null. */
function yearlyRule(v: string): Observance['rule'] {
  const parts = new Map(v.split(';').map((kv) => [kv.split('=')[0]!.trim().toUpperCase(), kv.slice(kv.indexOf('=') + 1).trim().toUpperCase()]));
  const day = /^([+-]?[1-5])?(SU|MO|TU|WE|TH|FR|SA)$/.exec(parts.get('BYDAY') ?? '');
  const month = Number(parts.get('BYMONTH'));
  const known = new Set(['FREQ', 'BYMONTH', 'BYDAY', 'INTERVAL', 'UNTIL', 'WKST']);
  if (parts.get('FREQ') !== 'YEARLY' || !day || !Number.isInteger(month) || month < 1 || month > 12) return null;
  if ([...parts.keys()].some((k) => !known.has(k)) || (parts.has('INTERVAL') && parts.get('INTERVAL') !== '1')) return null;
  return { month, nth: Number(day[1] ?? 1), weekday: WEEKDAYS.indexOf(day[2]!) };
}

/** The day of the month of the rule's weekday in that year (the 2nd Sunday; -1: the last). */
function ruleDay(year: number, r: NonNullable<Observance['rule']>): number {
  if (r.nth > 0) return 1 + ((r.weekday - new Date(Date.UTC(year, r.month - 1, 1)).getUTCDay() + 7) % 7) + (r.nth - 1) * 7;
  const last = new Date(Date.UTC(year, r.month, 0));
  return last.getUTCDate() - ((last.getUTCDay() - r.weekday + 7) % 7) + (r.nth + 1) * 7;
}

/** When an observance begins in a year (a wall time), or null. */
function onsetIn(o: Observance, year: number): number | null {
  const first = new Date(o.start).getUTCFullYear();
  if (!o.rule) return year === first ? o.start : null;
  if (year < first) return null;
  return Date.UTC(year, o.rule.month - 1, ruleDay(year, o.rule)) + (((o.start % DAY_MS) + DAY_MS) % DAY_MS);
}

/**
 * The VTIMEZONEs of the file, by TZID, as offsets at wall-clock times. One whose rules cannot be read (a
 * recurrence other than a yearly weekday of a month) keeps its standard offset all year, with a warning.
 */
function vtimezones(lines: Prop[], warn: (line: number, message: string) => void): Map<string, FileZone> {
  const zones = new Map<string, FileZone>();
  let tzid: Prop | null = null;
  let inZone = false;
  let parts: (Observance & { daylight: boolean; line: number; readable: boolean; text: string })[] = [];
  let part: Map<string, Prop> | null = null;
  let kind = '';
  for (const p of lines) {
    const what = p.value.trim().toUpperCase();
    if (p.name === 'BEGIN' && what === 'VTIMEZONE') [inZone, tzid, parts] = [true, null, []];
    else if (!inZone) continue;
    else if (p.name === 'BEGIN' && (what === 'STANDARD' || what === 'DAYLIGHT')) [part, kind] = [new Map(), what];
    else if (p.name === 'END' && part && what === kind) {
      const from = utcOffset(part.get('TZOFFSETFROM')?.value);
      const to = utcOffset(part.get('TZOFFSETTO')?.value);
      const dt = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(part.get('DTSTART')?.value.trim() ?? '');
      if (to !== null && dt) {
        const n = dt.slice(1, 7).map(Number) as [number, number, number, number, number, number];
        const rrule = part.get('RRULE');
        const rule = rrule ? yearlyRule(rrule.value) : null;
        const start = Date.UTC(n[0], n[1] - 1, n[2], n[3], n[4], n[5]);
        parts.push({ from: from ?? to, to, start, rule, daylight: kind === 'DAYLIGHT', line: (rrule ?? p).line, readable: !rrule || rule !== null, text: rrule?.value.trim() ?? '' });
      }
      part = null;
    } else if (p.name === 'END' && what === 'VTIMEZONE') {
      inZone = false;
      const name = tzid?.value.trim();
      if (!name || parts.length === 0) continue;
      const unread = parts.find((o) => !o.readable);
      if (unread) {
        const standard = parts.find((o) => !o.daylight) ?? parts[0]!;
        warn(unread.line, `time zone "${name}": its rule "${unread.text.slice(0, 60)}" is not one momentscan reads (a yearly weekday of a month): its times are taken at UTC${fmtOffset(standard.to)}, its standard time, all year`);
        zones.set(name, { offset: () => standard.to });
        continue;
      }
      const observances = parts.slice();
      zones.set(name, {
        offset(wall) {
          const year = new Date(wall).getUTCFullYear();
          let best: { at: number; to: number } | null = null;
          for (const o of observances) {
            for (const y of [year - 1, year]) {
              const at = onsetIn(o, y);
              if (at !== null && at <= wall && (!best || at > best.at)) best = { at, to: o.to };
            }
          }
          // before every onset the file gives: the offset the earliest one changes from
          return best ? best.to : observances.reduce((a, b) => (b.start < a.start ? b : a)).from;
        },
      });
    } else if (part) {
      if (!part.has(p.name)) part.set(p.name, p);
    } else if (p.name === 'TZID') tzid = p;
  }
  return zones;
}

/** An offset as "+01:00". */
function fmtOffset(ms: number): string {
  const m = Math.abs(ms) / 60_000;
  return `${ms < 0 ? '-' : '+'}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}
