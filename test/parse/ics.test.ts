import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IcsError, parseIcs } from '../../src/parse/ics.js';

const FIXTURES = path.join(import.meta.dirname, '..', '..', 'fixtures', 'events');
const cal = (...lines: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', ...lines, 'END:VCALENDAR'].join('\r\n');
const ev = (...lines: string[]) => ['BEGIN:VEVENT', 'UID:u1@x.example', ...lines, 'END:VEVENT'];
const fails = (text: string): IcsError => {
  try {
    parseIcs(text);
  } catch (err) {
    if (err instanceof IcsError) return err;
    throw err;
  }
  throw new Error('parsed');
};

describe('iCalendar VEVENTs', () => {
  it('reads a Google Calendar export: zones, all-day, DURATION, folded lines, escapes; skips alarms and cancelled events', () => {
    const events = parseIcs(readFileSync(path.join(FIXTURES, 'launches.ics'), 'utf8'));
    expect(events.map((e) => [e.uid, new Date(e.start).toISOString(), new Date(e.end).toISOString(), e.allDay])).toEqual([
      ['glide-launch-2026@acme.example', '2026-11-18T13:00:00.000Z', '2026-11-18T15:00:00.000Z', false], // CET, UTC+1
      ['winter-schedule-2026@northwind.example', '2026-11-18T23:00:00.000Z', '2026-11-19T23:00:00.000Z', true], // the day in Berlin
      ['board-meeting-q4@example.example', '2026-10-25T08:00:00.000Z', '2026-10-25T10:00:00.000Z', false],
      ['initech-earnings-q2@initech.example', '2026-07-15T13:00:00.000Z', '2026-07-15T14:30:00.000Z', false], // EDT, UTC-4
    ]);
    expect(events[0]!.summary).toBe('Acme Glide launch: livestream, press embargo lifts and preorders open worldwide');
    expect(events[0]!.categories).toEqual(['Acme Robotics', 'Launch']);
  });

  it.each([
    ['UTC', 'DTSTART:20261201T090000Z', '2026-12-01T09:00:00.000Z'],
    ['a zone in winter', 'DTSTART;TZID=Europe/Berlin:20261201T090000', '2026-12-01T08:00:00.000Z'],
    ['a zone in summer', 'DTSTART;TZID=Europe/Berlin:20260701T090000', '2026-07-01T07:00:00.000Z'],
    ['a quoted zone', 'DTSTART;TZID="America/New_York":20261201T090000', '2026-12-01T14:00:00.000Z'],
    ['an Outlook (Windows) zone name', 'DTSTART;TZID=W. Europe Standard Time:20261201T090000', '2026-12-01T08:00:00.000Z'],
    ['a zone behind a path prefix', 'DTSTART;TZID=/citadel.org/20070914_1/Asia/Tokyo:20261201T090000', '2026-12-01T00:00:00.000Z'],
    ['floating (no zone, no calendar zone): UTC', 'DTSTART:20261201T090000', '2026-12-01T09:00:00.000Z'],
    ['an all-day date', 'DTSTART;VALUE=DATE:20261201', '2026-12-01T00:00:00.000Z'],
  ])('DTSTART in %s', (_what, line, want) => {
    expect(new Date(parseIcs(cal(...ev(line)))[0]!.start).toISOString()).toBe(want);
  });

  it("an Outlook calendar's own time zone (TZID:Customized Time Zone, defined by its VTIMEZONE) is read from the file", () => {
    // Outlook writes a zone its user edited as 'Customized Time Zone', with its rules in the file (it was refused
    // whole: 'unknown time zone "Customized Time Zone"')
    const zone = (name: string, ...parts: string[][]) => ['BEGIN:VTIMEZONE', `TZID:${name}`, ...parts.flat(), 'END:VTIMEZONE'];
    const part = (kind: string, start: string, from: string, to: string, rule?: string) => [`BEGIN:${kind}`, `DTSTART:${start}`, `TZOFFSETFROM:${from}`, `TZOFFSETTO:${to}`, ...(rule ? [`RRULE:${rule}`] : []), `END:${kind}`];
    const berlin = zone(
      'Customized Time Zone',
      part('STANDARD', '16010101T030000', '+0200', '+0100', 'FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10'),
      part('DAYLIGHT', '16010101T020000', '+0100', '+0200', 'FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3'),
    );
    const at = (lines: string[], line: string, o = {}) => new Date(parseIcs(cal(...lines, ...ev(line)), o)[0]!.start).toISOString();
    expect(at(berlin, 'DTSTART;TZID=Customized Time Zone:20261201T090000')).toBe('2026-12-01T08:00:00.000Z');
    expect(at(berlin, 'DTSTART;TZID=Customized Time Zone:20260701T090000')).toBe('2026-07-01T07:00:00.000Z');
    // either side of the changes (29 March and 25 October 2026), as Europe/Berlin
    expect(at(berlin, 'DTSTART;TZID=Customized Time Zone:20260329T013000')).toBe('2026-03-29T00:30:00.000Z');
    expect(at(berlin, 'DTSTART;TZID=Customized Time Zone:20260329T030000')).toBe('2026-03-29T01:00:00.000Z');
    expect(at(berlin, 'DTSTART;TZID=Customized Time Zone:20261025T040000')).toBe('2026-10-25T03:00:00.000Z');
    // the VTIMEZONE after the events, a second Sunday rule (US), a zone with no summer time
    const us = zone('Custom US', part('STANDARD', '16011104T020000', '-0400', '-0500', 'FREQ=YEARLY;BYDAY=1SU;BYMONTH=11'), part('DAYLIGHT', '16010311T020000', '-0500', '-0400', 'FREQ=YEARLY;BYDAY=2SU;BYMONTH=3'));
    expect(new Date(parseIcs(cal(...ev('DTSTART;TZID=Custom US:20260310T090000'), ...us))[0]!.start).toISOString()).toBe('2026-03-10T13:00:00.000Z');
    expect(at(us, 'DTSTART;TZID=Custom US:20260307T090000')).toBe('2026-03-07T14:00:00.000Z');
    expect(at(zone('India', part('STANDARD', '16010101T000000', '+0530', '+0530')), 'DTSTART;TZID=India:20261201T090000')).toBe('2026-12-01T03:30:00.000Z');
    // rules it cannot read: the zone's standard time all year, with a warning naming the line (not a refusal)
    const odd = zone('Odd', part('STANDARD', '16010101T030000', '+0200', '+0100', 'FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=25'), part('DAYLIGHT', '16010101T020000', '+0100', '+0200', 'FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3'));
    const warnings: string[] = [];
    expect(at(odd, 'DTSTART;TZID=Odd:20260701T090000', { warn: (line: number, m: string) => warnings.push(`${line}: ${m}`) })).toBe('2026-07-01T08:00:00.000Z');
    expect(warnings).toEqual(['9: time zone "Odd": its rule "FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=25" is not one momentscan reads (a yearly weekday of a month): its times are taken at UTC+01:00, its standard time, all year']);
    // a zone neither known nor defined in the file is refused as before
    expect(fails(cal(...berlin, ...ev('DTSTART;TZID=Other Zone:20261201T090000'))).message).toMatch(/unknown time zone "Other Zone"/);
  });

  it('an all-day event with no DTEND lasts its day; a timed one with none is an instant', () => {
    expect(parseIcs(cal(...ev('DTSTART;VALUE=DATE:20261201')))[0]!.end).toBe(Date.UTC(2026, 11, 2));
    const e = parseIcs(cal(...ev('DTSTART:20261201T090000Z')))[0]!;
    expect(e.end).toBe(e.start);
  });

  it('an all-day event is its day in the calendar\'s zone: X-WR-TIMEZONE, else the zone given, else UTC (across a DST change too)', () => {
    const day = (lines: string[], o = {}) => parseIcs(cal(...lines, ...ev('DTSTART;VALUE=DATE:20261025')), o).map((e) => [new Date(e.start).toISOString(), new Date(e.end).toISOString()]);
    expect(day([])).toEqual([['2026-10-25T00:00:00.000Z', '2026-10-26T00:00:00.000Z']]);
    // 25 October 2026 is the day Berlin leaves summer time: 25 hours long
    expect(day([], { zone: 'Europe/Berlin' })).toEqual([['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z']]);
    expect(day(['X-WR-TIMEZONE:America/New_York'], { zone: 'Europe/Berlin' })).toEqual([['2026-10-25T04:00:00.000Z', '2026-10-26T04:00:00.000Z']]);
    // floating times follow the given zone too
    expect(new Date(parseIcs(cal(...ev('DTSTART:20261201T090000')), { zone: 'Asia/Tokyo' })[0]!.start).toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });

  it('floating times take the calendar\'s X-WR-TIMEZONE; LF line ends and tab-folded lines read the same', () => {
    const text = ['BEGIN:VCALENDAR', 'X-WR-TIMEZONE:Europe/Paris', 'BEGIN:VEVENT', 'UID:a', 'DTSTART:20261201T090000', 'SUMMARY:Long', '\tsummary', 'END:VEVENT', 'END:VCALENDAR'].join('\n');
    const [e] = parseIcs(text);
    expect(new Date(e!.start).toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(e!.summary).toBe('Longsummary');
  });

  it.each([
    ['a recurring event', readFileSync(path.join(FIXTURES, 'recurring.ics'), 'utf8'), 8, /RRULE: recurring events are not supported/],
    ['month 13', readFileSync(path.join(FIXTURES, 'broken-date.ics'), 'utf8'), 12, /DTSTART: "20261341T090000Z" is not a date/],
    ['February 30', cal(...ev('DTSTART:20260230T090000Z')), 5, /is not a date/],
    ['an unknown zone', cal(...ev('DTSTART;TZID=Mars/Olympus:20261201T090000')), 5, /unknown time zone "Mars\/Olympus"/],
    ['DTEND before DTSTART', cal(...ev('DTSTART:20261201T090000Z', 'DTEND:20261201T080000Z')), 6, /DTEND is before DTSTART/],
    ['no UID', cal('BEGIN:VEVENT', 'DTSTART:20261201T090000Z', 'END:VEVENT'), 3, /has no UID/],
    ['no DTSTART', cal(...ev('SUMMARY:x')), 3, /has no DTSTART/],
    ['two events with one UID', cal(...ev('DTSTART:20261201T090000Z'), ...ev('DTSTART:20261202T090000Z')), 7, /also the UID of the event at line 3/],
    ['not a calendar', 'hello\r\nworld', 1, /not an iCalendar file/],
    ['a truncated file', cal(...ev('DTSTART:20261201T090000Z')).replace(/\r\nEND:VEVENT\r\nEND:VCALENDAR$/, ''), 5, /ends inside BEGIN:VEVENT/],
  ])('%s is one error naming the line', (_what, text, line, message) => {
    const err = fails(text);
    expect(err.line).toBe(line);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
  });
});
