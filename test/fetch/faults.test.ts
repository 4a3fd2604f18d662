/**
 * Every fault the README's `momentscan fetch` section promises to survive, reproduced by a real
 * server on 127.0.0.1 (nothing leaves the machine, not even DNS): each faulty feed is fetched with
 * `ingest()` next to two good feeds, and must fail with its one-line error (or parse correctly) while
 * the good ones land intact.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/ingest/run.js';
import { parseConfigText } from '../../src/config/load.js';
import { FeedError } from '../../src/core/errors.js';
import { fetchFeed } from '../../src/fetch/http.js';
import type { FeedResult } from '../../src/ingest/types.js';
import { SqliteStore, Store } from '../../src/store/store.js';
import { serve, startServer, type FixtureServer, type Handler } from '../helpers/server.js';
import { tempDir } from '../helpers/tmp.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../../fixtures/feeds', name));
const tlsFixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../../fixtures/tls', name));

const RSS = 'application/rss+xml; charset=utf-8';
const RSS_NO_CHARSET = 'application/rss+xml';
/** The run's clock: fixed, so dates in 2026 are not "in the future" and undated items get a known date. */
const NOW = Date.parse('2026-11-20T12:00:00Z');
const FETCH = 'timeout: 2s, maxBytes: 256KB, interval: 0s, retries: 0, hostDelay: 0s, perHost: 8';

const rss = (title: string, items: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${title}</title><link>https://good.example/</link>${items}</channel></rss>\n`;
const item = (title: string, link: string, date = 'Thu, 19 Nov 2026 10:00:00 GMT') =>
  `<item><title>${title}</title><link>${link}</link><pubDate>${date}</pubDate></item>`;

/** The two feeds that must land in every run, whatever the others do. */
const GOOD: Record<string, { title: string; items: string[] }> = {
  '/good-a.rss': { title: 'Good Feed A', items: ['Alpha wins the first round', 'Alpha wins the second round'] },
  '/good-b.rss': { title: 'Good Feed B', items: ['Beta ships on time', 'Beta keeps its promises'] },
};

let server: FixtureServer;
/** The shared server's routes; a test may add its own (the server looks them up per request). */
const ROUTES: Record<string, Handler> = routes();
let tls: HttpsServer;
let tlsPort: number;
/** Requests the TLS server answered: none may get past the handshake. */
let tlsRequests = 0;
/** A port on 127.0.0.1 that nothing listens on. */
let closedPort: number;

/** Feeds and fault routes: each fault its own path on one server. */
function routes(): Record<string, Handler> {
  const r: Record<string, Handler> = {};
  for (const [p, g] of Object.entries(GOOD)) {
    const slug = p.slice(1, -4);
    r[p] = serve(rss(g.title, g.items.map((t, i) => item(t, `https://good.example/${slug}/${i}`)).join('')), { 'content-type': RSS });
  }
  Object.assign(r, {
    '/silent.rss': () => {
      /* takes the request, never answers */
    },
    '/drip.rss': (_req, res) => {
      res.writeHead(200, { 'content-type': RSS });
      res.write('<');
      const timer = setInterval(() => res.write(' '), 300);
      res.on('close', () => clearInterval(timer));
    },
    '/cut.rss': (req, res) => {
      const body = fixture('google-news.rss.xml');
      res.writeHead(200, { 'content-type': RSS, 'content-length': String(body.length) });
      res.write(body.subarray(0, body.length >> 1), () => req.socket.destroy());
    },
    '/reset.rss': (req, res) => {
      const body = fixture('google-news.rss.xml');
      res.writeHead(200, { 'content-type': RSS, 'content-length': String(body.length) });
      res.write(body.subarray(0, body.length >> 1));
      // a real RST, once the client has had time to read the headers and the first half (an RST
      // discards what the client has not read yet)
      setTimeout(() => req.socket.resetAndDestroy(), 200);
    },
    '/endless.rss': (_req, res) => {
      res.writeHead(200, { 'content-type': RSS });
      const chunk = Buffer.alloc(16 * 1024, '<item>');
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on('drain', pump);
      pump();
    },
    // an error page that never ends: its status is the answer, the page is not read on (nor kept)
    '/endless-404.rss': (_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      const chunk = Buffer.alloc(16 * 1024, '<p>');
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on('drain', pump);
      pump();
    },
    // ~4 KB on the wire, 8 MB once inflated
    '/bomb.rss': serve(gzipSync(Buffer.alloc(8 * 1024 * 1024, ' '), { level: 9 }), { 'content-type': RSS, 'content-encoding': 'gzip' }),
    '/to-metadata.rss': (_req, res) => {
      res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    },
    '/to-other-port.rss': (_req, res) => {
      res.writeHead(301, { location: `http://127.0.0.1:${closedPort}/` });
      res.end();
    },
    '/busy-forever.rss': serve('busy', { 'content-type': 'text/plain', 'retry-after': '999999999999999999999' }, 503),
    '/loop-a.rss': (_req, res) => {
      res.writeHead(302, { location: '/loop-b.rss' });
      res.end();
    },
    '/loop-b.rss': (_req, res) => {
      res.writeHead(302, { location: '/loop-a.rss' });
      res.end();
    },
    '/error-500.rss': serve('<h1>oops</h1>', { 'content-type': 'text/html' }, 500),
    '/error-503.rss': serve('busy', { 'content-type': 'text/plain' }, 503),
    '/page.html': serve(fixture('html-page.html'), { 'content-type': 'text/html; charset=utf-8' }),
    '/empty.rss': serve('', { 'content-type': RSS }),
    // nothing to decompress: still an empty feed, not a decompression error
    '/empty-br.rss': serve('', { 'content-type': RSS, 'content-encoding': 'br' }),
    '/truncated.rss': serve(fixture('truncated.rss.xml'), { 'content-type': RSS }),
    '/not-a-feed.json': serve('{"status": "ok", "items": [{"title": "not a feed"}]}', { 'content-type': 'application/json' }),
  } satisfies Record<string, Handler>);
  return r;
}

beforeAll(async () => {
  server = await startServer(ROUTES);
  const tlsFeed = serve(rss('TLS', item('Never read', 'https://tls.example/1')), { 'content-type': RSS });
  tls = createHttpsServer({ key: tlsFixture('key.pem'), cert: tlsFixture('cert.pem') }, (req, res) => {
    tlsRequests++;
    tlsFeed(req, res);
  });
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
  tlsPort = (tls.address() as AddressInfo).port;
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
});

afterAll(async () => {
  await server.close();
  tls.closeAllConnections();
  await new Promise((resolve) => tls.close(resolve));
});

/** A run over `feeds` plus the two good feeds, on a fresh database. */
function setup(feeds: string[], fetch = FETCH) {
  const dir = tempDir();
  const all = [...feeds, ...Object.keys(GOOD).map((p) => server.url(p))];
  const config = parseConfigText(
    `fetch: {${fetch}}
topics:
  - name: Everything
    keywords: [alpha, beta]
    feeds: [${all.map((f) => JSON.stringify(f)).join(', ')}]
`,
    path.join(dir, 'momentscan.yaml'),
  );
  const store = Store.open(path.join(dir, 'm.db'));
  const run = async (force = false) => {
    const out = await ingest(config, store, { now: () => NOW, force });
    return new Map(out.feeds.map((f) => [f.url, f]));
  };
  return { store, run };
}

function titlesOf(store: SqliteStore, url: string): string[] {
  const rows = store.db
    .prepare('SELECT i.title FROM items i JOIN feeds f ON f.id = i.feed_id WHERE f.url = ? ORDER BY i.id')
    .all(url) as { title: string }[];
  return rows.map((r) => r.title);
}

/** Both good feeds are `ok` with every item stored. */
function expectGoodFeedsLanded(results: Map<string, FeedResult>, store: SqliteStore): void {
  for (const [p, g] of Object.entries(GOOD)) {
    const url = server.url(p);
    expect(results.get(url)).toMatchObject({ status: 'ok', httpStatus: 200, title: g.title, itemsSeen: 2, itemsNew: 2, error: null });
    expect(titlesOf(store, url)).toEqual(g.items);
  }
}

/** Fault rows: the feed's URL, its one-line error, and its HTTP status (null for network failures). */
const FAULTS: [name: string, url: () => string, error: () => RegExp, httpStatus: number | null][] = [
  ['connection refused', () => `http://127.0.0.1:${closedPort}/feed.rss`, () => new RegExp(`^connection refused by 127\\.0\\.0\\.1:${closedPort} — `), null],
  ['a self-signed TLS certificate', () => `https://127.0.0.1:${tlsPort}/feed.rss`, () => new RegExp(`^TLS error with 127\\.0\\.0\\.1:${tlsPort}: \\S+$`), null],
  ['a server that never answers', () => server.url('/silent.rss'), () => /^timed out after 2s \(no answer\) — /, null],
  ['a body that keeps dripping', () => server.url('/drip.rss'), () => /^timed out after 2s \(the body was still arriving\) — /, null],
  ['a connection closed mid-body', () => server.url('/cut.rss'), () => /^connection to 127\.0\.0\.1:\d+ was reset while reading the body$/, null],
  ['a connection reset mid-body', () => server.url('/reset.rss'), () => /^connection to 127\.0\.0\.1:\d+ was reset while reading the body$/, null],
  ['an endless body', () => server.url('/endless.rss'), () => /^body larger than 256 KB — /, null],
  ['a gzip bomb', () => server.url('/bomb.rss'), () => /^body larger than 256 KB once decompressed — /, null],
  ['a redirect to the cloud metadata service', () => server.url('/to-metadata.rss'), () => /^refused a redirect to a link-local address \(169\.254\.169\.254\) — .*fetch\.allowRedirectsTo$/, 301],
  ['a redirect to another local port', () => server.url('/to-other-port.rss'), () => new RegExp(`^refused a redirect from 127\\.0\\.0\\.1:\\d+ to another local service \\(127\\.0\\.0\\.1:${closedPort}\\) — `), 301],
  ['a 503 asking to retry after 1e21 seconds', () => server.url('/busy-forever.rss'), () => /^HTTP 503 Service Unavailable \(retry after 365d\) — /, 503],
  ['a redirect loop', () => server.url('/loop-a.rss'), () => /^too many redirects \(more than 5\) — /, 302],
  ['a 404', () => server.url('/missing.rss'), () => /^HTTP 404 Not Found — /, 404],
  ['a 404 with an endless error page', () => server.url('/endless-404.rss'), () => /^HTTP 404 Not Found — /, 404],
  ['a 500', () => server.url('/error-500.rss'), () => /^HTTP 500 Internal Server Error — /, 500],
  ['a 503', () => server.url('/error-503.rss'), () => /^HTTP 503 Service Unavailable — /, 503],
  ['an HTML page', () => server.url('/page.html'), () => /^got an HTML page, not a feed — the page links to a feed at http:\/\/127\.0\.0\.1:\d+\/feeds\/all\.rss\?format=full&v=2: use that URL$/, null],
  ['an empty 200 body', () => server.url('/empty.rss'), () => /^the feed is empty$/, null],
  ['an empty 200 body with Content-Encoding: br', () => server.url('/empty-br.rss'), () => /^the feed is empty$/, null],
  ['truncated XML', () => server.url('/truncated.rss'), () => /^XML is malformed: Unclosed root tag \(line 11\)$/, null],
  ['JSON that is not a JSON Feed', () => server.url('/not-a-feed.json'), () => /^got JSON that is not a JSON Feed — /, null],
];

describe('fetch faults: one feed’s problem, and the others land', () => {
  it.each(FAULTS)('%s', async (_name, url, error, httpStatus) => {
    const { store, run } = setup([url()]);
    const results = await run();
    const bad = results.get(url())!;
    expect(bad).toMatchObject({ status: 'failed', httpStatus, attempts: 1, itemsNew: 0 });
    expect(bad.error).toMatch(error());
    expect(bad.error).not.toContain('\n');
    expectGoodFeedsLanded(results, store);
    const log = store.db
      .prepare("SELECT l.status, l.error FROM fetch_log l JOIN feeds f ON f.id = l.feed_id WHERE f.url = ?")
      .all(url()) as { status: string; error: string }[];
    expect(log).toEqual([{ status: 'failed', error: bad.error }]);
  });

  it('all of them at once, in one run: each fails its own way, the good feeds still land', async () => {
    const { store, run } = setup(FAULTS.map(([, url]) => url()));
    const t0 = performance.now();
    const results = await run();
    // the slow faults run side by side and the whole-request timeout bounds each of them
    expect(performance.now() - t0).toBeLessThan(5000);
    for (const [name, url, error, httpStatus] of FAULTS) {
      const bad = results.get(url())!;
      expect({ name, status: bad.status, httpStatus: bad.httpStatus }).toEqual({ name, status: 'failed', httpStatus });
      expect(bad.error).toMatch(error());
    }
    expectGoodFeedsLanded(results, store);
  });

  it('does not retry what will not change: a TLS error, a 404, an HTML page', async () => {
    const urls = [`https://127.0.0.1:${tlsPort}/feed.rss`, server.url('/missing.rss'), server.url('/page.html')];
    const { store, run } = setup(urls, FETCH.replace('retries: 0', 'retries: 2'));
    const results = await run();
    expect(urls.map((u) => [results.get(u)!.status, results.get(u)!.attempts])).toEqual([
      ['failed', 1],
      ['failed', 1],
      ['failed', 1],
    ]);
    expectGoodFeedsLanded(results, store);
    expect(tlsRequests).toBe(0);
  });

  it('fetch.timeout is per try: a silent server retried once takes two timeouts, and the error says so', async () => {
    const url = server.url('/silent.rss');
    const { store, run } = setup([url], FETCH.replace('timeout: 2s', 'timeout: 1s').replace('retries: 0', 'retries: 1'));
    const results = await run();
    expect(results.get(url)).toMatchObject({ status: 'failed', attempts: 2 });
    expect(results.get(url)!.error).toMatch(/^timed out after 1s \(no answer\) on each of 2 tries — /);
    expectGoodFeedsLanded(results, store);
  });

  it('stops a redirect loop after 5 redirects', async () => {
    const before = server.requests.length;
    const { run } = setup([server.url('/loop-a.rss')]);
    await run();
    const loop = server.requests.slice(before).filter((r) => r.path.startsWith('/loop-'));
    expect(loop.map((r) => r.path)).toEqual(['/loop-a.rss', '/loop-b.rss', '/loop-a.rss', '/loop-b.rss', '/loop-a.rss', '/loop-b.rss']);
  });

  it('maps a DNS failure to "DNS lookup failed for <host>" (resolved by a stub, no DNS traffic)', async () => {
    const asked: string[] = [];
    const dispatcher = new Agent({
      connect: {
        lookup: (host, _opts, cb) => {
          asked.push(host);
          cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), '');
        },
      },
    });
    try {
      const err = await fetchFeed('http://feeds.momentscan.invalid/news.rss', { timeoutMs: 2000, maxBytes: 256 * 1024, userAgent: 'momentscan-test', dispatcher }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FeedError);
      expect((err as FeedError).message).toBe('DNS lookup failed for feeds.momentscan.invalid');
      expect((err as FeedError).kind).toBe('network');
      expect(asked).toEqual(['feeds.momentscan.invalid']);
    } finally {
      await dispatcher.close();
    }
  });
});

/** Odd content that must parse: served with the given Content-Type, expected feed title and item titles. */
const ODD: [name: string, body: () => Buffer | string, contentType: string, feedTitle: string, items: string[]][] = [
  ['windows-1252 bytes under a charset=utf-8 header', () => fixture('windows-1252.rss.xml'), RSS, 'Market Wire – Daily', ['Retailers’ “best week” since 2020 as €5bn deal closes']],
  ['windows-1251 with no charset in the header', () => fixture('windows-1251.rss.xml'), RSS_NO_CHARSET, 'Новости науки', ['Учёные из Новосибирска представили новый телескоп']],
  ['UTF-16LE with a BOM under a charset=utf-8 header', () => fixture('utf16le.atom.xml'), 'application/atom+xml; charset=utf-8', 'Reisebericht: Zürich → 東京', ['Grüße aus Zürich und 東京 ✈']],
  ['latin-1 with no charset in the header', () => fixture('latin1.rss.xml'), 'text/xml', 'Nachrichten aus Zürich', ['Café in Zürich reopens after façade repairs']],
  ['bare ampersands', () => fixture('bare-ampersand.rss.xml'), RSS, 'Consumer Goods & Telecom Watch', ['Procter & Gamble raises guidance; AT&T unchanged']],
  ['double-escaped entities', () => fixture('double-escaped.rss.xml'), RSS, 'Double & Trouble', ['Johnson & Johnson’s quarter — better than feared']],
  ['CDATA', () => fixture('cdata.rss.xml'), RSS, 'Tech & Society', ['Opinion: Why Smith & Sons\' deal matters', 'Relative link story', 'Script link story']],
  ['Atom 1.0 with type="html" and type="xhtml"', () => fixture('atom-html.atom.xml'), 'application/atom+xml', 'Dev Notes', ['Breaking: parser & lexer rewrite', 'Release notes without a usable date', 'Scheduled post from the future']],
  ['RSS 0.91', () => fixture('rss091.rss.xml'), RSS, 'Old School Wire', ['Dial-up nostalgia peaks']],
  ['RSS 1.0 (RDF)', () => fixture('rdf.rss10.xml'), 'application/rdf+xml', 'The Example Journal', ['Tides are changing faster than expected']],
  ['JSON Feed 1.1', () => fixture('jsonfeed.json'), 'application/feed+json', 'Tiny Blog & Friends', ['Kettles, ranked', 'Hello world, this post has no title.']],
  ['a billion-laughs DOCTYPE (never expanded)', () => fixture('billion-laughs.xml'), RSS, 'Laughs &lol9;', ['Harmless headline &lol9;']],
];

describe('odd content that must parse', () => {
  it.each(ODD)('%s', async (name, body, contentType, feedTitle, items) => {
    const p = `/odd-${ODD.findIndex((row) => row[0] === name)}`;
    ROUTES[p] = serve(body(), { 'content-type': contentType });
    const { store, run } = setup([server.url(p)]);
    const t0 = performance.now();
    const results = await run();
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(results.get(server.url(p))).toMatchObject({ status: 'ok', httpStatus: 200, title: feedTitle, itemsNew: items.length, error: null });
    expect(titlesOf(store, server.url(p))).toEqual(items);
    expectGoodFeedsLanded(results, store);
  });

  it('never fetches an external entity (XXE), not even from a server it can reach', async () => {
    const evil = server.url('/evil.dtd');
    const body = fixture('xxe.xml').toString('utf8').replace('http://127.0.0.1:9/evil.dtd', evil);
    expect(body).toContain(evil);
    ROUTES['/xxe.rss'] = serve(body, { 'content-type': RSS });
    const { store, run } = setup([server.url('/xxe.rss')]);
    const results = await run();
    expect(results.get(server.url('/xxe.rss'))).toMatchObject({ status: 'ok', title: 'Innocent Feed', itemsNew: 1 });
    expect(titlesOf(store, server.url('/xxe.rss'))).toEqual(['Nothing to see &xxe;']);
    const summary = store.db.prepare('SELECT summary FROM items WHERE title = ?').pluck().get('Nothing to see &xxe;') as string;
    expect(summary).not.toContain('root:');
    expect(server.requests.filter((r) => r.path.startsWith('/evil'))).toEqual([]);
    expectGoodFeedsLanded(results, store);
  });

  it('gives items without a guid a stable one: a second fetch of the same content stores nothing new', async () => {
    const body = rss(
      'No Guids',
      '<item><title>Linked, no guid</title><link>https://noguid.example/1?utm_source=rss</link><pubDate>Wed, 18 Nov 2026 10:00:00 GMT</pubDate></item>' +
        '<item><title>Neither guid nor link</title><pubDate>Wed, 18 Nov 2026 11:00:00 GMT</pubDate></item>' +
        '<item><title>Neither guid nor link nor date</title></item>',
    );
    ROUTES['/no-guid.rss'] = serve(body, { 'content-type': RSS });
    const { store, run } = setup([server.url('/no-guid.rss')]);
    const first = await run(true);
    expect(first.get(server.url('/no-guid.rss'))).toMatchObject({ status: 'ok', itemsSeen: 3, itemsNew: 3 });
    expectGoodFeedsLanded(first, store);
    const guids = () => store.db.prepare('SELECT guid FROM items ORDER BY id').pluck().all() as string[];
    const before = guids();
    expect(before.slice(0, 3)).toEqual(['https://noguid.example/1', expect.stringMatching(/^sha1:[0-9a-f]{40}$/), expect.stringMatching(/^sha1:[0-9a-f]{40}$/)]);
    const second = await run(true);
    expect([...second.values()].map((f) => [f.status, f.itemsSeen, f.itemsNew])).toEqual([
      ['ok', 3, 0],
      ['ok', 2, 0],
      ['ok', 2, 0],
    ]);
    expect(guids()).toEqual(before);
  });

  it('reads RFC 822, ISO 8601 and broken dates; only the undated item is estimated', async () => {
    const dates: [date: string | null, expected: string][] = [
      ['Tue, 17 Nov 2026 09:05:00 GMT', '2026-11-17T09:05:00Z'],
      ['Tue, 17 Nov 2026 09:05:00 -0500', '2026-11-17T14:05:00Z'],
      ['Tue, 17 Nov 2026 09:05:00 EST', '2026-11-17T14:05:00Z'],
      ['2026-11-17T09:05:00Z', '2026-11-17T09:05:00Z'],
      ['2026-11-17T09:05:00.250+01:00', '2026-11-17T08:05:00.250Z'],
      ['Tue, 17 Nov 2026 9:05 GMT', '2026-11-17T09:05:00Z'],
      ['2026-11-17 09:05:00', '2026-11-17T09:05:00Z'],
      ['17 Nov 2026 09:05:00 +0100', '2026-11-17T08:05:00Z'],
      ['Tuesday, 17-Nov-26 09:05:00 GMT', '2026-11-17T09:05:00Z'],
      [null, '2026-11-20T12:00:00Z'],
    ];
    const items = dates
      .map(([date], i) => `<item><title>Dated ${i}</title><link>https://dates.example/${i}</link>${date === null ? '' : `<pubDate>${date}</pubDate>`}</item>`)
      .join('');
    ROUTES['/dates.rss'] = serve(rss('Dates', items), { 'content-type': RSS });
    const { store, run } = setup([server.url('/dates.rss')]);
    const results = await run();
    expect(results.get(server.url('/dates.rss'))).toMatchObject({ status: 'ok', itemsNew: dates.length });
    expectGoodFeedsLanded(results, store);
    const rows = store.db
      .prepare("SELECT title, published_at AS publishedAt, date_estimated AS estimated FROM items WHERE title LIKE 'Dated %' ORDER BY id")
      .all() as { title: string; publishedAt: number; estimated: number }[];
    expect(rows).toEqual(
      dates.map(([date, expected], i) => ({ title: `Dated ${i}`, publishedAt: Date.parse(expected), estimated: date === null ? 1 : 0 })),
    );
  });
});


describe('local feed files', () => {
  /** Reads `file` as a feed, or what it failed with; gives up after 5 s (a read that blocks). */
  async function readLocal(file: string): Promise<string> {
    const read = fetchFeed(pathToFileURL(file).href, { timeoutMs: 2000, maxBytes: 256 * 1024, userAgent: 'test' }).then(
      (o) => `read ${o.status === 'ok' ? o.body.length : 0} bytes`,
      (err: unknown) => (err instanceof FeedError ? err.message : `other error: ${String(err)}`),
    );
    let timer: NodeJS.Timeout | undefined;
    const blocked = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still reading after 5 s'), 5000)));
    try {
      return await Promise.race([read, blocked]);
    } finally {
      clearTimeout(timer);
    }
  }

  it.each([
    ['a FIFO (nothing ever writes to it)', () => {
      const fifo = path.join(tempDir(), 'feed.xml');
      execFileSync('mkfifo', [fifo]);
      return fifo;
    }, /^.*feed\.xml is not a regular file \(a FIFO\)$/],
    ['/dev/zero (endless, its size reads 0)', () => '/dev/zero', /^\/dev\/zero is not a regular file \(a device\)$/],
    ['a link to /dev/urandom', () => {
      const link = path.join(tempDir(), 'random.xml');
      symlinkSync('/dev/urandom', link);
      return link;
    }, /^.*random\.xml is not a regular file \(a device\)$/],
  ])('refuses %s at once, without reading it', async (_name, make, error) => {
    expect(await readLocal(make())).toMatch(error);
  });

  it('reads a regular file, and refuses one over the byte cap', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'small.xml'), rss('Small', item('One', 'https://small.example/1')));
    expect(await readLocal(path.join(dir, 'small.xml'))).toMatch(/^read \d+ bytes$/);
    writeFileSync(path.join(dir, 'big.xml'), Buffer.alloc(300 * 1024, ' '));
    expect(await readLocal(path.join(dir, 'big.xml'))).toBe('file larger than 256 KB');
  });
});
