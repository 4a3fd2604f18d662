import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
// @ts-expect-error: the bench's feed generator is plain JavaScript
import { CLOCK_ISO as BENCH_CLOCK, renderFeed } from '../bench/feeds.mjs';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { startServer, type FixtureServer, type Handler } from '../helpers/server.js';
import { killAll, pollUntil, startCli, withTimeout } from '../helpers/spawn.js';
import { freshDatabase, optionsOf } from '../helpers/pg.js';
import { tempDir } from '../helpers/tmp.js';
import { SyncPg } from '../../src/store/pg/bridge.js';
import { openTerminal } from '../helpers/tmux.js';

// The database survives what users and cron do to a running fetch: kill -9, two fetches at once,
// Ctrl-C with slow feeds in flight. Every test runs the built CLI (async spawn, so the loopback server
// in this process keeps answering) against generated feeds, then inspects the SQLite file itself.

const ITEMS = 50;
const RSS = 'application/rss+xml; charset=utf-8';
const BASE = Date.UTC(2026, 10, 1, 12);

const feedPath = (i: number) => `/feeds/${String(i).padStart(4, '0')}.xml`;

/** Small deterministic RSS 2.0: unique guid and link per feed and item, "Acme" in every title. */
function rss(feed: number): string {
  const items: string[] = [];
  for (let j = 0; j < ITEMS; j++) {
    const published = new Date(BASE - (feed * ITEMS + j) * 60_000).toUTCString();
    items.push(`    <item>
      <title>Acme update ${feed}.${j}: warehouse robots ship on time</title>
      <link>https://news${feed % 7}.example/articles/${feed}/${j}</link>
      <guid isPermaLink="false">urn:momentscan-test:feed-${feed}:item-${j}</guid>
      <pubDate>${published}</pubDate>
      <description>Item ${j} of feed ${feed}. The company said the changes take effect next quarter.</description>
    </item>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>Test feed ${feed}</title>
    <link>https://news${feed % 7}.example/</link>
    <description>Generated for the integrity tests</description>
${items.join('\n')}
  </channel>
</rss>
`;
}

interface Feeds {
  /** Feed i's URL. */
  url: (i: number) => string;
  /** Paths requested, in arrival order, over every host. */
  requests: string[];
  close: () => Promise<void>;
}

/**
 * Serves feeds 0..n-1 from `hosts` loopback servers (feed i on host i % hosts: feeds come from many
 * sites, and the fetcher spaces out requests to any one host), with neither ETag nor Last-Modified
 * (so every run fetches everything again and must dedupe), each after `delayMs(i)`; a delayed
 * response is dropped when the client goes away.
 */
async function startFeeds(n: number, hosts: number, delayMs: (i: number) => number): Promise<Feeds> {
  const requests: string[] = [];
  const routes: Record<string, Handler> = {};
  for (let i = 0; i < n; i++) {
    const body = rss(i);
    routes[feedPath(i)] = (req, res) => {
      requests.push(req.url ?? '');
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': RSS });
        res.end(body);
      };
      const ms = delayMs(i);
      if (ms <= 0) return send();
      const timer = setTimeout(send, ms);
      res.on('close', () => clearTimeout(timer));
    };
  }
  const servers: FixtureServer[] = [];
  try {
    for (let h = 0; h < hosts; h++) servers.push(await startServer(routes));
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
  return {
    url: (i) => servers[i % hosts]!.url(feedPath(i)),
    requests,
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

function writeConfig(dir: string, feeds: Feeds, n: number, fetch = 'concurrency: 8'): string {
  const file = path.join(dir, 'momentscan.yaml');
  const list = Array.from({ length: n }, (_, i) => `      - ${feeds.url(i)}`).join('\n');
  writeFileSync(file, `fetch: {${fetch}}\ntopics:\n  - name: Acme\n    keywords: [acme]\n    feeds:\n${list}\n`);
  return file;
}

/** What a user would check after the fact: integrity, items per feed, item count vs distinct guids. */
function inspect(dbFile: string) {
  const db = new Database(dbFile, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    const perFeed = db.prepare('SELECT f.url AS url, count(i.id) AS n FROM feeds f LEFT JOIN items i ON i.feed_id = f.id GROUP BY f.id').all() as {
      url: string;
      n: number;
    }[];
    const totals = db.prepare('SELECT count(*) AS items, count(DISTINCT guid) AS guids FROM items').get() as { items: number; guids: number };
    const counts = new Map(perFeed.map((r) => [new URL(r.url).pathname, r.n]));
    // every item in a story that exists (a replay of stories runs with foreign keys off), and whether one is pending
    const orphans = (db.pragma('foreign_key_check') as unknown[]).length;
    const replayPending = db.prepare('SELECT replay_from FROM story_state').pluck().get() !== null;
    return { integrity, counts, withItems: perFeed.filter((r) => r.n > 0).length, orphans, replayPending, ...totals };
  } finally {
    db.close();
  }
}

/** Items committed so far, read while a fetch writes: read-only, and 0 while the file is not ready. */
function committedItems(dbFile: string): number {
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 200');
      return (db.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // no file yet, no schema yet, or SQLITE_BUSY for a moment: ask again
  }
}

function feedsWithItems(dbFile: string): number {
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 200');
      return (db.prepare('SELECT count(DISTINCT feed_id) AS n FROM items').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

const newItems = (stderr: string): number => {
  const m = /; ([\d,]+) new items?/.exec(stderr);
  if (!m) throw new Error(`no fetch summary in stderr:\n${stderr}`);
  return Number(m[1]!.replace(/,/g, ''));
};

let server: Feeds | undefined;
afterEach(async () => {
  await killAll(); // children first: the server must outlive every client
  await server?.close();
  server = undefined;
});

describe('the database survives a fetch being killed, doubled or interrupted', () => {
  it('kill -9 in the middle of a 300-feed ingest leaves a sound file with whole feeds only; a re-run completes it without duplicates', { timeout: 45_000 }, async () => {
    const FEEDS = 300;
    const KILLS = 3;
    const home = tempDir();
    const dbFile = path.join(home, 'm.db');
    // A per-feed refresh interval may make a quick re-run skip feeds as "not due": force when offered.
    const help = runCli(['fetch', '--help'], { home });
    expect(help.status).toBe(0);
    const force = /(^|\s)--force\b/m.test(help.stdout) ? ['--force'] : [];

    server = await startFeeds(FEEDS, 60, (i) => 5 + (i % 5) * 10);
    const config = writeConfig(home, server, FEEDS);
    const args = ['fetch', '--config', config, '--db', dbFile];

    // Killed several times, each time after ~10 more feeds were committed, so a kill has several
    // chances to land inside a feed's write. Every count a reader saw meanwhile is kept too.
    const seen: number[] = [];
    const probe = () => {
      const n = committedItems(dbFile);
      seen.push(n);
      return n;
    };
    let stored = 0;
    for (let k = 0; k < KILLS; k++) {
      const run = startCli(k === 0 ? args : [...args, ...force], { home });
      await pollUntil(probe, (n) => n >= stored + 10 * ITEMS, {
        timeoutMs: 10_000,
        what: `feeds to be saved before kill ${k + 1}`,
        stop: () => run.child.exitCode !== null,
      });
      run.child.kill('SIGKILL');
      const killed = await withTimeout(run.exited, 5_000, 'the killed fetch to exit');
      expect(killed.signal).toBe('SIGKILL'); // it was still running: the kill really landed mid-ingest

      const after = inspect(dbFile);
      expect(after.integrity).toBe('ok');
      expect(after.orphans).toBe(0);
      expect(after.withItems).toBeGreaterThan(stored / ITEMS);
      expect(after.withItems).toBeLessThan(FEEDS);
      const partial = [...after.counts].filter(([, n]) => n !== 0 && n !== ITEMS);
      expect(partial, `feeds saved by halves after kill ${k + 1}`).toEqual([]);
      expect(after.items).toBe(after.withItems * ITEMS);
      expect(after.guids).toBe(after.items);
      stored = after.items;
    }
    expect(seen.filter((n) => n % ITEMS !== 0), 'a reader saw a half-saved feed').toEqual([]);

    const again = await withTimeout(startCli([...args, ...force], { home }).exited, 25_000, 'the re-run to finish');
    expect(again.stderr).not.toMatch(/error|damaged|locked|busy/i);
    expect(again.status).toBe(0);
    expect(newItems(again.stderr)).toBe(FEEDS * ITEMS - stored); // exactly the missing items are new

    const done = inspect(dbFile);
    expect(done.integrity).toBe('ok');
    expect({ orphans: done.orphans, replayPending: done.replayPending }).toEqual({ orphans: 0, replayPending: false });
    expect({ items: done.items, guids: done.guids }).toEqual({ items: FEEDS * ITEMS, guids: FEEDS * ITEMS });
    expect([...done.counts.values()].filter((n) => n !== ITEMS)).toEqual([]);
    expect(done.counts.size).toBe(FEEDS);
  });

  it('two fetches at once on the same database (cron overlapping an analyst) both succeed and store each item once', { timeout: 30_000 }, async () => {
    const FEEDS = 100;
    const home = tempDir();
    const dbFile = path.join(home, 'm.db');
    // slow enough answers (about a second in all) that the two runs overlap even on a busy machine
    server = await startFeeds(FEEDS, 25, (i) => 30 + (i % 4) * 20);
    // interval 0s: each run fetches every feed, even one the other run fetched a moment ago
    // (with a refresh interval the later run would rightly skip those)
    const config = writeConfig(home, server, FEEDS, 'concurrency: 8, interval: 0s');
    const args = ['fetch', '--config', config, '--db', dbFile];

    const a = startCli(args, { home });
    const b = startCli(args, { home });
    const [ra, rb] = await withTimeout(Promise.all([a.exited, b.exited]), 25_000, 'both fetches to finish');

    for (const r of [ra, rb]) {
      expect(r.stderr).not.toMatch(/locked|busy|error/i);
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(/fetch: 100 feeds, 100 ok, 0 not modified, 0 failed/);
    }
    // they really overlapped: a feed was fetched the second time before the last feed was first fetched...
    const firstHit = new Set<string>();
    let lastFirst = -1;
    let firstSecond = -1;
    server.requests.forEach((p, k) => {
      if (!firstHit.has(p)) {
        firstHit.add(p);
        lastFirst = k;
      } else if (firstSecond < 0) firstSecond = k;
    });
    expect(firstSecond, 'the two fetches ran one after the other').toBeLessThan(lastFirst);
    // ...both fetched every feed...
    const hits = new Map<string, number>();
    for (const p of server.requests) hits.set(p, (hits.get(p) ?? 0) + 1);
    expect(hits.size).toBe(FEEDS);
    expect([...hits.values()].every((n) => n === 2)).toBe(true);
    // ...and every item was new to exactly one of them
    expect(newItems(ra.stderr) + newItems(rb.stderr)).toBe(FEEDS * ITEMS);

    const db = inspect(dbFile);
    expect(db.integrity).toBe('ok');
    expect({ orphans: db.orphans, replayPending: db.replayPending }).toEqual({ orphans: 0, replayPending: false });
    expect({ items: db.items, guids: db.guids }).toEqual({ items: FEEDS * ITEMS, guids: FEEDS * ITEMS });
    expect([...db.counts.values()].filter((n) => n !== ITEMS)).toEqual([]);
  });

  it('Ctrl-C with slow feeds in flight exits 130 within 3 s, says how many feeds were saved, and keeps them whole', { timeout: 30_000 }, async () => {
    const FEEDS = 40;
    const SLOW = new Set([0, 13, 27]);
    const home = tempDir();
    const dbFile = path.join(home, 'm.db');
    server = await startFeeds(FEEDS, 20, (i) => (SLOW.has(i) ? 10_000 : 5));
    const config = writeConfig(home, server, FEEDS, 'concurrency: 8, timeout: 30s');

    const run = startCli(['fetch', '--config', config, '--db', dbFile], { home });
    // every fast feed saved: only the slow ones are left, in flight
    await pollUntil(() => feedsWithItems(dbFile), (n) => n >= FEEDS - SLOW.size, {
      timeoutMs: 8_000,
      what: 'the fast feeds to be saved',
      stop: () => run.child.exitCode !== null,
    });
    const slowRequested = () => [...SLOW].every((i) => server!.requests.includes(feedPath(i)));
    await pollUntil(slowRequested, Boolean, { timeoutMs: 2_000, what: 'the slow feeds to be requested' });

    const signalledAt = Date.now();
    run.child.kill('SIGINT');
    const r = await withTimeout(run.exited, 5_000, 'the interrupted fetch to exit');
    expect(r.at - signalledAt).toBeLessThan(3_000);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(130);
    expect(r.stderr).toMatch(/interrupted/i);
    const saved = /(\d+) feeds? saved/.exec(r.stderr);
    expect(saved, `stderr says how many feeds were saved:\n${r.stderr}`).not.toBeNull();
    expect(Number(saved![1])).toBe(FEEDS - SLOW.size);

    const db = inspect(dbFile);
    expect(db.integrity).toBe('ok');
    for (const [p, n] of db.counts) expect(n, p).toBe(SLOW.has(Number(p.match(/(\d+)\.xml$/)![1])) ? 0 : ITEMS);
    expect(db.items).toBe((FEEDS - SLOW.size) * ITEMS);
  });
});

const FILES = 3;
const PER_FILE = 10_000;

/** Three feed files of 10,000 items each: a fetch of them ends with a replay of seconds, and its config. */
function bigFeedFiles(): { home: string; config: string; dbFile: string } {
  const home = tempDir();
  const dir = path.join(home, 'feeds');
  mkdirSync(dir);
  const urls: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const file = path.join(dir, `${i}.xml`);
    writeFileSync(file, renderFeed(i, PER_FILE));
    urls.push(pathToFileURL(file).href);
  }
  const config = path.join(home, 'momentscan.yaml');
  writeFileSync(config, `fetch: { maxBytes: 64MB }\ntopics:\n  - name: Acme\n    keywords: [acme]\nfeeds:\n${urls.map((u) => `  - ${u}`).join('\n')}\n`);
  return { home, config, dbFile: path.join(home, 'm.db') };
}

/** bigFeedFiles' feeds all saved whole in a sound file, and their story replay not done: pending for the next fetch. */
function expectReplayPending(dbFile: string): void {
  const db = new Database(dbFile, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare('SELECT count(*) FROM items').pluck().get()).toBe(FILES * PER_FILE);
    expect(db.prepare('SELECT replay_from FROM story_state').pluck().get()).not.toBeNull();
  } finally {
    db.close();
  }
}

describe('Ctrl-C during the story replay at the end of a fetch', () => {
  // The replay is one transaction: a Ctrl-C then was lost (nothing ran to handle it, and the handler was gone
  // once it ended): the fetch went on for seconds and exited 0. Now it is heard between the replay's batches:
  // the replay's transaction is rolled back, and the next fetch replays what was saved.
  it('ends the fetch at once (exit 130), keeps the saved feeds whole, and the next fetch puts their items into stories', { timeout: 120_000 }, async () => {
    const { home, config, dbFile } = bigFeedFiles();
    const env = { MOMENTSCAN_NOW: BENCH_CLOCK };
    const term = openTerminal({ width: 160, height: 10, home, cwd: home, env });
    term.run(`${process.execPath} ${BIN} fetch --config ${config} --db ${dbFile}`);
    await term.waitFor((s) => s.includes('putting the new items into stories'), 'the story replay to start', 90_000);
    term.keys('C-c');
    // the shell's prompt again (the fetch's summary would say all went well: it ran on and exited 0)
    await term.waitFor((s) => s.split('\n').filter((line) => line.startsWith('$')).length >= 2, 'the fetch to end', 60_000);
    term.run('echo "exit=$?"');
    const screen = await term.waitFor((s) => /exit=\d+/.test(s), 'its exit status');
    expect(screen).toContain('exit=130');
    // (heard between the replay's batches: said, and rolled back)
    expect(screen.replace(/\n/g, '')).toContain('momentscan: error: interrupted while putting the new items into stories: 3 feeds saved whole');

    // every feed saved whole; the replay not committed: it is still pending
    expectReplayPending(dbFile);
    const again = runCli(['fetch', '--config', config, '--db', dbFile], { home, env });
    expect(again.status, again.stderr).toBe(0);
    const after = new Database(dbFile, { readonly: true });
    try {
      expect(after.prepare('SELECT count(*) FROM items WHERE story_id IS NULL').pluck().get()).toBe(0);
      expect(after.prepare('SELECT replay_from FROM story_state').pluck().get()).toBeNull();
    } finally {
      after.close();
    }
  });
});

/** The items a fetch under way has saved so far (0 before it made the file). */
function savedItems(dbFile: string): number {
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT count(*) FROM items').pluck().get() as number;
    } finally {
      db.close();
    }
  } catch {
    return 0; // (not made yet)
  }
}

/** Whether a connection holds the file's write lock (the story replay's transaction, once every feed is saved). */
function writeLocked(dbFile: string): boolean {
  const db = new Database(dbFile, { timeout: 0 });
  try {
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
    return false;
  } catch {
    return true;
  } finally {
    db.close();
  }
}

describe('a signal during the story replay off a terminal (cron, a pipe)', () => {
  // Only a terminal was told of the replay, and the signal in it ended the process at once: from cron a SIGTERM
  // in it ended the fetch with not a word in the log (with --quiet, not even the replay's announcement).
  const interrupted =
    'momentscan: interrupted: stopping; feeds already fetched are saved (Ctrl-C again to quit now)\n' +
    'fetch: 3 feeds, 3 ok, 0 not modified, 0 failed, 0 skipped; 30,000 new items (interrupted while putting them into stories)\n' +
    'momentscan: error: interrupted while putting the new items into stories: 3 feeds saved whole; the next fetch puts their new items into stories — run momentscan fetch again (or let the next scheduled one run)\n';
  it('a replay of many items is announced in one line first (not with --quiet), and a SIGTERM in it is said: the replay rolled back, left to the next fetch, exit 130', { timeout: 120_000 }, async () => {
    const { home, config, dbFile } = bigFeedFiles();
    const run = startCli(['fetch', '--config', config, '--db', dbFile], { home, env: { MOMENTSCAN_NOW: BENCH_CLOCK } });
    const note = 'momentscan: putting 30,000 new items into stories: a signal now (Ctrl-C, SIGTERM) stops the fetch, the feeds stay saved and the next fetch does this again\n';
    await pollUntil(run.stderr, (s) => s.includes(note), { timeoutMs: 90_000, what: 'the story replay to be announced', stop: () => run.child.exitCode !== null });
    run.child.kill('SIGTERM');
    const r = await withTimeout(run.exited, 60_000, 'the fetch to end');
    expect(r.stderr).toBe(note + interrupted);
    expect(r.status).toBe(130);
    expectReplayPending(dbFile);
  });

  it('with --quiet, a SIGTERM in the replay is said all the same (it left no line at all)', { timeout: 120_000 }, async () => {
    const { home, config, dbFile } = bigFeedFiles();
    const run = startCli(['fetch', '--quiet', '--config', config, '--db', dbFile], { home, env: { MOMENTSCAN_NOW: BENCH_CLOCK } });
    // every feed saved, and the write lock held: the replay's transaction
    await pollUntil(() => savedItems(dbFile) === FILES * PER_FILE && writeLocked(dbFile), (replaying) => replaying, { timeoutMs: 90_000, intervalMs: 20, what: 'the story replay to start', stop: () => run.child.exitCode !== null });
    run.child.kill('SIGTERM');
    const r = await withTimeout(run.exited, 60_000, 'the fetch to end');
    expect(r.stderr).toBe(interrupted);
    expect(r.status).toBe(130);
    expectReplayPending(dbFile);
  });
});

describe('a signal during the story replay on PostgreSQL', () => {
  // It ended the process with no line (the replay ran in one synchronous transaction: no moment for the
  // signal's listener); now it is heard between the replay's batches, as on SQLite.
  it('is said as on SQLite: the replay rolled back, left to the next fetch, exit 130', { timeout: 180_000 }, async () => {
    const { home, config } = bigFeedFiles();
    const url = freshDatabase('replay');
    const run = startCli(['fetch', '--config', config, '--db', url], { home, env: { MOMENTSCAN_NOW: BENCH_CLOCK } });
    const note = 'momentscan: putting 30,000 new items into stories: a signal now (Ctrl-C, SIGTERM) stops the fetch, the feeds stay saved and the next fetch does this again\n';
    await pollUntil(run.stderr, (s) => s.includes(note), { timeoutMs: 150_000, what: 'the story replay to be announced', stop: () => run.child.exitCode !== null });
    run.child.kill('SIGTERM');
    const r = await withTimeout(run.exited, 60_000, 'the fetch to end');
    expect(r.stderr).toBe(
      note +
        'momentscan: interrupted: stopping; feeds already fetched are saved (Ctrl-C again to quit now)\n' +
        'fetch: 3 feeds, 3 ok, 0 not modified, 0 failed, 0 skipped; 30,000 new items (interrupted while putting them into stories)\n' +
        'momentscan: error: interrupted while putting the new items into stories: 3 feeds saved whole; the next fetch puts their new items into stories — run momentscan fetch again (or let the next scheduled one run)\n',
    );
    expect(r.status).toBe(130);
    const pg = SyncPg.connect(optionsOf(url));
    try {
      expect(Number((pg.query('SELECT count(*) AS n FROM items').rows[0] as { n: string }).n)).toBe(FILES * PER_FILE);
      expect((pg.query('SELECT replay_from FROM story_state').rows[0] as { replay_from: unknown }).replay_from).not.toBeNull();
    } finally {
      pg.close();
    }
  });
});

describe('Ctrl-C just before the story replay at the end of a fetch', () => {
  // A first Ctrl-C (or SIGTERM) while the last feed was in flight stopped the fetch, and then the replay of what
  // was saved ran all the same, seconds for a big fetch (80,000 items: 18 s), before the fetch ended. Now the
  // replay is left to the next fetch, as after a signal during it, and the fetch ends at once.
  it('leaves the replay to the next fetch and says so (exit 130), the feeds saved whole', { timeout: 120_000 }, async () => {
    const { home, config, dbFile } = bigFeedFiles();
    // one feed more, from a server that never answers: the fetch waits for it once the files are saved
    let asked = false;
    const slow = await startServer({ '/slow.xml': () => void (asked = true) });
    onTestFinished(async () => {
      await killAll();
      await slow.close();
    });
    writeFileSync(config, `${readFileSync(config, 'utf8').replace('fetch: { maxBytes: 64MB }', 'fetch: { maxBytes: 64MB, timeout: 300s, retries: 0 }')}  - ${slow.url('/slow.xml')}\n`);
    const run = startCli(['fetch', '--config', config, '--db', dbFile], { home, env: { MOMENTSCAN_NOW: BENCH_CLOCK } });
    await pollUntil(() => (asked ? savedItems(dbFile) : 0), (n) => n === FILES * PER_FILE, { timeoutMs: 90_000, intervalMs: 100, what: 'the files to be saved', stop: () => run.child.exitCode !== null });
    run.child.kill('SIGTERM');
    const r = await withTimeout(run.exited, 60_000, 'the fetch to end');
    expect(r.status, r.stderr).toBe(130);
    expect(r.stderr).toContain('momentscan: error: interrupted: 3 feeds saved (their new items are put into stories by the next fetch), the rest not fetched — run momentscan fetch again to fetch the rest\n');
    expect(r.stderr).not.toContain('putting 30,000 new items into stories');
    expectReplayPending(dbFile);
  });
});

describe('a write the system refuses', () => {
  it('under a file size limit (ulimit -f) fetch says disk I/O error and what to check, one line, exit 1; the next run works', () => {
    const home = tempDir();
    const dbFile = path.join(home, 'm.db');
    const sample = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, NO_COLOR: '1', MOMENTSCAN_NOW: '2026-11-20T12:00:00Z' };
    // (a shell sets the limit; SIGXFSZ is ignored by Node, so the write fails with EFBIG)
    const limited = spawnSync('sh', ['-c', `ulimit -f 40; exec "${process.execPath}" "${BIN}" fetch --config "${sample}" --db "${dbFile}"`], { env, encoding: 'utf8' });
    expect(limited.status).toBe(1);
    expect(limited.stderr).toMatch(
      /^momentscan: error: \S+m\.db: disk I\/O error \(SQLITE_IOERR\w*\) — check the disk: full, failing, or a file size limit \(ulimit -f\)\? What was saved before is intact: run again once that is fixed\n$/,
    );
    const again = runCli(['fetch', '--config', sample, '--db', dbFile], { home, env: { MOMENTSCAN_NOW: '2026-11-20T12:00:00Z' } });
    expect(again.status, again.stderr).toBe(0);
    expect(inspect(dbFile).integrity).toBe('ok');
  });
});

describe('a database another program holds a write transaction on', () => {
  it('a sqlite3 shell (or a DB browser) in a transaction: fetch says the database is busy and who may hold it, exit 1, nothing written', { timeout: 60_000 }, () => {
    const home = tempDir();
    const dbFile = path.join(home, 'm.db');
    const sample = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');
    const env = { MOMENTSCAN_NOW: '2026-11-20T12:00:00Z' };
    expect(runCli(['fetch', '--config', sample, '--db', dbFile, '--quiet'], { home, env }).status).toBe(0);
    const logRows = () => {
      const db = new Database(dbFile, { readonly: true });
      try {
        return db.prepare('SELECT count(*) FROM fetch_log').pluck().get();
      } finally {
        db.close();
      }
    };
    const before = logRows();
    const holder = new Database(dbFile);
    try {
      holder.exec('BEGIN EXCLUSIVE');
      holder.exec("UPDATE feeds SET title = title WHERE id = 1");
      const r = runCli(['fetch', '--force', '--config', sample, '--db', dbFile], { home, env });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `momentscan: error: ${dbFile}: database is busy: another program is writing to it — try again when it is done: another momentscan, or a sqlite3 shell or DB browser holding a transaction open (write or revert its changes)\n`,
      );
      holder.exec('ROLLBACK');
    } finally {
      holder.close();
    }
    expect(inspect(dbFile).integrity).toBe('ok');
    expect(logRows()).toBe(before);
  });

  it('a lock taken in the middle of a fetch and held past the busy timeout: one line saying how many feeds were saved and that the next fetch fetches the rest, exit 1', { timeout: 90_000 }, async () => {
    const FEEDS = 40;
    const FIRST = 10;
    const home = tempDir();
    const dbFile = path.join(home, 'm.db');
    // feeds 0..9 answer at once; the other 30 only once the lock is taken (a gate the test opens)
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const routes: Record<string, Handler> = {};
    for (let i = 0; i < FEEDS; i++) {
      const body = rss(i);
      routes[feedPath(i)] = (_req, res) => {
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(200, { 'content-type': RSS });
          res.end(body);
        };
        if (i < FIRST) send();
        else void gate.then(send);
      };
    }
    const servers: FixtureServer[] = [];
    try {
      for (let h = 0; h < FEEDS; h++) servers.push(await startServer(routes));
      const file = path.join(home, 'momentscan.yaml');
      const list = Array.from({ length: FEEDS }, (_, i) => `      - ${servers[i]!.url(feedPath(i))}`).join('\n');
      writeFileSync(file, `fetch: {concurrency: 16}\ntopics:\n  - name: Acme\n    keywords: [acme]\n    feeds:\n${list}\n`);
      const run = startCli(['fetch', '--quiet', '--config', file, '--db', dbFile], { home });
      await pollUntil(() => feedsWithItems(dbFile), (n) => n >= FIRST, { timeoutMs: 30_000, what: 'the first feeds to be saved', stop: () => run.child.exitCode !== null });
      const holder = new Database(dbFile);
      try {
        holder.exec('BEGIN IMMEDIATE');
        open();
        const r = await withTimeout(run.exited, 60_000, 'the fetch to give up on the lock');
        expect(r.status).toBe(1);
        expect(r.stderr).toBe(
          `momentscan: error: ${dbFile}: database is busy: another program is writing to it (${FIRST} of ${FEEDS} feeds saved before that; the next fetch fetches the other ${FEEDS - FIRST}) — try again when it is done: another momentscan, or a sqlite3 shell or DB browser holding a transaction open (write or revert its changes)\n`,
        );
        holder.exec('ROLLBACK');
      } finally {
        holder.close();
      }
      const after = inspect(dbFile);
      expect(after.integrity).toBe('ok');
      expect(after.withItems).toBe(FIRST);
      expect(after.items).toBe(FIRST * ITEMS);
    } finally {
      open();
      await killAll();
      await Promise.all(servers.map((s) => s.close()));
    }
  });
});
