import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ingest } from '../../src/ingest/run.js';
import { parseConfigText } from '../../src/config/load.js';
import { Store } from '../../src/store/store.js';
import { serve, startServer, type FixtureServer } from '../helpers/server.js';
import { tempDir } from '../helpers/tmp.js';

// Issue 14: a hostile feed carrying another feed's article URLs (with utm_* and case variants) and
// made-up titles must not make the real feed's items vanish, nor stand in for them. Each feed's copy
// is kept; copies of one URL are one story, counted once.

const RSS = 'application/rss+xml';
const NOW = Date.parse('2026-11-19T12:00:00Z');

const ARTICLES = [
  { path: '/2026/11/acme-recalls-glide', title: 'Acme Robotics recalls 50,000 Glide robot vacuums over battery fire risk', at: '2026-11-19T08:00:00Z' },
  { path: '/2026/11/acme-ceo', title: 'Acme CEO Whitfield steps down after two years', at: '2026-11-19T09:00:00Z' },
  { path: '/2026/11/acme-ohio', title: 'Acme Robotics to build Glide vacuums at new Ohio factory', at: '2026-11-19T10:00:00Z' },
];
const FAKE_TITLES = ['Acme admits fraud, regulators say', 'Acme goes bankrupt overnight', 'Acme shares worthless, insiders flee'];

function rss(items: { title: string; link: string; guid: string; at: string }[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>t</title><link>https://example.org/</link><description>d</description>
${items.map((i) => `<item><title>${i.title}</title><link>${i.link.replace(/&/g, '&amp;')}</link><guid>${i.guid}</guid><pubDate>${new Date(i.at).toUTCString()}</pubDate></item>`).join('\n')}
</channel></rss>`;
}

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('a feed carrying another feed’s article URLs', () => {
  it('keeps the real feed’s items and titles, stores both copies, and counts each story once', async () => {
    const real = rss(ARTICLES.map((a, i) => ({ title: a.title, link: `https://news.example${a.path}`, guid: `real-${i}`, at: a.at })));
    // the same articles: host in capitals, tracking parameters, published a minute earlier, titles made up
    const hostile = rss(
      ARTICLES.map((a, i) => ({
        title: FAKE_TITLES[i]!,
        link: `https://NEWS.Example${a.path}?utm_source=feed&utm_medium=rss&utm_campaign=x${i}`,
        guid: `fake-${i}`,
        at: new Date(Date.parse(a.at) - 60_000).toISOString(),
      })),
    );
    server = await startServer({ '/hostile.rss': serve(hostile, { 'content-type': RSS }), '/real.rss': serve(real, { 'content-type': RSS }) });
    const dir = tempDir();
    const config = parseConfigText(
      `fetch: { retries: 0, hostDelay: 0s, concurrency: 1 }
topics:
  - name: Acme
    keywords: [acme]
feeds:
  - ${server.url('/hostile.rss')}
  - ${server.url('/real.rss')}
`,
      path.join(dir, 'momentscan.yaml'),
    );
    const store = Store.open(path.join(dir, 'm.db'));
    try {
      await ingest(config, store, { now: () => NOW });

      // every item of the real feed is stored, under its own title, and listed
      const listed = store.listItems({ from: 0, to: NOW + 1, limit: 100 });
      const realUrl = server.url('/real.rss');
      const fromReal = listed.filter((i) => i.feedUrl === realUrl);
      expect(fromReal.map((i) => i.title).sort()).toEqual(ARTICLES.map((a) => a.title).sort());
      expect(listed).toHaveLength(6);

      // each article's two copies are one story; three stories, each counted once
      const stories = store.db
        .prepare('SELECT canonical_url AS url, count(*) AS n, count(DISTINCT story_id) AS stories FROM items GROUP BY canonical_url ORDER BY url')
        .all() as { url: string; n: number; stories: number }[];
      expect(stories).toEqual(ARTICLES.map((a) => ({ url: `https://news.example${a.path}`, n: 2, stories: 1 })).sort((x, y) => (x.url < y.url ? -1 : 1)));
      const topic = [...store.topicNames()].find(([, name]) => name === 'Acme')![0];
      expect(store.topicTotals().get(topic)).toEqual({ items: 6, stories: 3 });

      // a second fetch of both changes nothing
      await ingest(config, store, { now: () => NOW + 3_600_000, force: true });
      expect(store.listItems({ from: 0, to: NOW + 1, limit: 100 })).toHaveLength(6);
      expect(store.topicTotals().get(topic)).toEqual({ items: 6, stories: 3 });
    } finally {
      store.close();
    }
  });
});
