import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SyncPg } from '../../src/store/pg/bridge.js';
import { WRITER_LOCK } from '../../src/store/pg/db.js';
import { BIN, runCli } from '../helpers/cli.js';
import { freshDatabase, optionsOf } from '../helpers/pg.js';
import { tempDir } from '../helpers/tmp.js';

/** Loopback hosts, each its own server: 127.0.0.1 … 127.0.0.5 (all of 127/8 is loopback). */
const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
const PER_HOST = 2;
/**
 * How much closer than fetch.hostDelay two requests may arrive at a host: the workers are let through on the
 * database server's clock, and a request arrives a moment later, a scheduling slice or two of its process on
 * a busy machine (measured here, load 11 on 2 cores: a median of 15 ms, at worst 250 ms; the full suite beside
 * four other test runs, load 7–11, once saw more). Half the delay the test asks for: workers keeping the delay each on
 * their own would start requests together, 0 ms apart, far below it.
 */
const TOLERANCE_MS = 500;

interface Farm {
  urls: string[];
  /** Requests per path. */
  hits: Map<string, number>;
  /** The most requests in flight at once, per host. */
  peak: Map<string, number>;
  /** When each request to a host arrived (performance.now() of this process), per host. */
  starts: Map<string, number[]>;
  close(): Promise<void>;
}

/**
 * `feeds` RSS feeds of three items each, spread over the hosts; each answer takes `delayMs` (or never comes, for
 * `hang`), counted from when `gate()` resolves, asked per request (at once without one).
 */
async function farm(feeds: number, delayMs: number, hang: (n: number) => boolean = () => false, gate: () => Promise<void> = () => Promise.resolve()): Promise<Farm> {
  const hits = new Map<string, number>();
  const peak = new Map<string, number>();
  const starts = new Map<string, number[]>(HOSTS.map((h) => [h, []]));
  const servers: Server[] = [];
  const bases: string[] = [];
  for (const host of HOSTS) {
    let inFlight = 0;
    const server = createServer((req, res) => {
      starts.get(host)!.push(performance.now());
      const n = Number(/\/f(\d+)\.xml$/.exec(req.url ?? '')?.[1] ?? -1);
      hits.set(req.url!, (hits.get(req.url!) ?? 0) + 1);
      inFlight++;
      peak.set(host, Math.max(peak.get(host) ?? 0, inFlight));
      res.on('close', () => inFlight--);
      if (hang(n)) return; // never answers: the worker fetching it is killed meanwhile
      const items = [0, 1, 2]
        .map((i) => `<item><guid>f${n}-${i}</guid><title>Acme news ${n}-${i}: unit ${n * 3 + i} ships</title><link>http://news.example/${n}/${i}</link><pubDate>${new Date(Date.UTC(2026, 10, 19, i, n % 60)).toUTCString()}</pubDate></item>`)
        .join('');
      void gate().then(() =>
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/rss+xml' });
          res.end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Feed ${n}</title><link>http://news.example/</link>${items}</channel></rss>`);
        }, delayMs),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    servers.push(server);
    bases.push(`http://${host}:${(server.address() as AddressInfo).port}`);
  }
  const urls = Array.from({ length: feeds }, (_, n) => `${bases[n % bases.length]}/f${n}.xml`);
  return {
    urls,
    hits,
    peak,
    starts,
    close: async () => {
      for (const s of servers) s.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}

function config(dir: string, urls: string[], manners: { perHost?: number; hostDelay?: string; timeout?: string } = {}): string {
  const file = path.join(dir, 'workers.yaml');
  writeFileSync(
    file,
    [
      'fetch:',
      '  concurrency: 8',
      `  perHost: ${manners.perHost ?? PER_HOST}`,
      `  hostDelay: ${manners.hostDelay ?? '0s'}`,
      '  interval: 1h',
      '  retries: 0',
      `  timeout: ${manners.timeout ?? '60s'}`,
      'topics:',
      '  - name: Acme',
      '    keywords: [acme]',
      'feeds:',
      ...urls.map((u) => `  - ${u}`),
      '',
    ].join('\n'),
  );
  return file;
}

/** A home, the config of these feeds and a new database with its schema set up (so that workers start on equal terms). */
function team(urls: string[], manners: Parameters<typeof config>[2] = {}): { home: string; cfg: string; db: string } {
  const home = tempDir();
  const cfg = config(home, urls, manners);
  const db = freshDatabase('workers');
  expect(runCli(['topics', '--config', cfg, '--db', db], { home }).status).toBe(0);
  return { home, cfg, db };
}

/** A worker process, started now; resolves with its exit status and stderr. */
function worker(cfg: string, db: string, home: string, more: string[] = [], env: Record<string, string> = {}): { pid: number; done: Promise<{ status: number | null; stderr: string }>; kill(): void; stderr(): string } {
  const child = spawn(process.execPath, [BIN, 'fetch', '--worker', '--config', cfg, '--db', db, ...more], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ status: number | null; stderr: string }>((resolve) => child.on('close', (status) => resolve({ status, stderr })));
  return { pid: child.pid!, done, kill: () => child.kill('SIGKILL'), stderr: () => stderr };
}

const fetchedBy = (stderr: string): number => Number(/fetch: (\d+) feeds?, (\d+) ok/.exec(stderr)?.[2] ?? -1);

/** How many feeds the store has saved (fetch_log 'ok' rows). */
const savedFeeds = (pg: SyncPg): number => (pg.query("SELECT count(*) AS n FROM fetch_log WHERE status = 'ok'").rows[0] as { n: number }).n;

/**
 * A worker started on 40 feeds of which 0-4 (one per host) hang until `release()`: returned once it hangs on
 * those five and has saved all else it could (or after a minute), with a connection to its database.
 */
async function hangingWorker() {
  const state = { hung: true };
  const f = await farm(40, 5, (n) => n < 5 && state.hung);
  farms.push(f);
  const { home, cfg, db } = team(f.urls);
  const a = worker(cfg, db, home);
  const pg = SyncPg.connect(optionsOf(db));
  let last = -1;
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = savedFeeds(pg);
    if (now === last && [0, 1, 2, 3, 4].every((n) => f.hits.has(`/f${n}.xml`))) break;
    last = now;
  }
  return { home, cfg, db, a, pg, release: () => (state.hung = false) };
}

let farms: Farm[] = [];
afterEach(async () => {
  await Promise.all(farms.map((f) => f.close()));
  farms = [];
});

describe('fetch --worker: several workers share one PostgreSQL database', () => {
  it.each([2, 4])('%i workers fetch 500 feeds: every feed once, every item stored once, never more than the per-host limit at a host', async (n) => {
    const f = await farm(500, 15);
    farms.push(f);
    const { home, cfg, db } = team(f.urls);
    const runs = await Promise.all(Array.from({ length: n }, () => worker(cfg, db, home).done));
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    const counts = runs.map((r) => fetchedBy(r.stderr));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(500);
    expect(counts.filter((c) => c > 0).length).toBeGreaterThanOrEqual(2);
    expect(f.hits.size).toBe(500);
    expect([...f.hits.values()].every((h) => h === 1)).toBe(true);
    for (const host of HOSTS) expect(f.peak.get(host)!).toBeLessThanOrEqual(PER_HOST);
    const pg = SyncPg.connect(optionsOf(db));
    try {
      expect(pg.query('SELECT count(*) AS items, count(DISTINCT guid) AS guids FROM items').rows[0]).toEqual({ items: 1500, guids: 1500 });
      expect(pg.query("SELECT count(*) AS n FROM fetch_log WHERE status = 'ok'").rows[0]).toEqual({ n: 500 });
      expect(pg.query('SELECT count(*) AS n FROM item_topics').rows[0]).toEqual({ n: 1500 });
      expect(pg.query('SELECT sum(items) AS n FROM topic_quarters').rows[0]).toEqual({ n: 1500 });
      expect(pg.query('SELECT count(*) AS n FROM feeds WHERE leased_until IS NOT NULL').rows[0]).toEqual({ n: 0 });
      // a second round finds nothing due
      const again = await worker(cfg, db, home).done;
      expect(again.status).toBe(0);
      expect(fetchedBy(again.stderr)).toBe(0);
    } finally {
      pg.close();
    }
  }, 300_000); // hundreds of loopback fetches by several processes: a minute or more on a loaded machine

  it('a worker killed (kill -9) mid-lease loses only its leases: another fetches its feeds once they expire, nothing lost or doubled', async () => {
    // feeds 0-4 (one per host) hang: the first worker claims them and is killed while waiting on them, once it
    // has saved all else it could
    const { home, cfg, db, a, pg, release } = await hangingWorker();
    try {
      const ok = () => savedFeeds(pg);
      a.kill();
      expect((await a.done).status).toBe(null);
      const savedByA = ok();
      const held = (pg.query('SELECT count(*) AS n FROM feeds WHERE leased_until IS NOT NULL').rows[0] as { n: number }).n;
      expect(held).toBeGreaterThanOrEqual(5); // the five it hangs on, and any fetched but not yet saved
      // status says who holds them and until when
      const owner = (pg.query('SELECT DISTINCT lease_owner AS o FROM feeds WHERE leased_until IS NOT NULL').rows[0] as { o: string }).o;
      const until = (pg.query('SELECT max(leased_until) AS u FROM feeds').rows[0] as { u: number }).u;
      const status = runCli(['status', '--config', cfg, '--db', db], { home });
      // (its lines wrapped under their labels)
      expect(status.stdout.replace(/\n {10}/g, ' ')).toContain(
        `workers   ${held} feeds claimed by fetch --worker ${owner} until ${new Date(until).toISOString().slice(0, 16).replace('T', ' ')} UTC; a worker that is gone (kill -9, a host down) holds its feeds until then, then another fetches them\n`,
      );
      expect((JSON.parse(runCli(['status', '--json', '--config', cfg, '--db', db], { home }).stdout) as { feeds: { claimed: unknown } }).feeds.claimed).toEqual({
        feeds: held,
        owners: [owner],
        until: new Date(until).toISOString().replace(/\.\d+Z$/, 'Z'),
      });
      release();
      // its leases hold: another worker fetches the rest and leaves those five alone
      // its per-host request slots expire too (moved to the past here): the others may use them again
      pg.query('UPDATE host_slots SET leased_until = 1 WHERE leased_until IS NOT NULL');
      const b = await worker(cfg, db, home).done;
      expect(b.status, b.stderr).toBe(0);
      expect(fetchedBy(b.stderr)).toBe(40 - savedByA - held);
      // once they expire (moved to the past here, rather than waiting minutes), the next worker takes them
      pg.query('UPDATE feeds SET leased_until = 1 WHERE leased_until IS NOT NULL');
      const c = await worker(cfg, db, home).done;
      expect(c.status, c.stderr).toBe(0);
      expect(fetchedBy(c.stderr)).toBe(held);
      expect(runCli(['status', '--config', cfg, '--db', db], { home }).stdout).not.toMatch(/^workers /m);
      expect(pg.query('SELECT count(*) AS items, count(DISTINCT guid) AS guids FROM items').rows[0]).toEqual({ items: 120, guids: 120 });
      expect(pg.query("SELECT count(DISTINCT feed_id) AS feeds, count(*) AS saves FROM fetch_log WHERE status = 'ok'").rows[0]).toEqual({ feeds: 40, saves: 40 });
    } finally {
      pg.close();
    }
  }, 300_000);

  it('a worker whose clock runs ahead leaves alone the feeds a live worker holds: leases are on the server\'s clock', async () => {
    // feeds 0-4 (one per host) hang: the first worker holds them, alive, for its 5-minute leases
    const { home, cfg, db, a, pg, release } = await hangingWorker();
    try {
      const savedByA = savedFeeds(pg);
      const held = (pg.query('SELECT count(*) AS n FROM feeds WHERE leased_until IS NOT NULL').rows[0] as { n: number }).n;
      expect(held).toBeGreaterThanOrEqual(5);
      // a worker on a host whose clock is 10 minutes ahead fetches the rest and leaves those five alone
      const ahead = new Date(Date.now() + 10 * 60_000).toISOString();
      const b = await worker(cfg, db, home, [], { MOMENTSCAN_NOW: ahead }).done;
      expect(b.status, b.stderr).toBe(0);
      expect(fetchedBy(b.stderr)).toBe(40 - savedByA - held);
      for (const n of [0, 1, 2, 3, 4]) expect(farms[0]!.hits.get(`/f${n}.xml`)).toBe(1);
      // and status, run there, still says they are claimed
      const status = JSON.parse(runCli(['status', '--json', '--config', cfg, '--db', db], { home, env: { MOMENTSCAN_NOW: ahead } }).stdout) as { feeds: { claimed: { feeds: number } | null } };
      const stillHeld = (pg.query('SELECT count(*) AS n FROM feeds WHERE leased_until IS NOT NULL').rows[0] as { n: number }).n;
      expect(stillHeld).toBeGreaterThanOrEqual(5);
      expect(status.feeds.claimed?.feeds).toBe(stillHeld);
      // the first worker, stopped, gives them back; the next run fetches them, each once in all
      process.kill(a.pid, 'SIGINT');
      expect((await a.done).status).toBe(130);
      release();
      const c = await worker(cfg, db, home).done;
      expect(c.status, c.stderr).toBe(0);
      expect(fetchedBy(c.stderr)).toBe(stillHeld);
      expect(pg.query('SELECT count(*) AS items, count(DISTINCT guid) AS guids FROM items').rows[0]).toEqual({ items: 120, guids: 120 });
      expect(pg.query("SELECT count(DISTINCT feed_id) AS feeds, count(*) AS saves FROM fetch_log WHERE status = 'ok'").rows[0]).toEqual({ feeds: 40, saves: 40 });
    } finally {
      pg.close();
    }
  }, 300_000);

  it("Ctrl-C while a worker waits for another session's save (the writer lock) is heard at once: it says it is stopping, and ends once the save is done", async () => {
    const f = await farm(8, 1_000);
    farms.push(f);
    const { home, cfg, db } = team(f.urls);
    const a = worker(cfg, db, home);
    const holder = SyncPg.connect(optionsOf(db));
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 600 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
    };
    try {
      // its requests are out (its set-up done); another session's long save takes the writer lock meanwhile
      await until(() => f.hits.size > 0);
      holder.query('BEGIN');
      holder.query(`SELECT pg_advisory_xact_lock(${WRITER_LOCK})`);
      // the worker's save comes to wait for it (after its first tries)
      const waiting = () => (holder.query("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").rows[0] as { n: number }).n > 0;
      await until(waiting);
      expect(waiting()).toBe(true);
      process.kill(a.pid, 'SIGINT');
      // heard while the lock is still held
      await until(() => a.stderr().includes('interrupted'));
      expect(a.stderr()).toContain('momentscan: interrupted: stopping; feeds already fetched are saved (Ctrl-C again to quit now)');
      holder.query('COMMIT');
      const stopped = await a.done;
      expect(stopped.status, stopped.stderr).toBe(130);
    } finally {
      holder.close();
    }
  }, 120_000);

  it('a worker stopped with Ctrl-C (SIGINT) gives back the feeds it had not saved: the next run fetches them at once', async () => {
    // feeds 0-4 (one per host) hang: the worker is interrupted while waiting on them
    const { home, cfg, db, a, pg, release } = await hangingWorker();
    try {
      const ok = () => savedFeeds(pg);
      process.kill(a.pid, 'SIGINT');
      const stopped = await a.done;
      expect(stopped.status, stopped.stderr).toBe(130);
      const savedByA = ok();
      expect(savedByA).toBeLessThan(40);
      expect(pg.query('SELECT count(*) AS n FROM feeds WHERE leased_until IS NOT NULL').rows[0]).toEqual({ n: 0 });
      release();
      // what it said to do works: the next run fetches the rest, the five included, each once
      const b = await worker(cfg, db, home).done;
      expect(b.status, b.stderr).toBe(0);
      expect(fetchedBy(b.stderr)).toBe(40 - savedByA);
      expect(pg.query('SELECT count(*) AS items, count(DISTINCT guid) AS guids FROM items').rows[0]).toEqual({ items: 120, guids: 120 });
      expect(pg.query("SELECT count(DISTINCT feed_id) AS feeds, count(*) AS saves FROM fetch_log WHERE status = 'ok'").rows[0]).toEqual({ feeds: 40, saves: 40 });
    } finally {
      pg.close();
    }
  }, 300_000);

  it.each([2, 4])('%i workers keep fetch.hostDelay between the starts of any two requests to one host, whichever worker makes them; every feed fetched once', async (n) => {
    const delay = 1000;
    const f = await farm(40, 5);
    farms.push(f);
    const { home, cfg, db } = team(f.urls, { hostDelay: `${delay}ms` });
    const runs = await Promise.all(Array.from({ length: n }, () => worker(cfg, db, home).done));
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    const counts = runs.map((r) => fetchedBy(r.stderr));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(40);
    expect(counts.filter((c) => c > 0).length).toBeGreaterThanOrEqual(2);
    expect(f.hits.size).toBe(40);
    expect([...f.hits.values()].every((h) => h === 1)).toBe(true);
    for (const host of HOSTS) {
      const t = [...f.starts.get(host)!].sort((a, b) => a - b);
      expect(t.length).toBe(8);
      const gaps = t.slice(1).map((x, i) => x - t[i]!);
      const said = `gaps at ${host}: ${gaps.map(Math.round).join(', ')} ms`;
      // workers each keeping the delay on their own would start together (0 ms apart) and ask n times as often
      expect(Math.min(...gaps), said).toBeGreaterThanOrEqual(delay - TOLERANCE_MS);
      expect(t.at(-1)! - t[0]!, said).toBeGreaterThanOrEqual(7 * delay - TOLERANCE_MS);
    }
  }, 300_000);

  it('a worker killed (kill -9) mid-request holds its host slot only about one request timeout: another worker gets the host soon after', async () => {
    let hungUp = true;
    // ten feeds, all on 127.0.0.1, one request at a time there; the first never answers while hungUp
    const f = await farm(50, 5, (n) => n === 0 && hungUp);
    farms.push(f);
    const urls = f.urls.filter((_, n) => n % HOSTS.length === 0);
    const { home, cfg, db } = team(urls, { perHost: 1, timeout: '2s' });
    const a = worker(cfg, db, home);
    for (let i = 0; i < 1200 && !f.hits.has('/f0.xml'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(f.hits.get('/f0.xml')).toBe(1);
    a.kill();
    const killedAt = performance.now();
    expect((await a.done).status).toBe(null);
    const pg = SyncPg.connect(optionsOf(db));
    try {
      expect(pg.query('SELECT count(*) AS n FROM host_slots WHERE leased_until IS NOT NULL').rows[0]).toEqual({ n: 1 });
      // its feed leases last minutes (a live worker's feed may take several tries): moved to the past here, so
      // that only the host's slot stands in the next worker's way
      pg.query('UPDATE feeds SET leased_until = 1 WHERE leased_until IS NOT NULL');
      hungUp = false;
      const b = await worker(cfg, db, home).done;
      expect(b.status, b.stderr).toBe(0);
      expect(fetchedBy(b.stderr)).toBe(10);
      const after = f.starts.get('127.0.0.1')!.filter((t) => t > killedAt);
      expect(after.length).toBe(10);
      const waited = Math.min(...after) - killedAt;
      // not before the dead worker's request could have timed out (2 s: till then it might have been alive),
      // and soon after (its slot's lease: the timeout and a 5 s margin), not the feed lease's minutes
      expect(waited).toBeGreaterThan(2_000);
      expect(waited).toBeLessThan(2_000 + 5_000 + 4_000);
      expect(pg.query('SELECT count(*) AS items, count(DISTINCT guid) AS guids FROM items').rows[0]).toEqual({ items: 30, guids: 30 });
      expect(pg.query("SELECT count(DISTINCT feed_id) AS feeds, count(*) AS saves FROM fetch_log WHERE status = 'ok'").rows[0]).toEqual({ feeds: 10, saves: 10 });
      expect(pg.query('SELECT count(*) AS n FROM host_slots WHERE leased_until IS NOT NULL').rows[0]).toEqual({ n: 0 });
    } finally {
      pg.close();
    }
  }, 300_000);

  it('a worker stopped by a lock another session holds gives back the feeds it claimed: the next run fetches them at once', async () => {
    let open = (): void => undefined;
    const gate = new Promise<void>((r) => (open = r));
    const f = await farm(20, 5, () => false, () => gate);
    farms.push(f);
    const { home, cfg, db } = team(f.urls);
    const a = worker(cfg, db, home);
    // its first requests are in (the answers held back): then a psql-like session locks the items table
    for (let i = 0; i < 600 && f.hits.size === 0; i++) await new Promise((r) => setTimeout(r, 100));
    const holder = SyncPg.connect(optionsOf(db));
    const pg = SyncPg.connect(optionsOf(db));
    try {
      holder.query('BEGIN');
      holder.query('LOCK TABLE items IN ACCESS EXCLUSIVE MODE');
      open();
      const r = await a.done; // (after the 15 s lock timeout)
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/: database is busy: another session holds a lock momentscan needs \(canceling statement due to lock timeout\) \(no feed saved; the next fetch fetches the rest\) — try again when it is done/);
      expect(pg.query('SELECT count(*) AS n FROM feeds WHERE leased_until IS NOT NULL').rows[0]).toEqual({ n: 0 });
      holder.query('ROLLBACK');
      const b = await worker(cfg, db, home).done;
      expect(b.status, b.stderr).toBe(0);
      expect(fetchedBy(b.stderr)).toBe(20);
    } finally {
      holder.close();
      pg.close();
    }
  }, 300_000);

  /**
   * Two `fetch --worker --force` runs over 30 feeds fetched once before, their answers held until both have
   * claimed feeds; `staggered`: the second starts once the first's requests are out, and what it asks is
   * answered 2 s after the rest, so that the first has saved (and let go of) its feeds before the second asks
   * for its next batch. Requests per feed, and feeds fetched by both together.
   */
  async function forcedPair(staggered: boolean): Promise<{ hits: number[]; fetched: number }> {
    let forcedGate: Promise<void> = Promise.resolve();
    let late = false;
    // (the first run's answers go at once; the forced run's wait for forcedGate)
    const f = await farm(30, 5, () => false, () => (late ? forcedGate.then(() => new Promise((r) => setTimeout(r, 2_000))) : forcedGate));
    farms.push(f);
    const home = tempDir();
    const cfg = config(home, f.urls);
    const db = freshDatabase('workers');
    expect((await worker(cfg, db, home).done).status).toBe(0);
    let open = (): void => undefined;
    forcedGate = new Promise<void>((resolve) => (open = resolve));
    const running = [worker(cfg, db, home, ['--force'])];
    if (staggered) {
      const asked = (): number => [...f.hits.values()].filter((n) => n === 2).length;
      for (let i = 0; i < 2400 && asked() < 8; i++) await new Promise((r) => setTimeout(r, 25));
      expect(asked()).toBeGreaterThanOrEqual(8);
      late = true;
    }
    running.push(worker(cfg, db, home, ['--force']));
    const pg = SyncPg.connect(optionsOf(db));
    try {
      for (let i = 0; i < 2400; i++) {
        const owners = pg.query('SELECT count(DISTINCT lease_owner) AS n FROM feeds WHERE leased_until IS NOT NULL').rows[0] as { n: number };
        if (owners.n >= 2) break;
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      pg.close();
      open();
    }
    const forced = await Promise.all(running.map((w) => w.done));
    for (const r of forced) expect(r.status, r.stderr).toBe(0);
    return { hits: [...f.hits.values()], fetched: forced.map((r) => fetchedBy(r.stderr)).reduce((a, b) => a + b, 0) };
  }

  it('--force: the workers fetch every feed again, each once, and stop', async () => {
    // both runs begin before any feed is saved (a worker's --force fetches each feed not fetched since its own
    // start: a second worker starting seconds late on a busy machine would fetch again what the first saved
    // before it started)
    const { hits, fetched } = await forcedPair(false);
    expect(fetched).toBe(30);
    expect(hits).toEqual(Array(30).fill(2));
  }, 300_000);

  it('--force: a worker started while another one\'s requests are out does not fetch those feeds again', async () => {
    // a second host whose cron runs a little later: a fetch under way when it started is this run's too
    const { hits, fetched } = await forcedPair(true);
    expect(hits).toEqual(Array(30).fill(2));
    expect(fetched).toBe(30);
  }, 300_000);

  it('--worker on a SQLite file is a usage error', () => {
    const home = tempDir();
    const r = runCli(['fetch', '--worker', '--config', config(home, ['http://127.0.0.1:9/x.xml']), '--db', path.join(home, 'm.db')], { home });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^momentscan: error: --worker: workers share one PostgreSQL database/);
  });
});
