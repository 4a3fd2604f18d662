import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReplayStream } from '../../../src/enrich/stories.js';
import { storyAssigner } from '../../../src/ingest/stories.js';
import { SyncPg } from '../../../src/store/pg/bridge.js';
import { PgStore } from '../../../src/store/pg/store.js';
import { Store, type FetchRecord } from '../../../src/store/store.js';
import { freshDatabase, optionsOf } from '../../helpers/pg.js';
import { tempDir } from '../../helpers/tmp.js';
import { item, T } from '../contract.js';

// PostgreSQL's fetch write (pg/fetch-write.ts) batches what SQLite's does statement by statement, and sends
// the writes nobody waits for as one text with their values written in: the same rows must come of it,
// whatever the feed text holds.
const HOSTILE = [
  `it's "quoted" \\ back\\slash \\' E'x' $1 $2:: ?; -- not a comment`,
  `'); DROP TABLE items; --`,
  `Zürich — 東京 🚀 \u2028 tab\tnew\nline`,
];
const MIN = 60_000;

/** A run of fetches: new items, repeats, a story told by two feeds, several topics, failures with hostile text. */
function fetches(feeds: number[], topics: Map<string, number>): { rec: FetchRecord }[] {
  const ok = (feedId: number, at: number, items: ReturnType<typeof item>[], over: Partial<FetchRecord> = {}): { rec: FetchRecord } => ({
    rec: { feedId, startedAt: at, durationMs: 5, status: 'ok', httpStatus: 200, bytes: 100, error: null, etag: '"v1"', title: 'Feed', items, ...over },
  });
  const [a, b] = feeds as [number, number];
  const both = [...topics.keys()];
  return [
    ok(a, T, [
      item('a1', { title: HOSTILE[0]!, summary: HOSTILE[1]!, sentiment: 0.1, topics: both }),
      item('a2', { title: 'Acme recalls robot vacuums after fires', sentiment: -0.7, publishedAt: T + 20 * MIN }),
      item('a3', { title: HOSTILE[2]!, sentiment: 1 / 3, publishedAt: T - 40 * MIN, topics: [both[0]!, both[0]!] }),
    ]),
    ok(b, T + 5 * MIN, [
      // the same story from another feed, and an article with another guid but a canonical URL seen here
      item('b1', { title: 'Acme recalls robot vacuums after fires', canonicalUrl: 'https://other.example/recall', sentiment: 0.3, publishedAt: T + 25 * MIN, topics: both }),
      item('b2', { title: 'Acme opens a plant', canonicalUrl: 'https://other.example/plant', sentiment: null }),
      item('b3', { title: 'Acme opens a plant (update)', canonicalUrl: 'https://other.example/plant', sentiment: 0.2 }),
    ]),
    { rec: { feedId: b, startedAt: T + 6 * MIN, durationMs: 1, status: 'failed', httpStatus: 500, bytes: null, error: HOSTILE[1]!, notice: HOSTILE[0]!, nextDueAt: T + 60 * MIN } },
    // again: a1 and a2 are known, a4 is new; a sentiment whose sums are not exact in binary
    ok(a, T + 30 * MIN, [item('a1'), item('a2'), item('a4', { title: 'Acme robot vacuums: the recall widens', sentiment: 0.1 + 0.2, publishedAt: T + 29 * MIN, topics: both })], {
      title: HOSTILE[0]!,
      etag: HOSTILE[1]!,
      lastModified: HOSTILE[2]!,
    }),
    ok(b, T + 31 * MIN, [], { status: 'not-modified', httpStatus: 304 }),
  ];
}

const TABLES = {
  items: 'SELECT id, feed_id, guid, title, summary, canonical_url, story_id, sentiment, published_at FROM items ORDER BY id',
  stories: 'SELECT id, signature, title, first_at, last_at FROM stories ORDER BY id',
  story_topics: 'SELECT story_id, topic_id, first_at FROM story_topics ORDER BY story_id, topic_id',
  item_topics: 'SELECT topic_id, published_at, item_id, sentiment, story_first FROM item_topics ORDER BY item_id, topic_id',
  topic_quarters: 'SELECT topic_id, slot, stories, items, scored, sentiment_sum, sentiment_sq FROM topic_quarters ORDER BY topic_id, slot',
  fetch_log: 'SELECT feed_id, status, items_seen, items_new, error, notice, overflow FROM fetch_log ORDER BY id',
  feeds: 'SELECT id, title, etag, last_modified, last_status, last_error, consecutive_failures FROM feeds ORDER BY id',
};

describe("PostgreSQL's batched fetch write", () => {
  it('leaves the rows SQLite leaves (ids, stories, matches, first copies, exact sums), hostile text kept as it was', () => {
    const dump = (all: (sql: string) => unknown[]) => Object.fromEntries(Object.entries(TABLES).map(([t, sql]) => [t, all(sql)]));
    const run = (store: Store) => {
      const topics = store.syncTopics([{ name: 'Acme', definition: 'acme' }, { name: 'Robots', definition: 'robot' }]);
      const topicIds = new Map(topics.map((t) => [t.name, t.id]));
      const feeds = store.ensureFeeds(['https://a.example/rss', 'https://b.example/rss'], T).map((f) => f.id);
      // provisional stories on both (PostgreSQL makes them; SQLite only for an assigner not `pending`), so
      // that the replay leaves the same story ids
      const stories = { ...storyAssigner(), pending: false };
      const results = store.together(() => fetches(feeds, topicIds).map(({ rec }) => store.saveFetch(rec, topicIds, stories)));
      store.replayStories((known) => new ReplayStream(known, { memoryMs: 30 * 86_400_000 }), { windowMs: 2 * 86_400_000, memoryMs: 30 * 86_400_000 });
      return results;
    };
    const file = path.join(tempDir(), 'm.db');
    const lite = Store.open(file);
    const url = freshDatabase('write');
    const pgStore = PgStore.open(url);
    try {
      const saved = [run(lite), run(pgStore)];
      expect(saved[1]).toEqual(saved[0]);
      expect(saved[0]!.map((r) => r.new)).toEqual([3, 2, 0, 1, 0]);
      const pg = SyncPg.connect(optionsOf(url));
      try {
        const fromLite = dump((sql) => lite.db.prepare(sql).all());
        const fromPg = dump((sql) => pg.query(sql).rows);
        expect(fromPg).toEqual(fromLite);
        const items = fromPg.items as { title: string; summary: string }[];
        expect(items.map((i) => i.title)).toEqual(expect.arrayContaining([HOSTILE[0], HOSTILE[2]]));
        expect(items.some((i) => i.summary === HOSTILE[1])).toBe(true);
        expect(fromPg.feeds).toEqual([
          expect.objectContaining({ title: HOSTILE[0], etag: HOSTILE[1], last_modified: HOSTILE[2] }),
          expect.objectContaining({ last_status: 'not-modified', last_error: null }),
        ]);
        expect(fromPg.fetch_log).toContainEqual(expect.objectContaining({ status: 'failed', error: HOSTILE[1], notice: HOSTILE[0] }));
        // the next ids continue where this save's left off (ids taken and not used are given back)
        expect(pg.query("SELECT nextval(pg_get_serial_sequence('items', 'id')) AS n").rows[0]).toEqual({ n: (items.length as number) + 1 });
      } finally {
        pg.close();
      }
    } finally {
      lite.close();
      pgStore.close();
    }
  });
});
