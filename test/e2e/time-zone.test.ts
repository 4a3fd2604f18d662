import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, withTimeout } from '../helpers/spawn.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * A team outside UTC (defaults.timeZone, --tz): the digest's day is the team's, midnight to midnight across
 * the nights the clocks change (2026-10-25 in Europe, 2026-11-01 in the US), its times are shown on the team's
 * clock with the zone's name, and the machine formats stay UTC. The built CLI on the bundled sample (its items
 * run from 2026-10-20 to 2026-11-20), each test on its own copy of the fetched database.
 */
const SAMPLE = path.join(ROOT, 'fixtures', 'sample');
const SAMPLE_CONFIG = path.join(SAMPLE, 'momentscan.yaml');

let templateHome: string;
let template: string;
beforeAll(() => {
  templateHome = mkdtempSync(path.join(os.tmpdir(), 'momentscan-zone-template-'));
  template = path.join(templateHome, 'template.db');
  const r = runCli(['fetch', '--config', SAMPLE_CONFIG, '--db', template, '--quiet'], { home: templateHome });
  expect(r.status, r.stderr).toBe(0);
}, 60_000);
afterAll(() => rmSync(templateHome, { recursive: true, force: true }));

/** A home with its own copy of the database and the sample config in `timeZone` (none: the sample's own). */
function team(timeZone?: string): { home: string; db: string; config: string; cli: (...args: string[]) => ReturnType<typeof runCli> } {
  const home = tempDir();
  const db = path.join(home, 'sample.db');
  copyFileSync(template, db);
  if (existsSync(`${template}-wal`)) copyFileSync(`${template}-wal`, `${db}-wal`);
  let config = SAMPLE_CONFIG;
  if (timeZone !== undefined) {
    config = path.join(home, 'momentscan.yaml');
    const text = readFileSync(SAMPLE_CONFIG, 'utf8').replace(/(url: |- )feeds\//g, `$1${SAMPLE}/feeds/`);
    writeFileSync(config, text.replace(/^defaults:\n/m, `defaults:\n  timeZone: ${timeZone}\n`));
  }
  const cli = (...args: string[]) => runCli([args[0]!, '--config', config, '--db', db, ...args.slice(1)], { home });
  return { home, db, config, cli };
}

describe('a team in Amsterdam or New York', { timeout: 90_000 }, () => {
  it("digest --day yesterday from a 07:00 cron is the team's yesterday, 25 hours on the night the clocks go back, and the next --since last starts at its midnight", () => {
    const { cli } = team('Europe/Amsterdam');
    // 07:00 in Amsterdam the morning after (a time without a zone is the team's: 06:00Z)
    const r = cli('digest', '--day', 'yesterday', '--as-of', '2026-10-26T07:00');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe('2026-10-25 00:00 CEST → 2026-10-26 00:00 CET');
    expect(r.stdout).toContain('Quiet day: no moments across 4 topics between 2026-10-25 00:00 CEST and\n2026-10-26 00:00 CET.');
    expect(r.stdout).toMatch(/^Made by momentscan at \d{4}-\d\d-\d\d \d\d:\d\d CET\. /m);
    // the period recorded is the team's day: the next digest starts at Amsterdam's midnight (2026-10-25T23:00Z)
    const next = cli('digest', '--since', 'last', '--as-of', '2026-10-27T07:00:00+01:00', '--format', 'markdown');
    expect(next.status, next.stderr).toBe(0);
    expect(next.stdout).toContain('**2026-10-26 00:00 → 2026-10-27 07:00 CET**');
  });

  it('--tz over the config: New York\'s 2026-11-01 is 25 hours, EDT to EST, in text, Markdown and HTML', () => {
    const { cli } = team('Europe/Amsterdam');
    const text = cli('digest', '--tz', 'America/New_York', '--day', '2026-11-01');
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout.split('\n')[1]).toBe('2026-11-01 00:00 EDT → 2026-11-02 00:00 EST');
    const md = cli('digest', '--tz', 'America/New_York', '--day', '2026-11-01', '--format', 'markdown');
    expect(md.stdout).toContain('**2026-11-01 00:00 EDT → 2026-11-02 00:00 EST**');
    const html = cli('digest', '--tz', 'America/New_York', '--day', '2026-11-01', '--format', 'html');
    expect(html.stdout).toContain('2026-11-01 00:00 EDT → 2026-11-02 00:00 EST</p>');
  });

  it("a moment's times are on the team's clock with the zone's name, its buckets cut at the team's midnight; without a zone, UTC as before", () => {
    const ams = team('Europe/Amsterdam').cli('digest', '--day', '2026-11-18');
    expect(ams.status, ams.stderr).toBe(0);
    expect(ams.stdout.split('\n')[1]).toBe('2026-11-18 00:00 → 2026-11-19 00:00 CET');
    // Amsterdam's 6-hour buckets are 00:00, 06:00, 12:00, 18:00 CET (they were 01:00, 07:00, 13:00, 19:00: cut from the epoch)
    expect(ams.stdout).toContain('when:     since 2026-11-18 12:00 CET (ongoing), peak 2026-11-18 18:00');
    const html = team('Europe/Amsterdam').cli('digest', '--day', '2026-11-18', '--format', 'html');
    expect(html.stdout).toContain('title="2026-11-18 12:00 CET: 14 stories in 6h"');
    expect(html.stdout).toContain('title="2026-11-18 18:00 CET: 18 stories in 6h"');
    const utc = team().cli('digest', '--day', '2026-11-18');
    expect(utc.status, utc.stderr).toBe(0);
    expect(utc.stdout.split('\n')[1]).toBe('2026-11-18 00:00 → 2026-11-19 00:00 UTC');
    expect(utc.stdout).toContain('when:     since 2026-11-18 12:00 UTC (ongoing), peak 2026-11-18 12:00');
  });

  it('Kolkata (+5:30): a run after a backtest, resumed from the state the backtest saved, says what a run on a fresh copy says', () => {
    // Buckets cut at Kolkata's midnight (18:30 UTC); the backtest saves its state at its last midnight, 2026-11-19
    // 18:30 UTC, and Northwind's swing, which alerts after it, began leaning hours before it: a run resumed there
    // gave that swing without its rows before the state (expected 11.69 stories for 15.35, no tone baseline)
    const resumed = team('Asia/Kolkata');
    expect(resumed.cli('moments', '--backtest', '--since', '30d', '--as-of', '2026-11-20T12:00:00Z', '--json').status).toBe(0);
    const after = resumed.cli('moments', '--since', '2d', '--as-of', '2026-11-20T18:00:00Z', '--json');
    const fresh = team('Asia/Kolkata').cli('moments', '--since', '2d', '--as-of', '2026-11-20T18:00:00Z', '--json');
    expect(after.status, after.stderr).toBe(0);
    // (firstSeenAt differs on purpose: the backtest saw the moments first)
    const strip = (text: string) => (JSON.parse(text) as Record<string, unknown>[]).map(({ firstSeenAt: _, ...m }) => m);
    const moments = strip(after.stdout);
    expect(moments.map((m) => [m.topic, m.kind])).toEqual([
      ['Acme Robotics', 'volume-spike'],
      ['Northwind Airlines', 'sentiment-shift'],
    ]);
    expect(moments).toEqual(strip(fresh.stdout));
  });

  it("tables show the team's clock: items name the zone in the head, or in each cell the night the clocks go back; moments -v and timeline too", () => {
    const { cli } = team('Europe/Amsterdam');
    const night = cli('items', '--as-of', '2026-10-25T06:00:00Z', '--since', '8h', '--limit', '8');
    expect(night.status, night.stderr).toBe(0);
    // 02:00–03:00 came twice that night: each time says which
    expect(night.stdout).toMatch(/│ Published +│/);
    expect(night.stdout).toContain('│ 2026-10-25 02:56 CET  │');
    expect(night.stdout).toContain('│ 2026-10-25 02:01 CEST │');
    const day = cli('items', '--as-of', '2026-11-20T12:00:00Z', '--since', '2h', '--limit', '1');
    expect(day.stdout).toMatch(/│ Published \(CET\) +│/);
    const v = cli('moments', '--as-of', '2026-11-20T12:00:00Z', '-v');
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toContain('when:     2026-11-18 12:00 → 2026-11-19 18:00 CET, peak 2026-11-18 18:00 CET');
    const ny = cli('timeline', 'acme', '--tz', 'America/New_York', '--as-of', '2026-11-20T12:00:00Z', '--since', '1d');
    expect(ny.status, ny.stderr).toBe(0);
    expect(ny.stdout).toContain('6h buckets, 2026-11-19 07:00 → 2026-11-20 07:00 EST');
    expect(ny.stdout).toMatch(/│ Bucket \(EST\) +│/);
    // New York's buckets: 00:00, 06:00, 12:00, 18:00 EST (they were 01:00, 07:00…, cut from the epoch)
    expect(ny.stdout).toContain('│ 2026-11-20 00:00 │');
    expect(ny.stdout).toContain('│ 2026-11-20 06:00 │');
  });

  it("a planned event typed as the team's dates is its days, midnight to midnight, listed on its clock; JSON says the UTC instants", () => {
    const { cli } = team('Europe/Amsterdam');
    const add = cli('events', 'add', 'Acme Robotics', '--from', '2026-10-25', '--to', '2026-10-26', '--note', 'launch');
    expect(add.status, add.stderr).toBe(0);
    const table = cli('events', 'list');
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/│ From \(CEST\) +│ To \(CET\) +│/);
    expect(table.stdout).toMatch(/│ 2026-10-25 00:00 +│ 2026-10-26 00:00 +│/);
    const json = JSON.parse(cli('events', 'list', '--json').stdout) as { start: string; end: string }[];
    expect(json[0]).toMatchObject({ start: '2026-10-24T22:00:00Z', end: '2026-10-25T23:00:00Z' });
  });

  it("topics dates a moment by the team's calendar: the Acme spike that ended 2026-11-19 18:00 UTC ended on the 20th in Tokyo", () => {
    const { cli } = team();
    expect(cli('moments', '--as-of', '2026-11-20T12:00:00Z').status).toBe(0);
    expect(cli('topics').stdout).toMatch(/│ Acme Robotics .*│ spike 2026-11-19 +│/);
    expect(cli('topics', '--tz', 'Asia/Tokyo').stdout).toMatch(/│ Acme Robotics .*│ spike 2026-11-20 +│/);
  });

  it("a threshold's one step a day is the team's day, dated by its calendar: a label at 02:00 in Kolkata is on its 19th, at 20:00 in Los Angeles on its 18th", () => {
    for (const [zone, at, day, utcDay] of [
      ['Asia/Kolkata', '2026-11-19T02:00', '2026-11-19', '2026-11-18'],
      ['America/Los_Angeles', '2026-11-18T20:00', '2026-11-18', '2026-11-19'],
    ] as const) {
      const { cli } = team(zone);
      const moments = cli('moments', '--as-of', '2026-11-20T12:00:00Z', '--since', '30d', '--json');
      expect(moments.status, moments.stderr).toBe(0);
      const acme = (JSON.parse(moments.stdout) as { id: number; topic: string }[]).find((m) => m.topic === 'Acme Robotics')!;
      const label = cli('label', String(acme.id), 'noise', '--at', at);
      expect(label.status, label.stderr).toBe(0);
      expect(label.stderr).toContain(`threshold: 3.25: 1 step above sensitivity medium (3) after 1 adjustment, the last on ${day}: noise label on moment ${acme.id}`);
      expect(cli('topics').stdout).toMatch(new RegExp(`the last on\\s+${day}: noise label`));
      // the same label seen in UTC (--tz UTC) is on UTC's day
      expect(cli('topics', '--tz', 'UTC').stdout).toMatch(new RegExp(`the last on\\s+${utcDay}: noise label`));
    }
  });

  it("without a zone, label, silence add and events add say times as the tables and the digest do ('2026-11-18 12:00 UTC'), not ISO", () => {
    const { cli } = team();
    const moments = cli('moments', '--as-of', '2026-11-20T12:00:00Z', '--since', '30d', '--json');
    expect(moments.status, moments.stderr).toBe(0);
    const acme = (JSON.parse(moments.stdout) as { id: number; topic: string; start: string }[]).find((m) => m.topic === 'Acme Robotics')!;
    expect(acme.start).toBe('2026-11-18T12:00:00Z'); // JSON keeps ISO
    const digest = cli('digest', '--as-of', '2026-11-20T12:00:00Z', '--since', '3d');
    expect(digest.stdout).toMatch(/when: +2026-11-18 12:00 → 2026-11-\d\d \d\d:00 UTC/);
    const label = cli('label', String(acme.id), 'real', '--at', '2026-11-19T08:00:00Z');
    expect(label.status, label.stderr).toBe(0);
    expect(label.stderr).toMatch(new RegExp(`^label: moment ${acme.id} \\(Acme Robotics, spike from 2026-11-18 12:00 UTC\\) labelled real; `));
    const silence = cli('silence', 'add', 'Acme Robotics', '--until', '2099-11-21T09:00:00Z');
    expect(silence.stderr).toMatch(/^silence: 1: Acme Robotics silenced until 2099-11-21 09:00 UTC; /);
    const event = cli('events', 'add', 'Acme Robotics', '--from', '2026-11-25', '--to', '2026-11-26');
    expect(event.stderr).toMatch(/^events: 1: Acme Robotics, 2026-11-25 00:00 → 2026-11-26 00:00 UTC; /);
    expect(`${label.stderr}${silence.stderr}${event.stderr}`).not.toMatch(/\d\dT\d\d:\d\d/);
  });

  it("quality's period is on the team's clock, each end with its zone when the clocks changed between", () => {
    const ny = team().cli('quality', '--tz', 'America/New_York', '--as-of', '2026-11-20T12:00:00Z');
    expect(ny.status, ny.stderr).toBe(0);
    expect(ny.stdout).toContain('From 2026-10-21 08:00 EDT to 2026-11-20 07:00 EST.');
  });

  it("timeline --bucket 1d counts the team's calendar days, midnight to midnight, the 25-hour one marked; JSON says its UTC start and length", () => {
    const { cli } = team('Europe/Amsterdam');
    const args = ['timeline', 'acme', '--bucket', '1d', '--as-of', '2026-10-28T12:00', '--since', '2026-10-24'];
    const table = cli(...args);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/│ 2026-10-24 00:00 CEST │ +\d+ │/);
    expect(table.stdout).toMatch(/│ 2026-10-25 00:00 CEST │ +\d+ │.*learning; 25-hour day +│/);
    expect(table.stdout).toMatch(/│ 2026-10-26 00:00 CET  │ +\d+ │.*learning +│/);
    const json = JSON.parse(cli(...args, '--json').stdout) as { start: string; bucket: string; stories: number }[];
    expect(json.map((r) => `${r.start} ${r.bucket}`)).toEqual([
      '2026-10-23T22:00:00Z 1d',
      '2026-10-24T22:00:00Z 1d1h',
      '2026-10-25T23:00:00Z 1d',
      '2026-10-26T23:00:00Z 1d',
      '2026-10-27T23:00:00Z 1d',
    ]);
    // each day's stories are the items published in it: the 25-hour day's are its 6-hour buckets' and the extra hour's
    const hours = JSON.parse(cli('timeline', 'acme', '--bucket', '1h', '--as-of', '2026-10-28T12:00', '--since', '2026-10-24', '--json').stdout) as { start: string; stories: number }[];
    const inDay = (from: string, to: string) => hours.filter((h) => h.start >= from && h.start < to).reduce((n, h) => n + h.stories, 0);
    expect(json[1]!.stories).toBe(inDay('2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z'));
    expect(json[2]!.stories).toBe(inDay('2026-10-25T23:00:00Z', '2026-10-26T23:00:00Z'));
    // without a zone, days are UTC's as before
    const utc = JSON.parse(team().cli(...args, '--json').stdout) as { start: string; bucket: string }[];
    expect(utc.map((r) => `${r.start} ${r.bucket}`)).toEqual(['2026-10-24T00:00:00Z 1d', '2026-10-25T00:00:00Z 1d', '2026-10-26T00:00:00Z 1d', '2026-10-27T00:00:00Z 1d', '2026-10-28T00:00:00Z 1d']);
  });

  it("fetch's notes, feeds list's problems, status' lines and the commands' messages are on the team's clock; JSON keeps UTC", async () => {
    // a server that asks to wait an hour (503, Retry-After: 3600) at the team's 13:00 (12:00 UTC)
    const server = createServer((_req, res) => {
      res.writeHead(503, { 'Retry-After': '3600' }).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const home = tempDir();
      const config = path.join(home, 'momentscan.yaml');
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.xml`;
      writeFileSync(config, `defaults:\n  timeZone: Europe/Amsterdam\ntopics:\n  - name: Acme\n    keywords: [acme]\n    feeds: [${url}]\n`);
      const db = path.join(home, 'm.db');
      const cli = async (...args: string[]) => withTimeout(startCli([args[0]!, '--config', config, '--db', db, ...args.slice(1)], { home, env: { MOMENTSCAN_NOW: '2026-11-20T12:00:00Z' } }).exited, 60_000, args.join(' '));
      const fetch = await cli('fetch');
      expect(fetch.stderr).toContain('it will be retried by the first fetch after 2026-11-20 14:00 CET (fetch --force to try sooner)');
      const json = await cli('fetch', '--force', '--json');
      expect(json.stdout).toContain('retried by the first fetch after 2026-11-20T13:00:00Z');
      const feeds = await cli('feeds', 'list');
      expect(feeds.status, feeds.stderr).toBe(0);
      expect(feeds.stdout).toMatch(/retried by the first fetch after\s+2026-11-20 14:00 CET/);
      expect((await cli('feeds', 'list', '--json')).stdout).toContain('2026-11-20T13:00:00Z');
      const status = await cli('status');
      expect(status.status, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/; last fetch 2026-11-20 13:00 CET/);
      // without the zone (--tz UTC for a run), in UTC as the tables and the digest say it
      expect((await cli('status', '--tz', 'UTC')).stdout).toMatch(/; last fetch 2026-11-20 12:00 UTC/);
      const silence = await cli('silence', 'add', 'Acme', '--until', '2026-11-21T09:00');
      expect(silence.status, silence.stderr).toBe(0);
      expect(silence.stderr).toMatch(/^silence: 1: Acme silenced until 2026-11-21 09:00 CET; /);
      const event = await cli('events', 'add', 'Acme', '--from', '2026-11-25', '--to', '2026-11-26');
      expect(event.stderr).toMatch(/^events: 1: Acme, 2026-11-25 00:00 → 2026-11-26 00:00 CET; /);
    } finally {
      server.close();
    }
  });

  it("JSON and CSV stay UTC; a date alone on the command line is the team's midnight", () => {
    for (const format of ['--json', '--csv']) {
      const a = team().cli('moments', '--as-of', '2026-11-19T23:00:00Z', '--since', '7d', format);
      // the same evaluation time, the zone's buckets: Amsterdam's 12:00 CET bucket is 11:00Z in UTC
      const b = team('Europe/Amsterdam').cli('moments', '--as-of', '2026-11-20', '--since', '7d', format);
      // the config's zone, with the buckets and times of UTC for this run
      const c = team('Europe/Amsterdam').cli('moments', '--tz', 'UTC', '--as-of', '2026-11-19T23:00:00Z', '--since', '7d', format);
      for (const r of [a, b, c]) expect(r.status, r.stderr).toBe(0);
      expect(a.stdout).toContain('2026-11-18T12:00:00Z');
      expect(b.stdout).toContain('2026-11-18T11:00:00Z');
      expect(b.stdout).not.toMatch(/\+01:00|CET/);
      expect(c.stdout).toBe(a.stdout);
    }
  });

  it('an unknown zone is a config or usage error naming the setting', () => {
    const bad = team('Mars/Olympus_Mons').cli('digest', '--day', 'yesterday');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^momentscan: error: .*momentscan\.yaml: defaults\.timeZone: unknown time zone "Mars\/Olympus_Mons"; expected an IANA name such as Europe\/Amsterdam/);
    const flag = team().cli('moments', '--tz', 'CEST');
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/^momentscan: error: --tz: "CEST" is not a time zone — give an IANA name such as Europe\/Amsterdam/);
    expect(flag.stdout).toBe('');
    const both = team().cli('digest', '--day', 'yesterday', '--since', '24h');
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--day and --since both give the period/);
  });
});
