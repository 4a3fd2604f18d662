import { chmodSync, copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { startCli, withTimeout } from '../helpers/spawn.js';
import { tempDir } from '../helpers/tmp.js';

const SAMPLE_CONFIG = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');

describe('momentscan feeds', () => {
  it('lists every configured feed as new before the first fetch, without creating a database', () => {
    const home = tempDir();
    const db = path.join(home, 'none.db');
    const r = runCli(['feeds', '--config', SAMPLE_CONFIG, '--db', db, '--json'], { home });
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout) as { state: string; url: string }[];
    expect(rows).toHaveLength(7);
    expect(rows.every((f) => f.state === 'new')).toBe(true);
    expect(() => readFileSync(db)).toThrow();
  });

  it('sixteen feeds down at once, retried: each one fails with its error (the host given up once three have), and stderr has no Node warning about listeners', () => {
    const home = tempDir();
    const cfg = path.join(home, 'momentscan.yaml');
    const feeds = Array.from({ length: 16 }, (_, i) => `http://127.0.0.1:9/down-${i}.rss`);
    writeFileSync(cfg, `fetch: {concurrency: 16, perHost: 16, hostDelay: 0ms, retries: 1}\ntopics:\n  - name: Acme\n    keywords: [acme]\n    feeds: [${feeds.join(', ')}]\n`);
    const r = runCli(['fetch', '--config', cfg, '--db', path.join(home, 'm.db'), '--json'], { home });
    expect(r.status).toBe(3);
    const results = JSON.parse(r.stdout) as { status: string; attempts: number; error: string }[];
    expect(results).toHaveLength(16);
    // all 16 try at once; those whose retry comes after three have failed for good are not retried
    const refused = results.filter((f) => /^connection refused by 127\.0\.0\.1:9/.test(f.error));
    const givenUp = results.filter((f) => /^given up for this run: 127\.0\.0\.1:9 could not be reached for the \d+ feeds before this one/.test(f.error));
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(refused.length + givenUp.length).toBe(16);
    expect(refused.every((f) => f.status === 'failed' && f.attempts === 2)).toBe(true);
    expect(givenUp.every((f) => f.status === 'failed' && f.attempts === 1)).toBe(true);
    expect(r.stderr).not.toMatch(/Warning|listeners/);
  });

  it('shows health after fetches: a failing feed with its error and failures in a row, the good ones ok', () => {
    const home = tempDir();
    const cfg = path.join(home, 'c.yaml');
    const good = path.join(ROOT, 'fixtures', 'feeds', 'google-news.rss.xml');
    writeFileSync(cfg, `fetch: {interval: 0s, retries: 0}\ntopics:\n  - name: Acme\n    keywords: [acme]\n    feeds: [${good}, http://127.0.0.1:9/down.rss]\n`);
    const db = path.join(home, 'm.db');
    for (let i = 0; i < 3; i++) runCli(['fetch', '--config', cfg, '--db', db, '--quiet'], { home });
    const third = runCli(['fetch', '--config', cfg, '--db', db], { home });
    expect(third.stderr).toMatch(/momentscan: warning: http:\/\/127\.0\.0\.1:9\/down\.rss: connection refused by 127\.0\.0\.1:9 .*\(never fetched: failed all 4 runs\)/);
    const r = runCli(['feeds', 'list', '--config', cfg, '--db', db, '--json'], { home });
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows[0]).toMatchObject({ state: 'ok', consecutiveFailures: 0, fetches: 4, failures: 0, items: 3, notModifiedRatio: 0.75 });
    expect(rows[1]).toMatchObject({ state: 'failing', consecutiveFailures: 4, fetches: 4, failures: 4, items: 0, notModifiedRatio: null });
    expect(rows[1]!.error).toMatch(/^connection refused/);
    const table = runCli(['feeds', '--config', cfg, '--db', db], { home }).stdout;
    expect(table).toContain('failing');
    expect(table).toContain('connection refused');
  });

  it('a feed that worked and fails once is a note, hidden by --quiet; one that never worked is a warning from its first run', () => {
    const home = tempDir();
    const cfg = path.join(home, 'c.yaml');
    const fixture = readFileSync(path.join(ROOT, 'fixtures', 'feeds', 'google-news.rss.xml'));
    const [a, b] = [path.join(home, 'a.xml'), path.join(home, 'b.xml')];
    writeFileSync(a, fixture);
    writeFileSync(b, fixture);
    writeFileSync(cfg, `fetch: {retries: 0}\nfeeds: [${a}, ${b}]\n`);
    const db = path.join(home, 'm.db');
    expect(runCli(['fetch', '--config', cfg, '--db', db, '--quiet'], { home }).status).toBe(0);
    rmSync(b);
    const loud = runCli(['fetch', '--config', cfg, '--db', db], { home });
    expect(loud.stderr).toMatch(/^momentscan: note: file:\/\/\S+\/b\.xml: file not found/m);
    expect(loud.stderr).toMatch(/fetch: 2 feeds, 0 ok, 1 not modified, 1 failed, 0 skipped; 0 new items/);
    expect(loud.status).toBe(0);
    const quiet = runCli(['fetch', '--config', cfg, '--db', db, '--quiet'], { home });
    expect(quiet.stderr).toBe('');
    expect(quiet.status).toBe(0);
    expect(runCli(['fetch', '--config', cfg, '--db', db, '--quiet', '--strict'], { home }).status).toBe(3);
    // a new feed that fails from the start: most likely a wrong URL, worth a warning (cron mails it)
    writeFileSync(cfg, `fetch: {retries: 0}\nfeeds: [${a}, http://127.0.0.1:9/down.rss]\n`);
    const fresh = runCli(['fetch', '--config', cfg, '--db', db, '--quiet'], { home });
    expect(fresh.stderr).toMatch(/^momentscan: warning: http:\/\/127\.0\.0\.1:9\/down\.rss: connection refused by 127\.0\.0\.1:9 .*\(failed on its first run\)\n$/);
    expect(fresh.status).toBe(0);
  });

  it('every feed failing is exit 3 without --strict, and --quiet still says so', () => {
    const home = tempDir();
    const cfg = path.join(home, 'c.yaml');
    writeFileSync(cfg, `fetch: {retries: 0}\nfeeds: [http://127.0.0.1:9/down.rss, ${path.join(home, 'missing.xml')}]\n`);
    const quiet = runCli(['fetch', '--config', cfg, '--db', path.join(home, 'b.db'), '--quiet'], { home });
    expect(quiet.status).toBe(3);
    expect(quiet.stderr).toMatch(/\nmomentscan: warning: every feed failed \(2\); nothing was fetched\n$/);
  });
});

describe('momentscan feeds test', () => {
  it('shows what a local feed would store, matched against the configured topics, and writes nothing', () => {
    const home = tempDir();
    const db = path.join(home, 'untouched.db');
    const r = runCli(['feeds', 'test', path.join(ROOT, 'fixtures', 'feeds', 'google-news.rss.xml'), '--config', SAMPLE_CONFIG, '--db', db, '--json'], { home });
    expect(r.status).toBe(0);
    const items = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(items).toHaveLength(3);
    expect(items[0]).toMatchObject({
      title: 'Acme shares jump after record quarter',
      source: 'The Daily Ledger',
      topics: ['Acme Robotics'],
      dateEstimated: false,
    });
    expect(typeof items[0]!.sentiment).toBe('number');
    expect(items[0]!.publishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(() => readFileSync(db)).toThrow();
  });

  it('a table for people, with the feed title and the item count', () => {
    const home = tempDir();
    const r = runCli(['feeds', 'test', path.join(ROOT, 'fixtures', 'feeds', 'latin1.rss.xml')], { home });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Nachrichten aus Zürich: \d+ items?/);
    expect(r.stdout).toContain('Café in Zürich reopens after façade repairs');
  });

  it('shows each item\'s publisher and link in full, and its source as it would be stored (the domain when the feed names no publisher)', () => {
    const home = tempDir();
    const gn = runCli(['feeds', 'test', path.join(ROOT, 'fixtures', 'feeds', 'google-news.rss.xml')], { home });
    expect(gn.stdout).toContain('Publishers and links:\n   1  The Daily Ledger  https://dailyledger.example/acme-shares-jump-record-quarter\n');
    const json = runCli(['feeds', 'test', path.join(ROOT, 'fixtures', 'feeds', 'latin1.rss.xml'), '--json'], { home });
    expect(JSON.parse(json.stdout)[0]).toMatchObject({ source: 'zeitung.example', sourceDomain: 'zeitung.example' });
  });

  it.each([
    [path.join('fixtures', 'feeds', 'html-page.html'), /html-page\.html: got an HTML page, not a feed — /],
    ['http://127.0.0.1:9/feed.rss', /^momentscan: error: http:\/\/127\.0\.0\.1:9\/feed\.rss: connection refused by 127\.0\.0\.1:9/],
    // a path typed here is relative to the current folder, not to a config file
    ['missing.xml', /missing\.xml: file not found: \S+ — check the path \(a relative path is relative to the current folder\)$/m],
    ['ndjson:missing.ndjson', /missing\.ndjson: file not found: \S+ — check the path \(a relative path is relative to the current folder\)$/m],
  ])('%s fails with one line naming it', (source, message) => {
    const home = tempDir();
    const r = runCli(['feeds', 'test', source], { home });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a server that never answers: the error says every try timed out, not one', async () => {
    const home = tempDir();
    const silent = createNetServer((sock) => sock.on('error', () => undefined));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const config = path.join(home, 'momentscan.yaml');
      writeFileSync(config, 'fetch: { timeout: 1s, retries: 1 }\n');
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/feed.xml`;
      const r = await withTimeout(startCli(['feeds', 'test', url, '--config', config], { home }).exited, 30_000, 'feeds test');
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`momentscan: error: ${url}: timed out after 1s (no answer) on each of 2 tries — the server is slow or unreachable; raise fetch.timeout if it is just slow\n`);
    } finally {
      silent.close();
    }
  });
});

describe('momentscan items', () => {
  it('full-text search finds items by their words (title or summary), within the topic and period', () => {
    const home = tempDir();
    const db = path.join(home, 's.db');
    const cfg = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');
    runCli(['fetch', '--config', cfg, '--db', db, '--quiet'], { home });
    const args = ['items', '--config', cfg, '--db', db, '--as-of', '2026-11-20T12:00:00Z', '--since', '2d', '--json'];
    const hits = JSON.parse(runCli([...args, '--search', 'outage AND stranded'], { home }).stdout) as { title: string; summary: string }[];
    expect(hits.length).toBeGreaterThan(2);
    for (const h of hits) expect(`${h.title} ${h.summary}`.toLowerCase()).toMatch(/outage[\s\S]*strand|strand[\s\S]*outage/);
    const acme = JSON.parse(runCli([...args, '--search', 'outage', '--topic', 'Acme Robotics'], { home }).stdout) as { topics: string[] }[];
    expect(acme.every((h) => h.topics.includes('Acme Robotics'))).toBe(true);
    const bad = runCli([...args, '--search', '"unclosed'], { home });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`--search: cannot read ""unclosed" as a search`);
  });

  it('says on stderr when it shows only part of the items, and lists them all with --all', () => {
    const home = tempDir();
    const db = path.join(home, 's.db');
    const cfg = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');
    runCli(['fetch', '--config', cfg, '--db', db, '--quiet'], { home });
    const args = ['items', '--config', cfg, '--db', db, '--as-of', '2026-11-20T12:00:00Z', '--since', '40d', '--json'];
    const all = runCli([...args, '--all'], { home });
    expect(all.status, all.stderr).toBe(0);
    const n = (JSON.parse(all.stdout) as unknown[]).length;
    expect(n).toBeGreaterThan(50);
    expect(all.stderr).toBe('');
    const some = runCli(args, { home });
    expect(JSON.parse(some.stdout)).toHaveLength(50);
    expect(some.stderr).toBe(`momentscan: showing 50 of ${n.toLocaleString('en-US')} items; --limit ${Math.min(n, 1000)} or --all for more\n`);
    expect(runCli([...args, '--quiet'], { home }).stderr).toBe('');
    for (const bad of ['0', '99999999999999999999']) {
      const r = runCli([...args, '-n', bad], { home });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`momentscan: error: --limit: expected a whole number of at least 1, got "${bad}" — or --all for every item of the period\n`);
    }
  });

  it('a large listing piped into something that stops reading (| head -1) ends quietly', async () => {
    const home = tempDir();
    const db = path.join(home, 's.db');
    const cfg = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');
    runCli(['fetch', '--config', cfg, '--db', db, '--quiet'], { home });
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'momentscan'), 'items', '--config', cfg, '--db', db, '--as-of', '2026-11-20T12:00:00Z', '--since', '40d', '--limit', '5000', '--csv'], {
      env: { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy()); // like head -1: read a little, then close the pipe
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });
});

describe('momentscan timeline', () => {
  it("shows a topic's buckets with the spike flagged, a chart for people and rows for scripts", () => {
    const home = tempDir();
    const db = path.join(home, 's.db');
    const cfg = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');
    runCli(['fetch', '--config', cfg, '--db', db, '--quiet'], { home });
    const args = ['timeline', 'acme', '--config', cfg, '--db', db, '--as-of', '2026-11-20T12:00:00Z', '--since', '4d'];
    const rows = JSON.parse(runCli([...args, '--json'], { home }).stdout) as { start: string; stories: number; spike: boolean; topic: string }[];
    expect(rows).toHaveLength(16); // 4 days of 6h buckets (the one beginning at the evaluation time holds nothing yet)
    expect(rows[0]!.topic).toBe('Acme Robotics');
    const spikes = rows.filter((r) => r.spike).map((r) => r.start);
    expect(spikes).toContain('2026-11-18T18:00:00Z');
    const table = runCli(args, { home }).stdout;
    expect(table).toMatch(/^Acme Robotics: 6h buckets/);
    expect(table).toMatch(/stories {2}[▁▂▃▄▅▆▇█]{16}/);
    expect(table).toContain('▲');

    // a day not over at the evaluation time is not judged yet, but the topic is not learning: say which
    const days = JSON.parse(runCli([...args, '--bucket', '1d', '--json'], { home }).stdout) as { start: string; expected: number | null; learning: boolean }[];
    expect(days.at(-1)).toMatchObject({ start: '2026-11-20T00:00:00Z', expected: null, learning: false });
    expect(days.at(-2)!.learning).toBe(false);
    const dayTable = runCli([...args, '--bucket', '1d'], { home }).stdout;
    expect(dayTable).toMatch(/│ 2026-11-20 00:00 │.*│ not over +│/);
    expect(dayTable).not.toContain('learning');
    // while the topic learns, its day not over is learning too
    const early = JSON.parse(runCli(['timeline', 'acme', '--config', cfg, '--db', db, '--as-of', '2026-10-21T12:00:00Z', '--since', '2d', '--bucket', '1d', '--json'], { home }).stdout) as { learning: boolean }[];
    expect(early.map((r) => r.learning)).toEqual([true, true]);
  });
});

describe('momentscan feeds import', () => {
  const opml = (body: string) => `<?xml version="1.0"?>\n<opml version="2.0"><head><title>mine</title></head><body>${body}</body></opml>\n`;
  const feed = (i: number) => `<outline type="rss" text="Feed ${i}" xmlUrl="https://ex${i}.example/feed.xml"/>`;

  it.each([
    ['20,000 folders side by side', opml(Array.from({ length: 20_000 }, (_, i) => `<outline text="Folder ${i}">${feed(i)}</outline>`).join('')),
      /^momentscan: error: \S+list\.opml: importing it would make the config 2\.\d MB, more than the 1 MB momentscan reads — /],
    ['folders nested 20,000 deep', opml(`${Array.from({ length: 20_000 }, (_, i) => `<outline text="Folder ${i}">${feed(i)}`).join('')}${'</outline>'.repeat(20_000)}`),
      /^momentscan: error: \S+list\.opml: outlines nested more than 100 deep — /],
  ])('refuses %s at once, with a config error, and leaves the config as it was', (_name, text, message) => {
    const home = tempDir();
    const config = path.join(home, 'momentscan.yaml');
    writeFileSync(config, 'topics:\n  - name: Acme\n    keywords: [acme]\n');
    writeFileSync(path.join(home, 'list.opml'), text);
    const r = runCli(['feeds', 'import', path.join(home, 'list.opml'), '--config', config], { home });
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
    expect(readFileSync(config, 'utf8')).toBe('topics:\n  - name: Acme\n    keywords: [acme]\n');
  });

  it('leaves the lines it does not touch as they were, keeps file:// feeds, and counts in words', () => {
    const home = tempDir();
    const config = path.join(home, 'momentscan.yaml');
    writeFileSync(config, 'topics:\n  - name: northwind\n    keywords: [northwind]\n');
    writeFileSync(path.join(home, 'list.opml'), opml(`${feed(1)}<outline text="local" xmlUrl="file:///srv/feeds/local.xml"/><outline text="old" xmlUrl="gopher://old.example/1"/>`));
    const r = runCli(['feeds', 'import', path.join(home, 'list.opml'), '--config', config], { home });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^momentscan: 2 feeds added; 1 not an http\(s\) or file:\/\/ feed URL, left out — /);
    const text = readFileSync(config, 'utf8');
    expect(text).toContain('    keywords: [northwind]\n');
    expect(text).toContain('file:///srv/feeds/local.xml');
  });

  it('keeps the spacing of the lines it does not add to: aligned comments and { } / [ ] as written (the sample config)', () => {
    const home = tempDir();
    const config = path.join(home, 'momentscan.yaml');
    const before = 'defaults:\n  bucket: 6h          # time bucket\ntopics:\n  - name: Acme\n    keywords: [ acme ]   # any case\n    feeds:\n      - { url: feeds/acme.xml, kind: google-news }   # news\n';
    writeFileSync(config, before);
    writeFileSync(path.join(home, 'list.opml'), opml(`<outline text="Acme">${feed(1)}</outline>`));
    const r = runCli(['feeds', 'import', path.join(home, 'list.opml'), '--config', config], { home });
    expect(r.status, r.stderr).toBe(0);
    const text = readFileSync(config, 'utf8');
    expect(text.startsWith(before)).toBe(true);
    expect(text.slice(before.length)).toMatch(/^      - url: https:\/\/ex1\.example\/feed\.xml\n        title: Feed 1\n$/);
  });

  it('a feed list in UTF-16 or Latin-1 is refused in one line naming it and its encoding, and the config is left as it was', () => {
    const home = tempDir();
    const config = path.join(home, 'c.yaml');
    writeFileSync(config, 'topics: []\n');
    const text = opml(`<outline text="Caf\u00e9 Soci\u00e9t\u00e9">${feed(1)}</outline>`);
    const cases: [string, Buffer, string][] = [
      ['utf16.opml', Buffer.from(text, 'utf16le'), 'the feed list is UTF-16 text, momentscan reads UTF-8 — save it as UTF-8 (Notepad: Save as, Encoding UTF-8)'],
      ['latin1.opml', Buffer.from(text, 'latin1'), `line ${text.slice(0, text.indexOf('Caf')).split('\n').length} is not UTF-8 text — save the feed list as UTF-8`],
    ];
    for (const [name, bytes, message] of cases) {
      const file = path.join(home, name);
      writeFileSync(file, bytes);
      const r = runCli(['feeds', 'import', file, '--config', config], { home });
      expect(r.stderr).toBe(`momentscan: error: ${file}: ${message}\n`);
      expect(r.status).toBe(2);
      expect(readFileSync(config, 'utf8')).toBe('topics: []\n');
    }
  });

  it('keeps a feed written alone (feeds: URL) beside those it adds', () => {
    const home = tempDir();
    const config = path.join(home, 'momentscan.yaml');
    writeFileSync(config, 'topics:\n  - name: Acme\n    keywords: [acme]\n    feeds: https://acme.example/own.xml\nfeeds: https://hnrss.org/frontpage\n');
    writeFileSync(path.join(home, 'list.opml'), opml(`${feed(1)}<outline text="Acme">${feed(2)}</outline>`));
    const r = runCli(['feeds', 'import', path.join(home, 'list.opml'), '--config', config], { home });
    expect(r.status, r.stderr).toBe(0);
    const listed = JSON.parse(runCli(['feeds', '--json', '--config', config, '--db', path.join(home, 'none.db')], { home }).stdout) as { url: string; topics: string[] }[];
    expect(listed.map((f) => [f.url, f.topics.join()])).toEqual([
      ['https://acme.example/own.xml', 'Acme'],
      ['https://ex2.example/feed.xml', 'Acme'],
      ['https://hnrss.org/frontpage', ''],
      ['https://ex1.example/feed.xml', ''],
    ]);
  });

  it('a missing file is named, with what to do', () => {
    const home = tempDir();
    writeFileSync(path.join(home, 'c.yaml'), 'topics: []\n');
    const r = runCli(['feeds', 'import', path.join(home, 'nope.opml'), '--config', path.join(home, 'c.yaml')], { home });
    expect(r.stderr).toBe(`momentscan: error: ${path.join(home, 'nope.opml')}: no such file — check the path of the OPML file\n`);
    expect(r.status).toBe(2);
  });

  it('writes the config where it really is, through a symbolic link, and keeps its permissions', () => {
    const home = tempDir();
    const dotfiles = path.join(home, 'dotfiles');
    mkdirSync(dotfiles);
    const real = path.join(dotfiles, 'momentscan.yaml');
    // a config holding a webhook's secret URL, kept from other users
    writeFileSync(real, 'topics:\n  - name: Acme\n    keywords: [acme]\n', { mode: 0o600 });
    chmodSync(real, 0o600);
    const link = path.join(home, 'momentscan.yaml');
    symlinkSync(real, link);
    writeFileSync(path.join(home, 'list.opml'), opml(feed(1)));
    const r = runCli(['feeds', 'import', path.join(home, 'list.opml'), '--config', link], { home });
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toContain('https://ex1.example/feed.xml');
    expect(statSync(real).mode & 0o777).toBe(0o600);
    expect(readdirSync(dotfiles)).toEqual(['momentscan.yaml']);
  });
});

describe('momentscan feeds add', () => {
  const GN = path.join(ROOT, 'fixtures', 'feeds', 'google-news.rss.xml');
  const BASE = '# mine\nfetch: { retries: 0 }   # fail fast\ntopics:\n  - name: Acme Robotics\n    keywords: [ acme ]   # any case\nfeeds:\n  - https://hnrss.org/frontpage   # HN\n';
  const setup = () => {
    const home = tempDir();
    const config = path.join(home, 'momentscan.yaml');
    writeFileSync(config, BASE);
    return { home, config };
  };

  it('reads the feed once, adds it to the topic named, keeps every other line; the same again is a note, elsewhere an error', () => {
    const { home, config } = setup();
    const r = runCli(['feeds', 'add', GN, '--topic', 'acme', '--title', 'Acme news: "GN" #1', '--config', config], { home });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`momentscan: file://${GN} (3 items now; its title: "acme" - Google News) added to the feeds of topic Acme Robotics — ${config}\n`);
    const text = readFileSync(config, 'utf8');
    expect(text).toBe(BASE.replace('any case\n', `any case\n    feeds:\n      - url: file://${GN}\n        title: 'Acme news: "GN" #1'\n`));
    const listed = JSON.parse(runCli(['feeds', '--json', '--config', config, '--db', path.join(home, 'none.db')], { home }).stdout) as { url: string; title: string; topics: string[] }[];
    expect(listed.find((f) => f.url === `file://${GN}`)).toMatchObject({ title: 'Acme news: "GN" #1', topics: ['Acme Robotics'] });
    // again, as asked: nothing to do
    const again = runCli(['feeds', 'add', GN, '--topic', 'Acme Robotics', '--config', config], { home });
    expect(again.status).toBe(0);
    expect(again.stderr).toBe(`momentscan: file://${GN} is already in the feeds of topic Acme Robotics; the config is left as it was — ${config}\n`);
    // as a plain feed: it is configured elsewhere
    const elsewhere = runCli(['feeds', 'add', GN, '--config', config], { home });
    expect(elsewhere.status).toBe(2);
    expect(elsewhere.stderr).toBe(`momentscan: error: feeds add: file://${GN} is already in the feeds of topic Acme Robotics — momentscan feeds remove file://${GN} first to move it; nothing was added\n`);
    expect(readFileSync(config, 'utf8')).toBe(text);
  });

  it('refuses a feed that cannot be read, config untouched, unless --no-check; --dry-run and --json say what would be done', () => {
    const { home, config } = setup();
    const down = 'http://127.0.0.1:9/down.rss';
    const r = runCli(['feeds', 'add', down, '--config', config], { home });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^momentscan: error: http:\/\/127\.0\.0\.1:9\/down\.rss: connection refused by 127\.0\.0\.1:9 — .*; nothing was added \(--no-check adds it unread\)\n$/);
    expect(readFileSync(config, 'utf8')).toBe(BASE);
    const dry = runCli(['feeds', 'add', down, '--no-check', '--tag', 'trade', '--dry-run', '--config', config], { home });
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toBe(`${BASE}  - url: ${down}\n    tags:\n      - trade\n`);
    expect(dry.stderr).toBe(`momentscan: ${down} would be added to the plain feeds list — ${config}\n`);
    expect(readFileSync(config, 'utf8')).toBe(BASE);
    // a script asking what --dry-run would do is told it would be added (it said added: false, as for a feed already there)
    const dryJson = runCli(['feeds', 'add', down, '--no-check', '--dry-run', '--json', '--config', config], { home });
    expect(dryJson.status, dryJson.stderr).toBe(0);
    expect(JSON.parse(dryJson.stdout)).toMatchObject({ dryRun: true, added: true, url: down });
    expect(readFileSync(config, 'utf8')).toBe(BASE);
    const json = runCli(['feeds', 'add', down, '--no-check', '--json', '--config', config], { home });
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ schemaVersion: 1, config, dryRun: false, added: true, url: down, topic: null, title: null, tags: [], feedTitle: null, items: null });
    expect(readFileSync(config, 'utf8')).toBe(`${BASE}  - ${down}\n`);
  });

  it('hostile input: a line break, an escape sequence or 10,000 characters is a usage error; YAML syntax in a URL is written safely', () => {
    const { home, config } = setup();
    for (const [args, message] of [
      [['--title', 'two\nlines'], /^momentscan: error: --title: "two lines" holds a line break, a control character or an escape sequence — give one line of plain text\n$/],
      [['--tag', '\u001b[31mred'], /^momentscan: error: --tag: "red" holds a line break, a control character or an escape sequence — /],
      [['--title', 'x'.repeat(10_000)], /^momentscan: error: --title: at most 200 characters, got 10,000 — /],
      [['--topic', 'Nope'], /^momentscan: error: --topic: no topic named "Nope" in the config — topics are: Acme Robotics\n$/],
    ] as const) {
      const r = runCli(['feeds', 'add', GN, ...args, '--config', config], { home });
      expect(r.stderr).toMatch(message);
      expect(r.status).toBe(2);
    }
    const odd = 'https://x.example/feed?q=a: b #c&x=[1]';
    const r = runCli(['feeds', 'add', odd, '--no-check', '--config', config], { home });
    expect(r.status, r.stderr).toBe(0);
    const listed = JSON.parse(runCli(['feeds', '--json', '--config', config, '--db', path.join(home, 'none.db')], { home }).stdout) as { url: string }[];
    expect(listed.map((f) => f.url)).toEqual(['https://hnrss.org/frontpage', new URL(odd).href]);
    expect(readFileSync(config, 'utf8').startsWith(BASE)).toBe(true);
  });

  it('a local file in the config\'s folder is written as a path relative to it: the config moved with its feeds still reads them', () => {
    const home = tempDir();
    const team = path.join(home, 'team');
    mkdirSync(path.join(team, 'feeds'), { recursive: true });
    copyFileSync(GN, path.join(team, 'feeds', 'gn.xml'));
    const config = path.join(team, 'momentscan.yaml');
    writeFileSync(config, BASE);
    // typed relative to the current folder (home), not to the config's
    const r = runCli(['feeds', 'add', './team/feeds/gn.xml', '--topic', 'acme', '--config', config], { home, cwd: home });
    expect(r.status, r.stderr).toBe(0);
    // (it was file:///…/team/feeds/gn.xml: a config moved, or shared in git, lost its feed)
    expect(readFileSync(config, 'utf8')).toBe(BASE.replace('any case\n', 'any case\n    feeds:\n      - feeds/gn.xml\n'));
    const again = runCli(['feeds', 'add', path.join(team, 'feeds', 'gn.xml'), '--topic', 'acme', '--config', config], { home });
    expect(again.stderr).toMatch(/ is already in the feeds of topic Acme Robotics; the config is left as it was/);
    renameSync(team, path.join(home, 'moved'));
    const moved = path.join(home, 'moved', 'momentscan.yaml');
    const listed = JSON.parse(runCli(['feeds', '--json', '--config', moved, '--db', path.join(home, 'none.db')], { home }).stdout) as { url: string }[];
    expect(listed.map((f) => f.url)).toEqual([`file://${path.join(home, 'moved', 'feeds', 'gn.xml')}`, 'https://hnrss.org/frontpage']);
    const fetched = runCli(['fetch', '--config', moved, '--db', path.join(home, 'm.db'), '--quiet'], { home });
    expect(fetched.stderr).not.toContain('gn.xml');
    // a file outside the config's folder keeps its file:// URL (the other tests)
  });

  it('with no config yet, creates it (at the default path) holding just the feed', () => {
    const home = tempDir();
    const r = runCli(['feeds', 'add', GN], { home });
    expect(r.status, r.stderr).toBe(0);
    const config = path.join(home, '.config', 'momentscan', 'config.yaml');
    expect(r.stderr).toContain('the config did not exist and now holds just this feed (momentscan init writes a commented example)');
    expect(readFileSync(config, 'utf8')).toBe(`feeds:\n  - file://${GN}\n`);
    // an explicit --config that does not exist is an error, as for every command
    const missing = runCli(['feeds', 'add', GN, '--config', path.join(home, 'typo.yaml')], { home });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/typo\.yaml: config file not found — check the path, or create one with momentscan init\n$/);
  });

  it('checks a feed on a real server with one request, and says what it holds', async () => {
    const { home, config } = setup();
    const { startServer } = await import('../helpers/server.js');
    const server = await startServer({ '/feed.xml': (_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(readFileSync(GN)) });
    try {
      const url = server.url('/feed.xml');
      const r = await withTimeout(startCli(['feeds', 'add', url, '--topic', 'acme', '--json', '--config', config], { home }).exited, 30_000, 'feeds add');
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ added: true, url, topic: 'Acme Robotics', feedTitle: '"acme" - Google News', items: 3 });
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe('momentscan feeds remove', () => {
  const feedsDir = path.join(ROOT, 'fixtures', 'feeds');
  const config = (home: string) => {
    const file = path.join(home, 'momentscan.yaml');
    writeFileSync(
      file,
      `# mine\nfetch: { interval: 0s }\ntopics:\n  - name: Acme\n    keywords: [acme]\n    feeds:\n      - ${feedsDir}/google-news.rss.xml   # news\n      - { url: ${feedsDir}/bing-news.rss.xml, title: Bing Acme }\n    sources:\n      - hackernews\n  - name: Wire   # every item of its feed\n    feeds: [${feedsDir}/hnrss.rss.xml]\nfeeds:\n  - ${feedsDir}/jsonfeed.json\n`,
    );
    return file;
  };

  it('removes feeds by URL, path or title; their stored items stay; feeds list no longer shows them', () => {
    const home = tempDir();
    const cfg = config(home);
    const db = path.join(home, 'm.db');
    // the hackernews source is not reachable here: the local feeds are stored
    runCli(['fetch', '--config', cfg, '--db', db, '--quiet'], { home });
    const before = JSON.parse(runCli(['items', '--all', '--since', '3650d', '--json', '--config', cfg, '--db', db], { home }).stdout) as { feedUrl: string }[];
    const gn = pathToFileUrl(path.join(feedsDir, 'google-news.rss.xml'));
    expect(before.some((i) => i.feedUrl === gn)).toBe(true);
    const r = runCli(['feeds', 'remove', path.join(feedsDir, 'google-news.rss.xml'), 'bing acme', '--config', cfg, '--db', db], { home });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      `momentscan: removed ${gn} (topic Acme), ${pathToFileUrl(path.join(feedsDir, 'bing-news.rss.xml'))} (topic Acme); their stored items stay in the database and in the topics' history, and feeds list no longer shows them — ${cfg}\n`,
    );
    const text = readFileSync(cfg, 'utf8');
    expect(text).toContain('    keywords: [acme]\n    feeds: []\n    sources:\n      - hackernews\n  - name: Wire   # every item of its feed\n');
    const listed = JSON.parse(runCli(['feeds', '--json', '--config', cfg, '--db', db], { home }).stdout) as { url: string }[];
    expect(listed.map((f) => f.url)).not.toContain(gn);
    const after = JSON.parse(runCli(['items', '--all', '--since', '3650d', '--json', '--config', cfg, '--db', db], { home }).stdout) as { feedUrl: string }[];
    expect(after).toEqual(before);
  });

  it('all or none: one name no feed has, a title two feeds share, the last feed of a topic of whole feeds or a URL its sources build is a usage error', () => {
    const home = tempDir();
    const cfg = config(home);
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace(`  - ${feedsDir}/jsonfeed.json\n`, `  - { url: ${feedsDir}/jsonfeed.json, title: bing acme }\n`));
    const before = readFileSync(cfg, 'utf8');
    const hn = runCli(['feeds', '--json', '--config', cfg, '--db', path.join(home, 'none.db')], { home });
    const built = (JSON.parse(hn.stdout) as { url: string }[]).find((f) => f.url.startsWith('https://hnrss.org/'))!.url;
    for (const [args, message] of [
      [[path.join(feedsDir, 'jsonfeed.json'), 'nope'], 'momentscan: error: feeds remove: no configured feed is "nope" — give a URL or title as momentscan feeds list shows them; nothing was removed\n'],
      [['Bing Acme'], `momentscan: error: feeds remove: 2 feeds are titled "Bing Acme": ${pathToFileUrl(path.join(feedsDir, 'jsonfeed.json'))}, ${pathToFileUrl(path.join(feedsDir, 'bing-news.rss.xml'))} — give the URL of the one to remove; nothing was removed\n`],
      [[path.join(feedsDir, 'hnrss.rss.xml')], 'momentscan: error: feeds remove: topic Wire takes every item of its feeds, and this would leave it none — momentscan topics remove Wire removes the topic; nothing was removed\n'],
      [[built], `momentscan: error: feeds remove: ${built} is built from the sources: of topic Acme, not listed under feeds: — edit that topic's sources: in the config (momentscan topics remove removes the whole topic); nothing was removed\n`],
    ] as const) {
      const r = runCli(['feeds', 'remove', ...args, '--config', cfg], { home });
      expect(r.stderr).toBe(message);
      expect(r.status).toBe(2);
      expect(readFileSync(cfg, 'utf8')).toBe(before);
    }
    // a damaged database does not stop a feed named by its URL being removed (titles are looked up there only when needed)
    const damaged = path.join(home, 'damaged.db');
    writeFileSync(damaged, 'not a database');
    const byUrl = runCli(['feeds', 'remove', path.join(feedsDir, 'jsonfeed.json'), '--config', cfg, '--db', damaged], { home });
    expect(byUrl.status, byUrl.stderr).toBe(0);
    expect(readFileSync(cfg, 'utf8')).not.toContain('jsonfeed.json');
  });
});

function pathToFileUrl(p: string): string {
  return `file://${p}`;
}
