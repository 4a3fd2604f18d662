/**
 * iCalendar (RFC 5545) VEVENTs, as far as planned events need them: UID, DTSTART, DTEND (or DURATION),
 * SUMMARY, DESCRIPTION and CATEGORIES. Pure: text in, events or one error naming the line out.
 *
 * - Lines are unfolded (a line starting with a space or tab continues the one before); CRLF or LF.
 * - Times: UTC (`20261201T090000Z`), in a zone (`DTSTART;TZID=Europe/Berlin:20261201T090000`, IANA names),
 *   floating (no zone: taken in the calendar's zone), or all-day dates (`DTSTART;VALUE=DATE:20261201`, DTEND
 *   exclusive; no DTEND: one day), from midnight to midnight in the calendar's zone. The calendar's zone is its
 *   X-WR-TIMEZONE if it names one, else the zone the caller gives (`events import --tz`), else UTC.
 * - Recurring events (RRULE, RDATE) are refused, not expanded: a launch calendar lists its dates.
 * - A cancelled event (STATUS:CANCELLED) is skipped.
 */

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

const zoneCheck = new Map<string, boolean>();
/** Whether this runtime knows `tz` as a time zone name (IANA: Europe/Berlin, UTC). */
export function knownZone(tz: string): boolean {
  let ok = zoneCheck.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      ok = true;
    } catch {
      ok = false;
    }
    zoneCheck.set(tz, ok);
  }
  return ok;
}

/** The zone's offset from UTC (ms) at the instant `utc`. */
function offsetAt(tz: string, utc: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utc));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(utc / 1000) * 1000;
}

/** A wall-clock time in a zone as UTC (a time skipped by a DST change moves forward, as calendars do). */
function zonedToUtc(wall: number, tz: string): number {
  let utc = wall - offsetAt(tz, wall);
  utc = wall - offsetAt(tz, utc);
  return utc;
}

/** DATE or DATE-TIME value of a property, as UTC epoch ms. */
function timeOf(p: Prop, calendarZone: string | null): { at: number; allDay: boolean; dayAfter: number } {
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
export function parseIcs(text: string, o: { zone?: string } = {}): IcsEvent[] {
  const raw = contentLines(text);
  if (!raw.length || raw[0]!.text.trim().toUpperCase() !== 'BEGIN:VCALENDAR') {
    throw new IcsError(raw[0]?.line ?? 1, 'not an iCalendar file (it does not start with BEGIN:VCALENDAR)');
  }
  const lines = raw.map(parseProp);
  const zoneProp = lines.find((p) => p.name === 'X-WR-TIMEZONE');
  const calendarZone = zoneProp && knownZone(zoneProp.value.trim()) ? zoneProp.value.trim() : (o.zone ?? null);
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
        const e = finish(ev, cats, begin, calendarZone);
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

function finish(ev: Map<string, Prop>, categories: string[], line: number, calendarZone: string | null): IcsEvent | null {
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
  const start = timeOf(startProp, calendarZone);
  let end: number;
  const endProp = ev.get('DTEND');
  const durProp = ev.get('DURATION');
  if (endProp) {
    const e = timeOf(endProp, calendarZone);
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
