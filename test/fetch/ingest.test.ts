import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { ingest } from '../../src/ingest/run.js';
import { SqliteStore, Store } from '../../src/store/store.js';
import { StoreError } from '../../src/core/errors.js';
import { serve, startServer, type FixtureServer, type Handler } from '../helpers/server.js';
import { tempDir } from '../helpers/tmp.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../../fixtures/feeds', name));
const RSS = 'application/rss+xml; charset=utf-8';

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function setup(feeds: string[], extra = '', fetch = 'timeout: 2s, maxBytes: 64KB, interval: 0s, retries: 0, hostDelay: 0s') {
  const dir = tempDir();
  const config = parseConfigText(
    `fetch: {${fetch}}
topics:
  - name: Acme
    keywords: [acme]
    feeds: [${feeds.map((f) => JSON.stringify(f)).join(', ')}]
  - name: Zurich
    keywords: [zürich]
  - name: P&G
    keywords: [procter & gamble]
${extra}`,
    path.join(dir, 'momentscan.yaml'),
  );
  const store = Store.open(path.join(dir, 'm.db'));
  return { config, store, run: (force = false) => ingest(config, store, { now: () => Date.now(), force }) };
}

function countItems(store: SqliteStore): number {
  return (store.db.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n;
}

describe('ingest from a real HTTP server', () => {
  it('fetches, then re-fetches with the ETag: 304 costs nothing and adds nothing', async () => {
    server = await startServer({ '/news.rss': serve(fixture('google-news.rss.xml'), { 'content-type': RSS, etag: '"abc"' }) });
    const { store, run } = setup([server.url('/news.rss')]);
    const first = await run();
    expect(first.feeds[0]).toMatchObject({ status: 'ok', httpStatus: 200, itemsNew: 3 });
    const second = await run();
    expect(second.feeds[0]).toMatchObject({ status: 'not-modified', httpStatus: 304, itemsNew: 0 });
    expect(server.requests[1]!.headers['if-none-match']).toBe('"abc"');
    expect(server.requests[0]!.headers['user-agent']).toMatch(/^momentscan\/\d+\.\d+\.\d+/);
    expect(countItems(store)).toBe(3);
    const titles = store.db.prepare('SELECT title, source FROM items ORDER BY published_at').all();
    expect(titles).toContainEqual({ title: 'Acme shares jump after record quarter', source: 'The Daily Ledger' });
  });

  it('decodes a latin-1 feed by its header charset', async () => {
    server = await startServer({ '/de.rss': serve(fixture('latin1.rss.xml'), { 'content-type': 'application/rss+xml; charset=ISO-8859-1' }) });
    const { store, run } = setup([server.url('/de.rss')]);
    const out = await run();
    expect(out.feeds[0]).toMatchObject({ status: 'ok', title: 'Nachrichten aus Zürich' });
    const row = store.db.prepare("SELECT i.title FROM items i JOIN item_topics t ON t.item_id = i.id JOIN topics p ON p.id = t.topic_id WHERE p.name = 'Zurich'").get() as { title: string };
    expect(row.title).toBe('Café in Zürich reopens after façade repairs');
  });

  it('keeps a feed with a bare & instead of rejecting it', async () => {
    server = await startServer({ '/amp.rss': serve(fixture('bare-ampersand.rss.xml'), { 'content-type': RSS }) });
    const { store, run } = setup([server.url('/amp.rss')]);
    const out = await run();
    expect(out.feeds[0]!.status).toBe('ok');
    const titles = (store.db.prepare('SELECT title FROM items').all() as { title: string }[]).map((r) => r.title);
    expect(titles.some((t) => t.startsWith('Procter & Gamble raises guidance'))).toBe(true);
  });

  it('reports a 500 and a dead host while the other feeds still land', async () => {
    server = await startServer({
      '/ok.rss': serve(fixture('google-news.rss.xml'), { 'content-type': RSS }),
      '/gz.rss': serve(gzipSync(fixture('bare-ampersand.rss.xml')), { 'content-type': RSS, 'content-encoding': 'gzip' }),
      '/broken.rss': serve('oops', { 'content-type': 'text/plain' }, 500),
    });
    const { store, run } = setup([server.url('/broken.rss'), server.url('/ok.rss'), 'http://127.0.0.1:9/refused.rss', server.url('/gz.rss')]);
    const out = await run();
    const byUrl = Object.fromEntries(out.feeds.map((f) => [new URL(f.url).pathname, f]));
    expect(byUrl['/broken.rss']).toMatchObject({ status: 'failed', httpStatus: 500 });
    expect(byUrl['/broken.rss']!.error).toMatch(/^HTTP 500 Internal Server Error/);
    expect(byUrl['/refused.rss']!.error).toMatch(/^connection refused by 127\.0\.0\.1:9/);
    expect(byUrl['/ok.rss']).toMatchObject({ status: 'ok', itemsNew: 3 });
    expect(byUrl['/gz.rss']).toMatchObject({ status: 'ok' });
    expect(countItems(store)).toBeGreaterThan(3);
    const failed = store.db.prepare("SELECT count(*) AS n FROM fetch_log WHERE status = 'failed'").get() as { n: number };
    expect(failed.n).toBe(2);
  });

  it('stops asking a host that refused three feeds in a row, and keeps fetching the other hosts', async () => {
    server = await startServer({ '/ok.rss': serve(fixture('google-news.rss.xml'), { 'content-type': RSS }) });
    // 20 feeds on a port nothing listens on (port 9, discard), then a working feed on another host
    const dead = Array.from({ length: 20 }, (_, i) => `http://127.0.0.1:9/feed-${i}.rss`);
    const { store, run } = setup([...dead, server.url('/ok.rss')], '', 'timeout: 2s, interval: 0s, retries: 1, hostDelay: 0s, concurrency: 2, perHost: 2');
    const out = await run();
    const refused = out.feeds.filter((f) => /^connection refused by 127\.0\.0\.1:9/.test(f.error ?? ''));
    const givenUp = out.feeds.filter((f) => /^given up for this run: 127\.0\.0\.1:9 could not be reached for the \d+ feeds before this one \(connection refused by 127\.0\.0\.1:9\)/.test(f.error ?? ''));
    // three feeds fail with their retry, then those still in flight (2 at once) and the rest are not asked
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(refused.length).toBeLessThanOrEqual(4);
    expect(refused.length + givenUp.length).toBe(20);
    expect(refused.every((f) => f.attempts === 2)).toBe(true);
    // a feed given up makes no request of its own (at most the one it made before the host was given up)
    expect(givenUp.filter((f) => f.attempts === 0).length).toBeGreaterThanOrEqual(15);
    expect(givenUp.every((f) => f.status === 'failed' && (f.attempts ?? 0) <= 1)).toBe(true);
    expect(out.feeds.find((f) => f.url.endsWith('/ok.rss'))).toMatchObject({ status: 'ok', itemsNew: 3 });
    // every one of them is in the fetch log as failed, due again at the next fetch
    const failed = store.db.prepare("SELECT count(*) AS n FROM fetch_log WHERE status = 'failed'").get() as { n: number };
    expect(failed.n).toBe(20);
    const second = await run();
    expect(second.feeds.filter((f) => f.status === 'failed')).toHaveLength(20);
  });

  it('follows redirects, refuses oversized bodies and gives up on a silent server', async () => {
    server = await startServer({
      '/old.rss': (_req, res) => {
        res.writeHead(301, { location: '/news.rss' });
        res.end();
      },
      '/news.rss': serve(fixture('google-news.rss.xml'), { 'content-type': RSS }),
      '/huge.rss': serve(Buffer.alloc(200 * 1024, 'a'), { 'content-type': RSS }),
      '/silent.rss': () => {
        /* never answers */
      },
    });
    const { run } = setup([server.url('/old.rss'), server.url('/huge.rss'), server.url('/silent.rss')]);
    const out = await run();
    const byUrl = Object.fromEntries(out.feeds.map((f) => [new URL(f.url).pathname, f]));
    expect(byUrl['/old.rss']).toMatchObject({ status: 'ok', itemsNew: 3 });
    expect(byUrl['/huge.rss']!.error).toMatch(/^body larger than 64 KB/);
    expect(byUrl['/silent.rss']!.error).toMatch(/timed out/);
  });

  it('an HTML page instead of a feed is that feed’s error', async () => {
    server = await startServer({ '/page': serve(fixture('html-page.html'), { 'content-type': 'text/html' }) });
    const { run } = setup([server.url('/page')]);
    const out = await run();
    expect(out.feeds[0]).toMatchObject({ status: 'failed' });
    expect(out.feeds[0]!.error).toMatch(/HTML page, not a feed/);
  });

  it('retries a 503 after its Retry-After and a dropped connection after a backoff, then lands the feed', async () => {
    let hits503 = 0;
    let hitsReset = 0;
    server = await startServer({
      '/busy.rss': (_req, res) => {
        if (++hits503 === 1) {
          res.writeHead(503, { 'retry-after': '1' });
          res.end();
        } else serve(fixture('google-news.rss.xml'), { 'content-type': RSS })(_req, res);
      },
      '/flaky.rss': (req, res) => {
        if (++hitsReset === 1) req.socket.destroy();
        else serve(fixture('bare-ampersand.rss.xml'), { 'content-type': RSS })(req, res);
      },
    });
    const { run } = setup([server.url('/busy.rss'), server.url('/flaky.rss')], '', 'timeout: 2s, interval: 0s, retries: 2, hostDelay: 0s');
    const t0 = Date.now();
    const out = await run();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000); // waited as asked
    expect(out.feeds.map((f) => [new URL(f.url).pathname, f.status, f.attempts])).toEqual([
      ['/busy.rss', 'ok', 2],
      ['/flaky.rss', 'ok', 2],
    ]);
  });

  it('does not retry what will not change: a 404 fails at once', async () => {
    server = await startServer({});
    const { run } = setup([server.url('/missing.rss')], '', 'timeout: 2s, interval: 0s, retries: 2');
    const out = await run();
    expect(out.feeds[0]).toMatchObject({ status: 'failed', httpStatus: 404, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('a server asking to wait longer than a run is not waited for: the feed is due again after its Retry-After', async () => {
    server = await startServer({ '/later.rss': serve('', { 'retry-after': '3600' }, 429) });
    const { run, store } = setup([server.url('/later.rss')], '', 'timeout: 2s, interval: 0s, retries: 2');
    const t0 = Date.now();
    const first = await run();
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(first.feeds[0]).toMatchObject({ status: 'failed', httpStatus: 429, attempts: 1 });
    expect(first.feeds[0]!.error).toMatch(/^HTTP 429 Too Many Requests \(retry after 1h\)/);
    const second = await run();
    expect(second.feeds[0]).toMatchObject({ status: 'skipped' });
    expect(second.feeds[0]!.notice).toMatch(/^not due until /);
    expect(server.requests).toHaveLength(1);
    const forced = await run(true);
    expect(forced.feeds[0]!.status).toBe('failed');
    void store;
  });

  it('a 503 asking to wait an hour says when it will be retried, not "on the next fetch"', async () => {
    server = await startServer({ '/down.rss': serve('', { 'retry-after': '3600' }, 503) });
    const { run } = setup([server.url('/down.rss')], '', 'timeout: 2s, interval: 0s, retries: 2');
    const t0 = Date.now();
    const first = await run();
    const error = first.feeds[0]!.error!;
    expect(error).toMatch(/^HTTP 503 Service Unavailable \(retry after 1h\) — the server asks to wait: it will be retried by the first fetch after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(fetch --force to try sooner\)$/);
    expect(error).not.toMatch(/next fetch/);
    const at = Date.parse(/after (\S+Z)/.exec(error)![1]!);
    expect(at - t0).toBeGreaterThanOrEqual(3_599_000);
    expect(at - t0).toBeLessThanOrEqual(3_600_000 + (Date.now() - t0) + 1000);
  });

  it('skips feeds fetched within the refresh interval unless forced; local files are always read', async () => {
    server = await startServer({ '/news.rss': serve(fixture('google-news.rss.xml'), { 'content-type': RSS, 'cache-control': 'max-age=7200' }) });
    const local = path.join(import.meta.dirname, '../../fixtures/feeds/cdata.rss.xml');
    const { run } = setup([server.url('/news.rss'), local], '', 'timeout: 2s, interval: 30m, retries: 0');
    const first = await run();
    expect(first.feeds.map((f) => f.status)).toEqual(['ok', 'ok']);
    // max-age (2h) is longer than the interval (30m): the server's wish wins
    expect(first.feeds[0]!.nextDueAt! - first.feeds[0]!.fetchedAt).toBe(7_200_000);
    const second = await run();
    expect(second.feeds.map((f) => f.status)).toEqual(['skipped', 'not-modified']);
    expect(server.requests).toHaveLength(1);
    const forced = await run(true);
    expect(forced.feeds.map((f) => f.status)).toEqual(['ok', 'not-modified']);
  });

  /** Six feeds on one host, each answered after `holdMs`; the arrival time of each request and the most in flight at once. */
  const slowHost = async (holdMs: number) => {
    const seen = { active: 0, most: 0, starts: [] as number[] };
    const slow: Record<string, (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void> = {};
    for (let i = 0; i < 6; i++) {
      slow[`/f${i}.rss`] = (req, res) => {
        seen.active++;
        seen.most = Math.max(seen.most, seen.active);
        seen.starts.push(performance.now());
        setTimeout(() => {
          seen.active--;
          serve(fixture('google-news.rss.xml'), { 'content-type': RSS })(req, res);
        }, holdMs);
      };
    }
    server = await startServer(slow);
    return { seen, urls: Object.keys(slow).map((p) => server!.url(p)) };
  };

  it('keeps to the per-host bound: never more requests at once to one host than perHost', async () => {
    const { seen, urls } = await slowHost(300);
    const { run } = setup(urls, '', 'timeout: 5s, interval: 0s, retries: 0, perHost: 2, hostDelay: 0ms, concurrency: 8');
    const out = await run();
    expect(out.feeds.every((f) => f.status === 'ok')).toBe(true);
    // concurrency 8 would let all six in at once; two start together and hold 300 ms, so two overlap
    expect(seen.most).toBe(2);
  });

  it('keeps the delay between the starts of two requests to one host', async () => {
    const { seen, urls } = await slowHost(10);
    const { run } = setup(urls, '', 'timeout: 5s, interval: 0s, retries: 0, perHost: 1, hostDelay: 100ms, concurrency: 8');
    const out = await run();
    expect(out.feeds.every((f) => f.status === 'ok')).toBe(true);
    // these are arrival times at the server: on a loaded machine one request's way out may be held up by
    // some tens of ms, which shortens one gap and lengthens the next, so the span is checked closely and each
    // gap only loosely (without the delay the six would arrive within some 100 ms, gaps of a few ms)
    const { starts } = seen;
    expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(5 * 100 - 60);
    expect(Math.min(...starts.slice(1).map((t, i) => t - starts[i]!))).toBeGreaterThanOrEqual(25);
  });

  it('a full backlog holds fetching back: with a bound below one feed, each request waits for the feeds before it to be saved; same items', async () => {
    const rss = (n: number) =>
      `<?xml version="1.0"?><rss version="2.0"><channel><title>feed ${n}</title>${Array.from(
        { length: 20 },
        (_, i) => `<item><title>Acme news ${n} number ${i}</title><link>https://f${n}.example/${i}</link><pubDate>Mon, 16 Nov 2026 ${String(i % 24).padStart(2, '0')}:00:00 GMT</pubDate></item>`,
      ).join('')}</channel></rss>`;
    const paths = Array.from({ length: 8 }, (_, n) => `/f${n}.rss`);
    // how many feeds were committed when each request came in
    let saved: () => number = () => 0;
    const seen: number[] = [];
    server = await startServer(
      Object.fromEntries(paths.map((p, n) => [p, (req, res) => (seen.push(saved()), serve(rss(n), { 'content-type': RSS })(req, res))] as [string, Handler])),
    );
    const fetch = 'timeout: 5s, interval: 0s, retries: 0, hostDelay: 0ms, perHost: 4, concurrency: 4';
    const runs = [];
    for (const backlogBytes of [1, undefined]) {
      seen.length = 0;
      const { config, store } = setup(paths.map((p) => server!.url(p)), '', fetch);
      saved = () => store.db.prepare("SELECT count(*) FROM fetch_log WHERE status = 'ok'").pluck().get() as number;
      const out = await ingest(config, store, { now: () => Date.now(), backlogBytes });
      expect(out.feeds.every((f) => f.status === 'ok')).toBe(true);
      const items = store.db.prepare('SELECT f.url, i.guid, i.title, i.sentiment, i.story_id IS NOT NULL AS story FROM items i JOIN feeds f ON f.id = i.feed_id ORDER BY i.guid').all();
      runs.push({ seen: [...seen], items: items.map((r) => JSON.stringify(r).replace(/127\.0\.0\.1:\d+/, '')) });
    }
    const [bound, free] = runs;
    // the first four start together (nothing is known of the feeds' size yet); after that, one feed at a time
    // from request to commit: request k comes once the k before it are saved
    expect(bound!.seen.slice(4)).toEqual([4, 5, 6, 7]);
    // without the bound (64 MiB) the requests run ahead of the commits
    expect(free!.seen.slice(4).some((n, i) => n < i + 4)).toBe(true);
    expect(bound!.items).toHaveLength(160);
    expect(bound!.items).toEqual(free!.items);
  });

  it('a permanent redirect moves the feed: later fetches go straight to the new address', async () => {
    server = await startServer({
      '/old.rss': (_req, res) => {
        res.writeHead(308, { location: '/new.rss' });
        res.end();
      },
      '/new.rss': serve(fixture('google-news.rss.xml'), { 'content-type': RSS, etag: '"n1"' }),
    });
    const { run } = setup([server.url('/old.rss')]);
    const first = await run();
    expect(first.feeds[0]!.notice).toMatch(/^moved permanently to http:\/\/127\.0\.0\.1:\d+\/new\.rss/);
    const second = await run();
    expect(second.feeds[0]).toMatchObject({ status: 'not-modified', fetchUrl: server.url('/new.rss'), url: server.url('/old.rss') });
    expect(server.requests.map((r) => r.path)).toEqual(['/old.rss', '/new.rss', '/new.rss']);
  });

  it('410 Gone retires the feed: not fetched again unless forced', async () => {
    server = await startServer({ '/gone.rss': serve('', {}, 410) });
    const { run } = setup([server.url('/gone.rss')]);
    const first = await run();
    expect(first.feeds[0]).toMatchObject({ status: 'failed', httpStatus: 410 });
    expect(first.feeds[0]!.notice).toMatch(/^retired/);
    const second = await run();
    expect(second.feeds[0]!.status).toBe('skipped');
    expect(second.feeds[0]!.notice).toMatch(/^retired: the server said 410 Gone on /);
    expect(server.requests).toHaveLength(1);
  });

  it('a database failure ends the run: feeds committed before stay whole, the failed commit leaves nothing, no feed is started after it', async () => {
    const rss = (name: string, titles: string[]) =>
      `<?xml version="1.0"?><rss version="2.0"><channel><title>${name}</title>${titles
        .map((t, i) => `<item><title>${t}</title><link>https://${name}.example/${i}</link><pubDate>Mon, 16 Nov 2026 0${i}:00:00 GMT</pubDate></item>`)
        .join('')}</channel></rss>`;
    const later = (body: string, ms: number): Handler => (req, res) => setTimeout(() => serve(body, { 'content-type': RSS })(req, res), ms);
    server = await startServer({
      '/early.rss': serve(rss('early', ['Acme opens a plant', 'Acme hires', 'Acme wins']), { 'content-type': RSS }),
      '/poison.rss': later(rss('poison', ['Acme one', 'Acme poison', 'Acme three']), 400),
      '/slow.rss': later(rss('slow', ['Acme slow']), 1500),
      '/last.rss': serve(rss('last', ['Acme last']), { 'content-type': RSS }),
    });
    const urls = ['/early.rss', '/poison.rss', '/slow.rss', '/last.rss'].map((p) => server!.url(p));
    const { store, run } = setup(urls, '', 'timeout: 5s, interval: 0s, retries: 0, hostDelay: 0s, perHost: 1');
    // a write that fails the way a full disk or a damaged page would, for one item only
    store.db.exec(`CREATE TRIGGER poison BEFORE INSERT ON items WHEN NEW.title LIKE '%poison%' BEGIN SELECT RAISE(FAIL, 'disk I/O error'); END`);
    await expect(run()).rejects.toBeInstanceOf(StoreError);
    const titles = store.db.prepare('SELECT title FROM items ORDER BY id').pluck().all();
    expect(titles).toEqual(['Acme opens a plant', 'Acme hires', 'Acme wins']);
    const logged = store.db.prepare('SELECT f.url FROM fetch_log l JOIN feeds f ON f.id = l.feed_id').pluck().all();
    expect(logged).toEqual([server.url('/early.rss')]);
    // no story replay after the failure: the committed items wait for the next fetch's, with no story yet
    expect(store.db.prepare('SELECT count(*) FROM items WHERE story_id IS NULL').pluck().get()).toBe(3);
    expect(store.db.prepare('SELECT count(*) FROM stories').pluck().get()).toBe(0);
    expect(store.db.prepare('SELECT replay_from FROM story_state').pluck().get()).not.toBeNull();
    // one request at a time: the slow feed was in flight when the commit failed, the last one never asked for
    expect(server.requests.map((r) => r.path)).toEqual(['/early.rss', '/poison.rss', '/slow.rss']);
  });
});
