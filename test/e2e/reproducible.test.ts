import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { startServer, type FixtureServer } from '../helpers/server.js';
import { startCli, withTimeout } from '../helpers/spawn.js';
import { tempDir } from '../helpers/tmp.js';

// Issue 11: the same feeds and the same --as-of give the same stories, story counts and moments,
// whatever the fetch concurrency and whichever feed finishes first. The bundled sample's feeds are
// served from loopback servers (one host per feed, so per-host manners never serialise them), each run
// delaying the feeds differently, and fetched by the built CLI into a fresh database each time.

const SAMPLE = path.join(ROOT, 'fixtures', 'sample');
const AS_OF = '2026-11-20T12:00:00Z';
const FEED_FILES = [
  'acme-news.rss.xml',
  'acme-reddit.atom.xml',
  'northwind-news.rss.xml',
  'northwind-reddit.atom.xml',
  'globex-news.rss.xml',
  'initech-news.rss.xml',
  'techwire.rss.xml',
];

interface Served {
  /** The sample config with every feed path pointing at its loopback server. */
  configText: string;
  /** Which delay (ms) each feed file's response waits for, in the current run. */
  delays: Map<string, number>;
  /** Feed files in the order their responses were sent, in the current run. */
  finished: string[];
  close: () => Promise<void>;
}

async function serveSample(): Promise<Served> {
  const delays = new Map<string, number>();
  const finished: string[] = [];
  const servers: FixtureServer[] = [];
  const urls = new Map<string, string>();
  for (const file of FEED_FILES) {
    const body = readFileSync(path.join(SAMPLE, 'feeds', file));
    const type = file.endsWith('.atom.xml') ? 'application/atom+xml; charset=utf-8' : 'application/rss+xml; charset=utf-8';
    const server = await startServer({
      '/feed.xml': (_req, res) => {
        const send = () => {
          if (res.destroyed) return;
          finished.push(file);
          res.writeHead(200, { 'content-type': type });
          res.end(body);
        };
        const ms = delays.get(file) ?? 0;
        if (ms <= 0) return send();
        const timer = setTimeout(send, ms);
        res.on('close', () => clearTimeout(timer));
      },
    });
    servers.push(server);
    urls.set(file, server.url('/feed.xml'));
  }
  const sample = readFileSync(path.join(SAMPLE, 'momentscan.yaml'), 'utf8');
  const configText =
    sample.replace(/feeds\/([\w.-]+\.xml)/g, (_m, file: string) => urls.get(file) ?? `missing:${file}`) +
    '\nfetch: { interval: 0s, hostDelay: 0s, retries: 0, timeout: 20s }\n';
  expect(configText).not.toContain('missing:');
  return { configText, delays, finished, close: async () => void (await Promise.all(servers.map((s) => s.close()))) };
}

/** Everything issue 11 says must not depend on arrival order, read from the database itself. */
function storiesIn(dbFile: string) {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const perTopic = db
      .prepare(
        `SELECT t.name AS topic, sum(h.stories) AS stories, sum(h.items) AS items, sum(h.scored) AS scored,
                round(sum(h.sentiment_sum), 9) AS sentimentSum
         FROM topic_quarters h JOIN topics t ON t.id = h.topic_id GROUP BY t.name ORDER BY t.name`,
      )
      .all();
    const firstCopies = db
      .prepare('SELECT t.name AS topic, total(m.story_first) AS stories FROM item_topics m JOIN topics t ON t.id = m.topic_id GROUP BY t.name ORDER BY t.name')
      .all();
    // the clustering itself: each story as the sorted keys of its items (ids differ between databases)
    const rows = db
      .prepare(`SELECT i.story_id AS story, coalesce(i.canonical_url, f.url || ' ' || i.guid) AS key FROM items i JOIN feeds f ON f.id = i.feed_id`)
      .all() as { story: number; key: string }[];
    const byStory = new Map<number, string[]>();
    for (const r of rows) byStory.set(r.story, [...(byStory.get(r.story) ?? []), r.key.replace(/127\.0\.0\.1:\d+/, 'host')]);
    const clusters = [...byStory.values()].map((keys) => keys.sort().join(' | ')).sort();
    const stories = (db.prepare('SELECT count(*) AS n FROM stories').get() as { n: number }).n;
    return { perTopic, firstCopies, stories, clusters, items: rows.length };
  } finally {
    db.close();
  }
}

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

describe('reproducible stories and moments (issue 11)', () => {
  it('concurrency 1, 2 and 8 with feeds finishing in different orders give the same stories, counts and moments', { timeout: 120_000 }, async () => {
    served = await serveSample();
    const step = 120;
    const ascending = (i: number) => i * step;
    const descending = (i: number) => (FEED_FILES.length - 1 - i) * step;
    const shuffled = (seed: number) => {
      const order = FEED_FILES.map((_, i) => i);
      let a = seed;
      for (let i = order.length - 1; i > 0; i--) {
        a = (Math.imul(a, 1103515245) + 12345) >>> 0;
        const j = a % (i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      return (i: number) => order[i]! * step;
    };
    const runs: { concurrency: number; delay: (i: number) => number }[] = [
      { concurrency: 1, delay: () => 0 },
      { concurrency: 2, delay: descending },
      { concurrency: 8, delay: ascending },
      { concurrency: 8, delay: descending },
      { concurrency: 8, delay: shuffled(7) },
      { concurrency: 8, delay: shuffled(11) },
    ];
    const results: { label: string; order: string; stories: ReturnType<typeof storiesIn>; moments: unknown }[] = [];
    for (const run of runs) {
      served.delays.clear();
      FEED_FILES.forEach((file, i) => served!.delays.set(file, run.delay(i)));
      served.finished.length = 0;
      const home = tempDir();
      const config = path.join(home, 'momentscan.yaml');
      writeFileSync(config, served.configText);
      const dbFile = path.join(home, 'm.db');
      const common = ['--config', config, '--db', dbFile];
      const fetched = await withTimeout(startCli(['fetch', ...common, '--concurrency', String(run.concurrency), '--quiet'], { home }).exited, 60_000, 'the fetch');
      expect(fetched.stderr).toBe('');
      expect(fetched.status).toBe(0);
      const moments = await withTimeout(startCli(['moments', ...common, '--as-of', AS_OF, '--json'], { home }).exited, 30_000, 'moments');
      expect(moments.status).toBe(0);
      const parsed = JSON.parse(moments.stdout) as Record<string, unknown>[];
      results.push({
        label: `concurrency ${run.concurrency}, feeds finished ${served.finished.map((f) => f.replace(/\..*$/, '')).join(' ')}`,
        order: served.finished.join(' '),
        stories: storiesIn(dbFile),
        moments: parsed.map((m) => ({
          topic: m.topic,
          kind: m.kind,
          direction: m.direction,
          score: m.score,
          start: m.start,
          peak: m.peak,
          end: m.end,
          observed: m.observed,
          totalStories: m.totalStories,
          totalItems: m.totalItems,
          storySeries: m.storySeries,
        })),
      });
    }
    // the runs really did see the feeds arrive in different orders
    expect(new Set(results.map((r) => r.order)).size).toBeGreaterThanOrEqual(4);
    const [first, ...rest] = results;
    expect(first!.stories.items).toBe(1904); // every sample item, in every run
    expect((first!.moments as unknown[]).length).toBeGreaterThan(0);
    for (const r of rest) {
      expect(r.stories.perTopic, `story counts per topic: ${r.label} vs ${first!.label}`).toEqual(first!.stories.perTopic);
      expect(r.stories.firstCopies, `first copies per topic: ${r.label}`).toEqual(first!.stories.firstCopies);
      expect(r.stories.stories, `stories: ${r.label}`).toBe(first!.stories.stories);
      expect(r.stories.clusters, `clusters: ${r.label}`).toEqual(first!.stories.clusters);
      expect(r.moments, `moments --json: ${r.label}`).toEqual(first!.moments);
    }
    // topic_quarters agrees with the matches it is kept from
    for (const r of results) {
      expect(r.stories.perTopic.map((t) => [(t as { topic: string }).topic, (t as { stories: number }).stories])).toEqual(
        r.stories.firstCopies.map((t) => [(t as { topic: string }).topic, (t as { stories: number }).stories]),
      );
    }
  });
});
