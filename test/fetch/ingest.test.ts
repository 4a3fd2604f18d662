import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { ingest } from '../../src/commands/ingest.js';
import { Store } from '../../src/store/store.js';
import { serve, startServer, type FixtureServer } from '../helpers/server.js';
import { tempDir } from '../helpers/tmp.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../../fixtures/feeds', name));
const RSS = 'application/rss+xml; charset=utf-8';

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function setup(feeds: string[], extra = '') {
  const dir = tempDir();
  const config = parseConfigText(
    `fetch: {timeout: 2s, maxBytes: 64KB}
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
  return { config, store, run: () => ingest(config, store, { now: () => Date.now() }) };
}

function countItems(store: Store): number {
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
});
