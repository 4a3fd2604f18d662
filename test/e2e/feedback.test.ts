import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { rng } from '../helpers/rng.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Issue 17, end to end on real SQLite files: planned events (by hand and from iCalendar), labels, the
 * thresholds they move, quality and the backtest's replay of the labels. The bundled sample is fetched once
 * into a template database; each test works on its own copy. The sample has two moments at AS_OF: an Acme
 * Robotics volume spike (from 2026-11-18T12:00Z) and a Northwind Airlines negative tone shift (from
 * 2026-11-19T00:00Z).
 */
const CONFIG = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');
const EVENTS = path.join(ROOT, 'fixtures', 'events');
const AS_OF = '2026-11-20T12:00:00Z';
let template: string;

let templateHome: string;
beforeAll(() => {
  // made once for the whole file (tempDir's folders go after each test)
  const home = (templateHome = mkdtempSync(path.join(os.tmpdir(), 'momentscan-feedback-')));
  template = path.join(home, 'template.db');
  const r = runCli(['fetch', '--config', CONFIG, '--db', template, '--quiet'], { home });
  expect(r.status, r.stderr).toBe(0);
}, 120_000);
afterAll(() => rmSync(templateHome, { recursive: true, force: true }));

function setup() {
  const home = tempDir();
  const db = path.join(home, 'm.db');
  copyFileSync(template, db);
  const cli = (...args: string[]) => runCli([...args, '--config', CONFIG, '--db', db], { home });
  const moments = (...more: string[]) => {
    const r = cli('moments', '--as-of', AS_OF, '--json', ...more);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { id: number | null; topic: string; planned: boolean; events: { id: number; note: string | null }[]; label: { verdict: string; note: string | null } | null }[];
  };
  const byTopic = (rows: ReturnType<typeof moments>, topic: string) => rows.find((m) => m.topic === topic)!;
  return { home, db, cli, moments, byTopic };
}

describe('planned events', { timeout: 120_000 }, () => {
  it('events add: the overlapping moment is planned in JSON, the table, -v and the digest; reported all the same; events remove undoes it', () => {
    const { cli, moments, byTopic } = setup();
    const before = moments();
    expect(before.map((m) => m.planned)).toEqual([false, false]);
    const add = cli('events', 'add', 'acme', '--from', '2026-11-18T09:00:00Z', '--to', '2026-11-18T11:00:00Z', '--lag', '2h', '--note', 'Glide launch');
    expect(add.status, add.stderr).toBe(0);
    const id = Number(add.stdout.trim());
    expect(id).toBeGreaterThan(0);
    expect(add.stderr).toMatch(/events: \d+: Acme Robotics, 2026-11-18 09:00 → 2026-11-18 11:00 UTC "Glide launch" \(moments up to 2h after it count as planned\)/);

    const after = moments();
    expect(after).toHaveLength(2); // not suppressed
    expect(byTopic(after, 'Acme Robotics')).toMatchObject({ planned: true, events: [{ id, note: 'Glide launch' }] });
    expect(byTopic(after, 'Northwind Airlines')).toMatchObject({ planned: false, events: [] });

    const table = cli('moments', '--as-of', AS_OF);
    // at 100 columns (piped) [planned] leaves the headline its room and goes on the line below it
    expect(table.stdout).toMatch(/│ Acme Robotics │ ▲ spike .*│ Acme Glide: should you p… │\n│ +│.*│ \[planned\] +│\n/);
    const verbose = cli('moments', '--as-of', AS_OF, '-v');
    expect(verbose.stdout).toContain(`   planned:  event ${id} "Glide launch", 2026-11-18 09:00 → 2026-11-18 11:00 UTC (lag 2h)`);
    const digest = cli('digest', '--as-of', AS_OF, '--format', 'text');
    expect(digest.status, digest.stderr).toBe(0);
    expect(digest.stdout).toMatch(new RegExp(`planned: +event ${id} "Glide launch"`));
    const csv = cli('moments', '--as-of', AS_OF, '--csv', '--fields', 'topic,planned,eventNotes');
    expect(csv.stdout).toContain('Acme Robotics,true,Glide launch');

    // a lag that does not reach the moment (it starts 12:00, the event ends 11:00): not planned
    const short = cli('events', 'add', 'north', '--from', '2026-11-18T20:00:00Z', '--to', '2026-11-18T22:00:00Z', '--lag', '1h');
    expect(short.status, short.stderr).toBe(0);
    expect(byTopic(moments(), 'Northwind Airlines').planned).toBe(false);

    const list = cli('events', 'list', '--json');
    expect(JSON.parse(list.stdout).map((e: { id: number; topic: string; lag: string }) => [e.topic, e.lag])).toEqual([
      ['Acme Robotics', '2h'],
      ['Northwind Airlines', '1h'],
    ]);
    const bad = cli('events', 'remove', String(id), '999');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('momentscan: error: events remove: no event 999 — momentscan events list shows them\n');
    expect(JSON.parse(cli('events', 'list', '--json').stdout)).toHaveLength(2); // all or none
    expect(cli('events', 'remove', String(id)).status).toBe(0);
    expect(byTopic(moments(), 'Acme Robotics').planned).toBe(false);
  });

  it('events add checks its flags: a topic not configured, --to before --from, a bad --lead', () => {
    const { cli } = setup();
    const cases: [string[], RegExp][] = [
      [['events', 'add', 'zeta', '--from', '2026-11-18'], /^momentscan: error: events add: no topic named "zeta" in the config/],
      [['events', 'add', 'acme', '--from', '2026-11-18T10:00Z', '--to', '2026-11-18T09:00Z'], /^momentscan: error: --to 2026-11-18T09:00Z is before --from/],
      [['events', 'add', 'acme', '--from', '2026-11-18', '--lead', 'soon'], /^momentscan: error: --lead: expected a duration/],
      [['events', 'add', 'acme'], /^momentscan: error: events add: give when the event starts, with --from TIME/],
      [['events', 'lst'], /^momentscan: error: unknown command "lst" for momentscan events — did you mean momentscan events list\?/],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('events import: a calendar with time zones and all-day events; importing again updates in place; a bad file imports nothing', () => {
    const { cli, moments, byTopic } = setup();
    const r = cli('events', 'import', path.join(EVENTS, 'launches.ics'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/4 events read: 4 planned events added, 0 updated; 1 names no topic in CATEGORIES, so it applies to every topic/);
    const list = () => JSON.parse(cli('events', 'list', '--json').stdout) as { id: number; topic: string; uid: string; start: string; end: string; note: string }[];
    const first = list();
    expect(first.map((e) => [e.topic, e.start, e.end])).toEqual([
      ['Initech', '2026-07-15T13:00:00Z', '2026-07-15T14:30:00Z'],
      ['*', '2026-10-25T08:00:00Z', '2026-10-25T10:00:00Z'],
      ['Acme Robotics', '2026-11-18T13:00:00Z', '2026-11-18T15:00:00Z'],
      ['Northwind Airlines', '2026-11-18T23:00:00Z', '2026-11-19T23:00:00Z'], // all day 19 November in the calendar's Europe/Berlin
    ]);
    const rows = moments();
    expect(byTopic(rows, 'Acme Robotics').events.map((e) => e.note)).toEqual(['Acme Glide launch: livestream, press embargo lifts and preorders open worldwide']);
    expect(byTopic(rows, 'Northwind Airlines').planned).toBe(true);

    const again = cli('events', 'import', path.join(EVENTS, 'launches.ics'));
    expect(again.stderr).toMatch(/0 planned events added, 4 updated/);
    expect(list()).toEqual(first);

    const broken: [string, string][] = [
      ['recurring.ics', 'recurring.ics:8: RRULE: recurring events are not supported'],
      ['broken-date.ics', 'broken-date.ics:12: DTSTART: "20261341T090000Z" is not a date'],
    ];
    for (const [file, where] of broken) {
      const bad = cli('events', 'import', path.join(EVENTS, file));
      expect(bad.status).toBe(2);
      expect(bad.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(bad.stderr).toContain(where);
      expect(bad.stderr).toContain('nothing was imported');
    }
    expect(list()).toEqual(first);
    const zone = cli('events', 'import', path.join(EVENTS, 'launches.ics'), '--tz', 'Mars/Olympus_Mons');
    expect(zone.status).toBe(2);
    expect(zone.stderr).toMatch(/^momentscan: error: --tz: "Mars\/Olympus_Mons" is not a time zone/);
    expect(list()).toEqual(first);
    const missing = cli('events', 'import', path.join(EVENTS, 'nope.ics'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope\.ics: no such file/);
  });

  it('events import: a calendar in UTF-16 or Latin-1 is refused in one line naming it and its encoding, and nothing is imported', () => {
    const { home, cli } = setup();
    const ics = readFileSync(path.join(EVENTS, 'launches.ics'), 'utf8');
    const summaryLine = ics.slice(0, ics.indexOf('SUMMARY:')).split('\n').length;
    const cases: [string, Buffer, string][] = [
      ['utf16.ics', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(ics, 'utf16le')]), 'the calendar is UTF-16 text, momentscan reads UTF-8 — save it as UTF-8 (Notepad: Save as, Encoding UTF-8)'],
      ['latin1.ics', Buffer.from(ics.replace('SUMMARY:', 'SUMMARY:Caf\u00e9 '), 'latin1'), `line ${summaryLine} is not UTF-8 text — save the calendar as UTF-8`],
    ];
    for (const [name, bytes, message] of cases) {
      const file = path.join(home, name);
      writeFileSync(file, bytes);
      const r = cli('events', 'import', file);
      expect(r.status, name).toBe(2);
      expect(r.stderr).toBe(`momentscan: error: ${file}: ${message}\n`);
    }
    expect(JSON.parse(cli('events', 'list', '--json').stdout)).toEqual([]);
  });

  it('events import --topic puts every event in one topic', () => {
    const { cli } = setup();
    expect(cli('events', 'import', path.join(EVENTS, 'launches.ics'), '--topic', 'globex').status).toBe(0);
    expect(new Set(JSON.parse(cli('events', 'list', '--json').stdout).map((e: { topic: string }) => e.topic))).toEqual(new Set(['Globex']));
  });
});

describe('labels, thresholds and quality', { timeout: 120_000 }, () => {
  it('label: the verdict shows on the moment; a noise label moves the topic\'s threshold a step up, shown by topics and moments -v', () => {
    const { cli, moments, byTopic } = setup();
    const north = byTopic(moments(), 'Northwind Airlines');
    expect(north.id).toBeGreaterThan(0);
    const l = cli('label', String(north.id), 'noise', '--note', 'old news', '--at', '2026-11-21T10:00:00Z');
    expect(l.status, l.stderr).toBe(0);
    expect(l.stdout).toBe('');
    expect(l.stderr).toMatch(/labelled noise \(old news\); Northwind Airlines's threshold: 3\.25: 1 step above sensitivity medium \(3\)/);
    expect(byTopic(moments(), 'Northwind Airlines').label).toEqual({ verdict: 'noise', note: 'old news', at: '2026-11-21T10:00:00Z' });
    // the same verdict again with a new note keeps when it was given (it moved to now, rewriting the threshold's history)
    const renote = cli('label', String(north.id), 'noise', '--note', 'old news, repeated');
    expect(renote.status, renote.stderr).toBe(0);
    expect(byTopic(moments(), 'Northwind Airlines').label).toEqual({ verdict: 'noise', note: 'old news, repeated', at: '2026-11-21T10:00:00Z' });
    // and without --note keeps the note (it was wiped: note null)
    expect(cli('label', '-q', String(north.id), 'noise').status).toBe(0);
    expect(byTopic(moments(), 'Northwind Airlines').label).toEqual({ verdict: 'noise', note: 'old news, repeated', at: '2026-11-21T10:00:00Z' });
    expect(cli('label', '-q', String(north.id), 'noise', '--note', 'old news').status).toBe(0);

    const topics = JSON.parse(cli('topics', '--json').stdout) as Record<string, unknown>[];
    const t = topics.find((x) => x.name === 'Northwind Airlines')!;
    expect(t).toMatchObject({ threshold: 3.25, thresholdBase: 3, thresholdSource: 'learned', labels: { real: 0, noise: 1, planned: 0 } });
    expect(t.adjustments).toEqual([{ at: '2026-11-21T10:00:00Z', from: 3, to: 3.25, reason: `noise label on moment ${north.id}`, momentIds: [north.id] }]);
    expect(topics.find((x) => x.name === 'Acme Robotics')).toMatchObject({ threshold: 3, thresholdSource: 'config' });
    const table = cli('topics');
    // (the line is wrapped to the terminal, its next part indented: joined here)
    expect(table.stdout.replace(/\n {4}/g, ' ')).toMatch(/Northwind Airlines: 3\.25: 1 step above sensitivity medium \(3\) after 1 adjustment, the last on 2026-11-21: noise label on moment \d+; labels: 0 real, 1 noise, 0 planned/);

    const verbose = cli('moments', '--as-of', AS_OF, '-v');
    expect(verbose.stdout).toMatch(/label: +noise \(old news\), given 2026-11-21 10:00 UTC/);
    expect(verbose.stdout).toMatch(/threshold: 3\.25: 1 step above sensitivity medium/);
    expect(verbose.stdout).toMatch(/│ +\d+ │ Northwind Ai… │ ▼ negative .*\n│ +│.*│ \[noise\] +│\n/);
    // --sensitivity on the command line overrides the learned threshold
    const flagged = cli('moments', '--as-of', AS_OF, '-v', '--sensitivity', 'medium');
    expect(flagged.stdout).toContain('threshold: 3 (--sensitivity medium on the command line; labels ignored)');

    // planned as a label: the moment is planned though no event covers it; clear withdraws the label
    expect(cli('label', String(north.id), 'planned').status).toBe(0);
    expect(byTopic(moments(), 'Northwind Airlines')).toMatchObject({ planned: true, label: { verdict: 'planned' } });
    const cleared = cli('label', String(north.id), 'clear');
    expect(cleared.status).toBe(0);
    expect(cleared.stderr).toMatch(/\) label cleared; Northwind Airlines's threshold/);
    expect(byTopic(moments(), 'Northwind Airlines')).toMatchObject({ planned: false, label: null });
    // clear again: nothing is left to withdraw, and it says so (it said "label cleared" a second time)
    const again = cli('label', String(north.id), 'clear');
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/\) had no label: nothing to clear; Northwind Airlines's threshold/);
    expect(again.stderr).not.toContain('label cleared');
    expect(JSON.parse(cli('topics', '--json').stdout).find((x: { name: string }) => x.name === 'Northwind Airlines').threshold).toBe(3);
  });

  it('label refuses what it cannot record: an unknown moment id, a bad verdict, a time in the future or before the moment', () => {
    const { cli, db, moments } = setup();
    const count = () => (new Database(db, { readonly: true }).prepare('SELECT count(*) FROM feedback').pluck().get() as number);
    for (const [args, message] of [
      [['label', '999', 'real'], /^momentscan: error: label: no moment 999 in .*m\.db — momentscan moments lists moments with their ids\n$/],
      [['label', '1', 'maybe'], /^momentscan: error: label: expected real, noise, planned or clear, got "maybe"\n$/],
      [['label', 'abc', 'real'], /^momentscan: error: label: expected a moment id/],
      [['label', '1', 'real', '--at', '2099-01-01T00:00:00Z'], /^momentscan: error: --at 2099-01-01T00:00:00Z is in the future/],
    ] as [string[], RegExp][]) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    // a verdict given before its moment began
    const { id } = moments()[0]!;
    const early = cli('label', String(id), 'real', '--at', '2020-01-01T00:00:00Z');
    expect(early.status).toBe(2);
    expect(early.stderr).toMatch(new RegExp(`^momentscan: error: --at 2020-01-01T00:00:00Z is before moment ${id} began \\(2026-11-\\d\\d \\d\\d:\\d\\d UTC\\) — a verdict is given after the moment it judges`));
    expect(count()).toBe(0);
  });

  it('quality: per topic, labelled moments, precision and alerts per week, in every format', () => {
    const { cli, moments, byTopic } = setup();
    const rows = moments('--since', '30d');
    expect(cli('label', String(byTopic(rows, 'Acme Robotics').id), 'real', '--at', '2026-11-21T10:00:00Z').status).toBe(0);
    expect(cli('label', String(byTopic(rows, 'Northwind Airlines').id), 'noise', '--at', '2026-11-21T10:00:00Z').status).toBe(0);
    const q = cli('quality', '--as-of', AS_OF, '--since', '28d', '--json');
    expect(q.status, q.stderr).toBe(0);
    const json = JSON.parse(q.stdout) as Record<string, unknown>[];
    expect(json.map((r) => [r.topic, r.labelled, r.real, r.noise, r.precision, r.moments, r.alertsPerWeek, r.threshold])).toEqual([
      ['Acme Robotics', 1, 1, 0, 1, 1, 0.25, 3],
      ['Northwind Airlines', 1, 0, 1, 0, 1, 0.25, 3.25],
      ['Globex', 0, 0, 0, null, 0, 0, 3],
      ['Initech', 0, 0, 0, null, 0, 0, 3],
    ]);
    const csv = cli('quality', '--as-of', AS_OF, '--since', '28d', '--csv', '--fields', 'topic,precision');
    expect(csv.stdout).toBe('topic,precision\r\nAcme Robotics,1\r\nNorthwind Airlines,0\r\nGlobex,\r\nInitech,\r\n');
    // the CSV has the JSON's fields, in its order (thresholdBase and thresholdSource were missing, which topics --csv has)
    const full = cli('quality', '--as-of', AS_OF, '--since', '28d', '--csv').stdout.split('\r\n');
    expect(full[0]!.split(',')).toEqual(Object.keys(json[0]!).filter((k) => k !== 'schemaVersion'));
    expect(full[2]).toMatch(/^Northwind Airlines,.*,3\.25,3,learned,/);
    expect(cli('quality', '--as-of', AS_OF, '--since', '28d', '--csv', '--fields', 'topic,thresholdBase,thresholdSource').stdout).toBe(
      'topic,thresholdBase,thresholdSource\r\nAcme Robotics,3,config\r\nNorthwind Airlines,3,learned\r\nGlobex,3,config\r\nInitech,3,config\r\n',
    );
    const table = cli('quality', '--as-of', AS_OF, '--since', '28d');
    expect(table.stdout).toMatch(/│ Acme Robotics +│ +1 │ 1\/0\/0 +│ +100% │/);
    expect(table.stdout).toContain('Northwind Airlines: 3.25: 1 step above sensitivity medium');
    // a period too long for a date: the bound every command has (it failed 'Invalid time value', exit 1)
    const far = cli('quality', '--as-of', AS_OF, '--since', '999999999d');
    expect(far.status).toBe(2);
    expect(far.stderr).toBe('momentscan: error: --since 999999999d reaches back more than ten years (3650d) before the evaluation time — give a shorter period, such as 30d or 365d (at most 3650d)\n');
  });

  it('moments --backtest reports the labelled real moments it caught and the noise ones it raised', () => {
    const { cli, moments, byTopic } = setup();
    const rows = moments();
    const acme = byTopic(rows, 'Acme Robotics').id!;
    const north = byTopic(rows, 'Northwind Airlines').id!;
    const none = cli('moments', '--as-of', AS_OF, '--since', '30d', '--backtest', '--json');
    expect(none.stderr).toContain('backtest: no labelled moments in the period');
    expect(cli('label', String(acme), 'real', '--at', '2026-11-21T10:00:00Z').status).toBe(0);
    expect(cli('label', String(north), 'noise', '--at', '2026-11-21T10:00:00Z').status).toBe(0);
    const r = cli('moments', '--as-of', AS_OF, '--since', '30d', '--backtest', '--json');
    expect(r.status, r.stderr).toBe(0);
    const replayed = JSON.parse(r.stdout) as { id: number | null; label: { verdict: string } | null }[];
    expect(replayed.map((m) => [m.id, m.label?.verdict])).toEqual([
      [acme, 'real'],
      [north, 'noise'],
    ]);
    expect(r.stderr).toContain('backtest: labels: caught 1 of 1 labelled real moment, raised 1 of 1 labelled noise');
    expect(r.stderr).toContain(`backtest:   Northwind Airlines: caught 0 of 0 labelled real moments, raised 1 of 1 labelled noise; raised noise ${north}`);
    // a period before the labelled moments: they are not counted
    const earlier = cli('moments', '--as-of', '2026-11-10T00:00:00Z', '--since', '14d', '--backtest', '--json');
    expect(earlier.stderr).toContain('backtest: no labelled moments in the period');
  });
});

/**
 * A topic with two bursts over a steady Poisson stream (2 stories an hour, seeded): a small one on Oct 31
 * (surprise about 3.4) and a larger one on Nov 6 (about 3.6), both above the medium level (3).
 */
function zetaFeed(dir: string): string {
  const random = rng(7);
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'zi', 'pe', 'sa', 'do', 'fu', 'gi', 'ha', 'ju', 'be', 'co', 'xa', 'ye', 'wu'];
  const word = () => Array.from({ length: 3 }, () => syllables[Math.floor(random() * syllables.length)]).join('');
  const poisson = (mean: number) => {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= random();
    } while (p > limit);
    return k - 1;
  };
  const start = Date.UTC(2026, 9, 1);
  const items: string[] = [];
  for (let h = 0; h < 40 * 24; h++) {
    let n = poisson(2);
    const [day, hour] = [Math.floor(h / 24), h % 24];
    if (hour >= 8 && hour < 14) n += day === 30 ? 4 : day === 36 ? 12 : 0;
    for (let i = 0; i < n; i++) {
      const t = start + h * 3_600_000 + Math.floor(random() * 3_600_000);
      const k = items.length;
      items.push(`<item><title>Zeta ${word()} ${word()} ${word()} ${word()} ${word()}</title><link>https://zeta.example/a/${k}</link><guid>z${k}</guid><pubDate>${new Date(t).toUTCString()}</pubDate></item>`);
    }
  }
  writeFileSync(path.join(dir, 'zeta.xml'), `<?xml version="1.0"?><rss version="2.0"><channel><title>Zeta wire</title><link>https://zeta.example/</link><description>d</description>${items.join('')}</channel></rss>`);
  const config = path.join(dir, 'zeta.yaml');
  writeFileSync(config, 'topics:\n  - name: Zeta\n    keywords: [zeta]\n    feeds: [zeta.xml]\n');
  return config;
}

describe('label → threshold adjustment → backtest replay', { timeout: 180_000 }, () => {
  it('two noise labels on two days raise the threshold two steps; the replay no longer raises the weaker noise moment, unless --sensitivity overrides', () => {
    const home = tempDir();
    const config = zetaFeed(home);
    const db = path.join(home, 'z.db');
    const cli = (...args: string[]) => runCli([...args, '--config', config, '--db', db], { home });
    expect(cli('fetch', '--quiet').status).toBe(0);
    const asOf = ['--as-of', '2026-11-10T00:00:00Z', '--since', '20d'];
    const listed = JSON.parse(cli('moments', ...asOf, '--json').stdout) as { id: number; score: number; start: string }[];
    expect(listed.map((m) => m.start)).toEqual(['2026-11-06T08:45:00Z', '2026-10-31T11:15:00Z']);
    const [strong, weak] = listed.map((m) => m.id) as [number, number];

    // both judged noise on the same day: one step that day, the other waits for the next
    expect(cli('label', String(strong), 'noise', '--at', '2026-11-08T10:00:00Z', '--quiet').status).toBe(0);
    expect(cli('label', String(weak), 'noise', '--at', '2026-11-08T11:00:00Z', '--quiet').status).toBe(0);
    const zeta = (JSON.parse(cli('topics', '--json').stdout) as { threshold: number; adjustments: { at: string; to: number; reason: string }[] }[])[0]!;
    expect(zeta.threshold).toBe(3.5);
    expect(zeta.adjustments).toEqual([
      { at: '2026-11-08T10:00:00Z', from: 3, to: 3.25, reason: `noise label on moment ${strong}`, momentIds: [strong] },
      { at: '2026-11-09T00:00:00Z', from: 3.25, to: 3.5, reason: `noise label on moment ${weak}`, momentIds: [weak] },
    ]);

    const replay = cli('moments', ...asOf, '--backtest', '--json');
    expect(replay.status, replay.stderr).toBe(0);
    expect((JSON.parse(replay.stdout) as { id: number }[]).map((m) => m.id)).toEqual([strong]);
    expect(replay.stderr).toContain('backtest: labels: caught 0 of 0 labelled real moments, raised 1 of 2 labelled noise');
    const flag = cli('moments', ...asOf, '--backtest', '--json', '--sensitivity', 'medium');
    expect((JSON.parse(flag.stdout) as { id: number }[]).map((m) => m.id)).toEqual([weak, strong]);
    expect(flag.stderr).toContain('raised 2 of 2 labelled noise');
  });
});

describe('the schema', { timeout: 120_000 }, () => {
  it('the feedback table (migration 16) takes planned verdicts with a note and says who gave them', () => {
    const { db, cli, moments, byTopic } = setup();
    const id = byTopic(moments(), 'Acme Robotics').id!;
    const conn = new Database(db);
    expect(conn.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(16);
    conn.close();
    expect(cli('label', String(id), 'planned', '--note', 'launch').status).toBe(0);
    const rows = new Database(db, { readonly: true }).prepare('SELECT verdict, note, source FROM feedback').all();
    expect(rows).toEqual([{ verdict: 'planned', note: 'launch', source: 'cli' }]);
  });
});
