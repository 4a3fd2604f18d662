import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Saying when nothing can be judged yet, end to end on real SQLite files: a database with no items at all
 * (fetch never ran, or found nothing), and one with a single day of history (the topic is still learning).
 * Machine output stays data only (`[]`); the reason goes to stderr, or into the human output.
 */
const SAMPLE_CONFIG = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');
const H = 3_600_000;
const AS_OF = '2026-11-20T12:00:00Z';
const NO_ITEMS = /no items are stored yet, so there is nothing to judge — fetch the feeds with `momentscan fetch`/;

describe('an empty database: moments, scan and digest say there is nothing to judge, and how to fetch', () => {
  it('moments: in the table; with --json, [] on stdout and a warning on stderr (even with --quiet)', () => {
    const home = tempDir();
    const db = path.join(home, 'empty.db');
    const table = runCli(['moments', '--config', SAMPLE_CONFIG, '--db', db, '--as-of', AS_OF], { home });
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^No items are stored yet, so there is nothing to judge — fetch the feeds with `momentscan fetch`[^\n]*\.\n$/);
    expect(table.stderr).toBe('');
    // a command that only reads leaves no database behind at a path that had none (a mistyped --db made one)
    expect(existsSync(db)).toBe(false);
    for (const command of [['items'], ['digest', '--as-of', AS_OF], ['quality'], ['silence', 'list'], ['accounts', 'list'], ['notify', 'list']]) {
      const r = runCli([...command, '--config', SAMPLE_CONFIG, '--db', db], { home });
      expect(r.status, `${command.join(' ')}: ${r.stderr}`).toBe(0);
      expect(existsSync(db), command.join(' ')).toBe(false);
    }
    for (const quiet of [[], ['--quiet']]) {
      const json = runCli(['moments', '--config', SAMPLE_CONFIG, '--db', db, '--as-of', AS_OF, '--json', ...quiet], { home });
      expect(json.status, json.stderr).toBe(0);
      expect(json.stdout).toBe('[]\n');
      expect(json.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^momentscan: warning: /)]);
      expect(json.stderr).toMatch(NO_ITEMS);
    }
  });

  it('scan whose feeds hold no items: [] on stdout, the fetch summary and the warning on stderr', () => {
    const home = tempDir();
    writeFileSync(path.join(home, 'empty.xml'), '<?xml version="1.0"?><rss version="2.0"><channel><title>Empty</title><link>https://e.example/</link><description>d</description></channel></rss>');
    const config = path.join(home, 'momentscan.yaml');
    writeFileSync(config, 'topics:\n  - name: Acme\n    keywords: [acme]\n    feeds: [empty.xml]\n');
    const r = runCli(['scan', '--config', config, '--db', path.join(home, 'm.db'), '--json'], { home });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('[]\n');
    expect(r.stderr).toMatch(/fetch: 1 feed, 1 ok.*0 new items/);
    expect(r.stderr).toMatch(NO_ITEMS);
  });

  it('digest: says so instead of "quiet day", in text and markdown', () => {
    const home = tempDir();
    const db = path.join(home, 'empty.db');
    for (const format of ['text', 'markdown']) {
      const r = runCli(['digest', '--config', SAMPLE_CONFIG, '--db', db, '--as-of', AS_OF, '--format', format], { home });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('Nothing to judge: no items are stored yet.');
      expect(r.stdout).toMatch(/momentscan\s+fetch/);
      expect(r.stdout).not.toContain('Quiet day');
    }
  });
});

describe('a database with one day of history: the topic is still learning', () => {
  /** A feed of 24 hourly Acme items, the last half an hour before `asOf`; a topic with none (Globex). */
  function oneDay(): { home: string; config: string; db: string; asOf: number } {
    const home = tempDir();
    // relative to the real clock: a fetch dates items from the future at the fetch time
    const asOf = Math.floor(Date.now() / H) * H;
    const items = Array.from({ length: 24 }, (_, i) => {
      const t = new Date(asOf - (i + 0.5) * H).toUTCString();
      return `<item><title>Acme robots, day note ${i}</title><link>https://news.example/acme/${i}</link><guid>acme-${i}</guid><pubDate>${t}</pubDate></item>`;
    });
    writeFileSync(path.join(home, 'day.xml'), `<?xml version="1.0"?><rss version="2.0"><channel><title>Day</title><link>https://news.example/</link><description>d</description>${items.join('')}</channel></rss>`);
    const config = path.join(home, 'momentscan.yaml');
    writeFileSync(config, 'defaults:\n  bucket: 6h\n  baseline: 14d\ntopics:\n  - name: Acme\n    keywords: [acme]\n    feeds: [day.xml]\n  - name: Globex\n    keywords: [globex]\n    feeds: [day.xml]\n');
    const db = path.join(home, 'm.db');
    const f = runCli(['fetch', '--config', config, '--db', db, '--quiet'], { home });
    expect(f.status, f.stderr).toBe(0);
    return { home, config, db, asOf };
  }

  it('moments and digest say until when (the engine learns from 16 buckets of 6h, then the first judged bucket ends)', () => {
    const { home, config, db, asOf } = oneDay();
    const first = asOf - 23.5 * H;
    // (as the tables and the digest say a time: "2026-12-01 18:00 UTC")
    const until = `${new Date(Math.floor(first / (6 * H)) * 6 * H + 17 * 6 * H).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const at = new Date(asOf).toISOString();

    const table = runCli(['moments', '--config', config, '--db', db, '--as-of', at], { home });
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toContain(`\nAcme: still learning until ${until}.\n`);
    expect(table.stdout).toContain('\nGlobex: no items yet, nothing to judge.\n');

    const json = runCli(['moments', '--config', config, '--db', db, '--as-of', at, '--json'], { home });
    expect(json.status, json.stderr).toBe(0);
    expect(json.stdout).toBe('[]\n');
    expect(json.stderr.trimEnd().split('\n')).toEqual([`moments: Acme: still learning until ${until}`, 'moments: Globex: no items yet, nothing to judge']);
    expect(runCli(['moments', '--config', config, '--db', db, '--as-of', at, '--json', '--quiet'], { home }).stderr).toBe('');

    const digest = runCli(['digest', '--config', config, '--db', db, '--as-of', at], { home });
    expect(digest.status, digest.stderr).toBe(0);
    expect(digest.stdout).toContain(`\nAcme: still learning until ${until}.\n`);

    // an evaluation time before the first item: nothing stored by then (it said 'still learning until' a date long after it)
    const firstAt = `${new Date(first).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const past = runCli(['moments', '--config', config, '--db', db, '--as-of', '1999-01-01'], { home });
    expect(past.status, past.stderr).toBe(0);
    expect(past.stdout).toContain(`\nAcme: no items by then, nothing to judge: the first is from ${firstAt} — give a later --as-of.\n`);
    expect(past.stdout).not.toContain('learning');
    const pastDigest = runCli(['digest', '--config', config, '--db', db, '--as-of', '1999-01-01'], { home });
    expect(pastDigest.stdout.replace(/\s+/g, ' ')).toContain(`Acme: no items by then, nothing to judge: the first is from ${firstAt} — give a later --as-of.`);

    // judged once the history is long enough: at that time, nothing is said about Acme
    const later = runCli(['moments', '--config', config, '--db', db, '--as-of', until, '--json'], { home });
    expect(later.stderr).not.toContain('Acme');
  });
});

describe('a new topic whose first fetch lists an old article', () => {
  it('is still learning, with no moment: the years between that article and the rest were never fetched', () => {
    const home = tempDir();
    const now = Date.UTC(2026, 10, 20, 12);
    // a news search's first answer: 59 items of the last two days, and a piece from 2019 it still lists
    const items = Array.from({ length: 59 }, (_, k) => ({ t: now - (k * 48 * H) / 59 - 1000, title: `Initrode ${['ships', 'hires', 'opens', 'signs', 'wins'][k % 5]} deal number ${k}` }));
    items.push({ t: Date.UTC(2019, 4, 3, 10), title: 'Initrode founded in a garage: a look back' });
    const entries = items.map((i, k) => `<item><title>${i.title}</title><link>https://n.example/${k}</link><guid>g${k}</guid><pubDate>${new Date(i.t).toUTCString()}</pubDate></item>`);
    writeFileSync(path.join(home, 'initrode.xml'), `<?xml version="1.0"?><rss version="2.0"><channel><title>s</title><link>https://n.example/</link><description>d</description>\n${entries.join('\n')}</channel></rss>`);
    const config = path.join(home, 'momentscan.yaml');
    writeFileSync(config, 'defaults:\n  bucket: 6h\ntopics:\n  - name: Initrode\n    keywords: [initrode]\n    feeds: [initrode.xml]\n');
    const db = path.join(home, 'm.db');
    const env = { MOMENTSCAN_NOW: new Date(now).toISOString() };
    expect(runCli(['fetch', '--config', config, '--db', db, '--quiet'], { home, env }).status).toBe(0);
    // it was a volume spike of score 49 (eight weeks of zeros, then the two days), and the topic was not learning
    const moments = runCli(['moments', '--config', config, '--db', db, '--as-of', AS_OF], { home, env });
    expect(moments.status, moments.stderr).toBe(0);
    expect(moments.stdout).toMatch(/^No moments from [^\n]*\nInitrode: still learning until 2026-11-22 18:00 UTC\.\n$/);
    const topics = runCli(['topics', '--config', config, '--db', db, '--json'], { home, env });
    expect(JSON.parse(topics.stdout)[0]).toMatchObject({ firstItemAt: '2019-05-03T10:00:00Z', learning: true, learningUntil: '2026-11-22T18:00:00Z' });
  });
});

describe('a history nobody fetched for days: moments says so', () => {
  it('warns on stderr with when the feeds were last read, in every format; not when they were read, nor in a backtest', () => {
    const home = tempDir();
    const db = path.join(home, 'sample.db');
    // the feeds were last read at 2026-11-20 12:00; the analyst looks a week later (a cron that stopped)
    expect(runCli(['fetch', '--config', SAMPLE_CONFIG, '--db', db, '--quiet'], { home, env: { MOMENTSCAN_NOW: AS_OF } }).status).toBe(0);
    const stale = /^momentscan: warning: no feed was read after 2026-11-20 12:00 UTC \(7d before now\): what was published since is not judged — run `momentscan fetch`/;
    for (const format of [[], ['--json'], ['--csv']]) {
      const r = runCli(['moments', '--config', SAMPLE_CONFIG, '--db', db, ...format], { home, env: { MOMENTSCAN_NOW: '2026-11-27T12:00:00Z' } });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr.trimEnd().split('\n').filter((l) => stale.test(l)), `${format.join(' ')}: ${r.stderr}`).toHaveLength(1);
    }
    const asOf = runCli(['moments', '--config', SAMPLE_CONFIG, '--db', db, '--as-of', '2026-11-25T12:00:00Z', '--json'], { home });
    expect(asOf.stderr).toContain('no feed was read after 2026-11-20 12:00 UTC (5d before the --as-of time)');
    // read within the hour before: nothing said; a backtest judges the past and says nothing of it
    const fresh = runCli(['moments', '--config', SAMPLE_CONFIG, '--db', db, '--json'], { home, env: { MOMENTSCAN_NOW: '2026-11-20T12:30:00Z' } });
    expect(fresh.stderr).not.toContain('no feed was read');
    const backtest = runCli(['moments', '--config', SAMPLE_CONFIG, '--db', db, '--backtest', '--json', '--quiet'], { home, env: { MOMENTSCAN_NOW: '2026-11-27T12:00:00Z' } });
    expect(backtest.stderr).not.toContain('no feed was read');
  });
});
