import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/core/errors.js';
import type { EnrichedItem } from '../../src/core/types.js';
import { SCHEMA_VERSION } from '../../src/store/db.js';
import { replayStories } from '../../src/enrich/stories.js';
import { NO_STORIES, Store, type StoryReplayer } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';

const T = Date.UTC(2026, 10, 20, 9);

function item(guid: string, over: Partial<EnrichedItem> = {}): EnrichedItem {
  return {
    guid,
    title: `Acme item ${guid}`,
    summary: '',
    link: `https://news.example/${guid}`,
    canonicalUrl: `https://news.example/${guid}`,
    author: null,
    source: 'News',
    sourceDomain: 'news.example',
    publishedAt: T,
    dateEstimated: false,
    sentiment: 0.1,
    language: 'en',
    topics: ['Acme'],
    ...over,
  };
}

function setup() {
  const file = path.join(tempDir(), 'sub', 'm.db');
  const store = Store.open(file);
  const [topic] = store.syncTopics([{ name: 'Acme', definition: 'd1' }]);
  const topicIds = new Map([['Acme', topic!.id]]);
  const [a, b] = store.ensureFeeds(['https://a.example/rss', 'https://b.example/rss'], T);
  const save = (feedId: number, items: EnrichedItem[]) =>
    store.saveFetch({ feedId, startedAt: T, durationMs: 5, status: 'ok', httpStatus: 200, bytes: 100, error: null, etag: '"v1"', items }, topicIds);
  return { file, store, topicId: topic!.id, feedA: a!.id, feedB: b!.id, save };
}

describe('store', () => {
  it('creates the file and its folder, in WAL mode, at the current schema version', () => {
    const { file, store } = setup();
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    store.close();
    expect(readFileSync(file).subarray(0, 15).toString()).toBe('SQLite format 3');
  });

  it('lists every item of a period without a limit (items --all), however many: 200,000 here', () => {
    const { store, feedA, topicId } = setup();
    const add = store.db.prepare(
      `INSERT INTO items (feed_id, guid, title, published_at, fetched_at) VALUES (?, ?, 'x', ?, ?)`,
    );
    const match = store.db.prepare('INSERT INTO item_topics (topic_id, published_at, item_id) VALUES (?, ?, ?)');
    store.db.transaction(() => {
      for (let i = 0; i < 200_000; i++) match.run(topicId, T + i, Number(add.run(feedA, `g${i}`, T + i, T).lastInsertRowid));
    })();
    const counted = { total: 0 };
    const rows = store.listItems({ from: T, to: T + 200_000, limit: -1, counted });
    expect(rows).toHaveLength(200_000);
    expect(counted.total).toBe(200_000);
    expect(rows[0]!.topicIds).toEqual([topicId]);
  });

  it('re-fetching the same items never duplicates them', () => {
    const { store, save, feedA, topicId } = setup();
    expect(save(feedA, [item('1'), item('2')])).toEqual({ new: 2, seen: 0, overflow: false });
    expect(save(feedA, [item('1'), item('2'), item('3')])).toEqual({ new: 1, seen: 2, overflow: false });
    expect(store.itemsBetween(topicId, 0, T + 1)).toHaveLength(3);
  });

  it('the same article under a new guid in one feed is one item; from another feed it is that feed\'s own item (canonical URL)', () => {
    const { store, save, feedA, feedB, topicId } = setup();
    save(feedA, [item('1')]);
    expect(save(feedA, [item('changed-guid', { canonicalUrl: 'https://news.example/1' })])).toEqual({ new: 0, seen: 1, overflow: false });
    // another feed carrying the article does not make it vanish from that feed, nor stand in for it
    expect(save(feedB, [item('other-guid', { canonicalUrl: 'https://news.example/1', title: 'Made-up title' })])).toEqual({ new: 1, seen: 0, overflow: false });
    expect(save(feedB, [item('other-guid-2', { canonicalUrl: 'https://news.example/1' })])).toEqual({ new: 0, seen: 1, overflow: false });
    expect(store.itemsBetween(topicId, 0, T + 1).map((i) => i.title).sort()).toEqual(['Acme item 1', 'Made-up title']);
  });

  it('a fetch repeating an item (same guid, or same article under another guid) stores it once; items keep the feed\'s order', () => {
    const { store, save, feedA } = setup();
    const items = [
      item('b', { publishedAt: T - 1000 }),
      item('a', { publishedAt: T - 5000 }),
      item('b', { publishedAt: T - 9000, title: 'Acme item b, again' }),
      item('c', { canonicalUrl: 'https://news.example/a', publishedAt: T - 7000 }),
      item('d', { publishedAt: T - 3000 }),
    ];
    expect(save(feedA, items)).toEqual({ new: 3, seen: 2, overflow: false });
    expect(store.db.prepare('SELECT guid FROM items ORDER BY id').pluck().all()).toEqual(['b', 'a', 'd']);
    // every stored item is in a story from the start
    expect(store.db.prepare('SELECT count(*) FROM items WHERE story_id IS NULL').pluck().get()).toBe(0);
  });

  it('saves made together commit together, or not at all', () => {
    const { store, save, feedA, feedB } = setup();
    store.together(() => {
      save(feedA, [item('1')]);
      save(feedB, [item('2')]);
    });
    expect(store.db.prepare('SELECT count(*) FROM items').pluck().get()).toBe(2);
    store.db.exec(`CREATE TRIGGER fail BEFORE INSERT ON items WHEN NEW.guid = 'bad' BEGIN SELECT RAISE(FAIL, 'disk I/O error'); END`);
    expect(() =>
      store.together(() => {
        save(feedA, [item('3')]);
        save(feedB, [item('4'), item('bad')]);
      }),
    ).toThrow(StoreError);
    expect(store.db.prepare('SELECT guid FROM items ORDER BY id').pluck().all()).toEqual(['1', '2']);
    expect(store.db.prepare('SELECT count(*) FROM fetch_log').pluck().get()).toBe(2);
  });

  it('flags a fetch that brings only unseen items from a feed that had items (it may be overflowing)', () => {
    const { store, save, feedA, feedB } = setup();
    expect(save(feedA, [item('1'), item('2')]).overflow).toBe(false); // first fetch: nothing to compare with
    expect(save(feedA, [item('3'), item('4')]).overflow).toBe(true);
    expect(save(feedA, [item('4'), item('5')]).overflow).toBe(false);
    expect(save(feedB, []).overflow).toBe(false);
    const logged = store.db.prepare('SELECT overflow FROM fetch_log ORDER BY id').pluck().all();
    expect(logged).toEqual([0, 1, 0, 0]);
  });

  it('counts per bucket with sentiment sums, for the topic only', () => {
    const { store, save, feedA, topicId } = setup();
    const H = 3_600_000;
    save(feedA, [
      item('1', { publishedAt: T, sentiment: 0.5 }),
      item('2', { publishedAt: T + H, sentiment: -0.5 }),
      item('3', { publishedAt: T + 7 * H, sentiment: null }),
      item('4', { publishedAt: T, topics: [] }),
    ]);
    const buckets = store.bucketCounts(topicId, 0, T + 24 * H, 6 * H);
    expect(buckets).toEqual([
      { start: Date.UTC(2026, 10, 20, 6), count: 2, items: 2, scored: 2, sentimentSum: 0, sentimentSumSq: 0.5 },
      { start: Date.UTC(2026, 10, 20, 12), count: 1, items: 1, scored: 0, sentimentSum: 0, sentimentSumSq: 0 },
    ]);
    expect(store.firstItemAt(topicId)).toBe(T);
  });

  it('a failed fetch is logged and counted without touching the stored validators', () => {
    const { store, save, feedA } = setup();
    save(feedA, [item('1')]);
    store.saveFetch({ feedId: feedA, startedAt: T + 1, durationMs: 3, status: 'failed', httpStatus: 500, bytes: null, error: 'HTTP 500' }, new Map());
    store.saveFetch({ feedId: feedA, startedAt: T + 2, durationMs: 3, status: 'failed', httpStatus: null, bytes: null, error: 'timed out' }, new Map());
    const [feed] = store.ensureFeeds(['https://a.example/rss'], T);
    expect(feed).toMatchObject({ etag: '"v1"', consecutiveFailures: 2 });
    const log = store.db.prepare('SELECT status, error FROM fetch_log ORDER BY id').all();
    expect(log).toEqual([
      { status: 'ok', error: null },
      { status: 'failed', error: 'HTTP 500' },
      { status: 'failed', error: 'timed out' },
    ]);
  });

  it('re-matching a changed topic replaces its matches', () => {
    const { store, save, feedA, topicId } = setup();
    save(feedA, [item('1'), item('2')]);
    const [row] = store.syncTopics([{ name: 'Acme', definition: 'd2' }]);
    expect(row!.changed).toBe(true);
    const all = [...store.itemTexts(1)].flat();
    expect(all).toHaveLength(2);
    store.replaceTopicMatches(topicId, 'd2', [all[0]!]);
    expect(store.itemsBetween(topicId, 0, T + 1)).toHaveLength(1);
    expect(store.syncTopics([{ name: 'Acme', definition: 'd2' }])[0]!.changed).toBe(false);
  });

  it('remembers when a moment was first seen; lists those known by a given time', () => {
    const { store, topicId } = setup();
    const m = {
      topic: 'Acme', kind: 'volume-spike' as const, direction: 'up' as const, score: 9, pValue: 1e-9, start: T, peak: T, end: T + 1, bucketMs: 1,
      ongoing: true, stage: 'new' as const, firedAt: T + 1, alerts: 1, alertedAt: T + 1, storySeries: [9], hoursSinceOnset: 1, growth: null, observed: 9, expected: 1, totalStories: 9, totalItems: 9, expectedTotal: 1, sourceTypes: [], sentimentNow: null, sentimentBaseline: null, sentimentItems: 0,
      distinctSources: 1, topSources: [], topTerms: [], examples: [], caveats: [],
    };
    expect(store.saveMoments([{ topicId, moment: m }], T + 10)).toEqual([{ firstSeenAt: T + 10, isNew: true }]);
    expect(store.saveMoments([{ topicId, moment: { ...m, score: 12 } }], T + 20)).toEqual([{ firstSeenAt: T + 10, isNew: false }]);
    // a run at T + 100 reports one that starts at T + 50: not known at T + 20, nor at T + 60
    store.saveMoments([{ topicId, moment: { ...m, start: T + 50, peak: T + 50, end: T + 51 } }], T + 100);
    const starts = (knownBy?: number) => store.momentsSeenSince(0, knownBy).map((r) => r.moment.start);
    expect(starts().sort()).toEqual([T, T + 50]);
    expect(starts(T + 20)).toEqual([T]);
    expect(starts(T + 60)).toEqual([T]);
    expect(starts(T + 5)).toEqual([]);
    expect(starts(T + 100).sort()).toEqual([T, T + 50]);
  });

  it.each([
    ['a text file', 'hello, this is not a database\n'],
    ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256))],
  ])('refuses %s with a clear error and leaves it untouched', (_what, content) => {
    const file = path.join(tempDir(), 'x.db');
    writeFileSync(file, content);
    expect(() => Store.open(file)).toThrow(StoreError);
    expect(() => Store.open(file)).toThrow(/not a momentscan database/);
    expect(readFileSync(file)).toEqual(Buffer.from(content));
  });

  it("refuses another program's SQLite database", () => {
    const file = path.join(tempDir(), 'other.db');
    const db = new Database(file);
    db.exec('CREATE TABLE notes (x)');
    db.close();
    expect(() => Store.open(file)).toThrow(/not a momentscan database/);
  });

  it('refuses a database from a newer momentscan and leaves it untouched', () => {
    const { file, store } = setup();
    store.db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    store.close();
    const before = readFileSync(file);
    expect(() => Store.open(file)).toThrow(/newer than this momentscan understands/);
    expect(readFileSync(file)).toEqual(before);
  });

  it.each([
    ["another program's SQLite database (rollback journal)", (db: Database.Database) => db.exec('CREATE TABLE notes (x)'), /not a momentscan database/],
    ['a momentscan database from a newer version (rollback journal)', (db: Database.Database) => {
      db.exec('CREATE TABLE feeds (id INTEGER PRIMARY KEY)');
      db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    }, /newer than this momentscan understands/],
  ])('refuses %s without changing a byte of it (no switch to WAL)', (_what, make, message) => {
    const file = path.join(tempDir(), 'other.db');
    const db = new Database(file);
    make(db);
    db.close();
    const before = readFileSync(file);
    expect(before[18]).toBe(1); // legacy (rollback journal) format: a switch to WAL would make it 2
    expect(() => Store.open(file)).toThrow(message);
    expect(readFileSync(file)).toEqual(before);
  });

  it('refuses to open a damaged database for writing, even when the damage is in pages a fetch would not read, and leaves it as it was', () => {
    const { file, store, save, feedA } = setup();
    save(feedA, Array.from({ length: 300 }, (_, i) => item(String(i), { summary: 'x'.repeat(500) })));
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    const bytes = readFileSync(file);
    bytes.fill(0xa5, 4096 * 20, 4096 * 21); // one page of item rows, none of the pages a new fetch starts from
    writeFileSync(file, bytes);
    expect(() => Store.open(file)).toThrow(StoreError);
    expect(() => Store.open(file)).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: database is damaged \\(`));
    expect(readFileSync(file)).toEqual(bytes);
    // reading what is still readable is allowed
    expect(() => Store.open(file, { readonly: true }).close()).not.toThrow();
  });

  it('a damaged database gives a one-line error naming the file', () => {
    const { file, store, save, feedA } = setup();
    save(feedA, Array.from({ length: 300 }, (_, i) => item(String(i), { summary: 'x'.repeat(500) })));
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    const bytes = readFileSync(file);
    bytes.fill(0xa5, 4096 * 2, 4096 * 6); // clobber pages in the middle, keep the header
    writeFileSync(file, bytes);
    let message = '';
    try {
      const s = Store.open(file);
      s.bucketCounts(1, 0, Number.MAX_SAFE_INTEGER, 1000);
      s.itemsBetween(1, 0, Number.MAX_SAFE_INTEGER);
      s.close();
    } catch (err) {
      expect(err).toBeInstanceOf(StoreError);
      message = (err as Error).message;
    }
    expect(message).toContain(file);
    expect(message).toMatch(/damaged|not a momentscan database/);
  });

  describe('replayed stories', () => {
    const HOUR = 3_600_000;
    const REPLAY = { windowMs: 48 * HOUR, memoryMs: 30 * 24 * HOUR };
    const replayer: StoryReplayer = (known, items) => replayStories(known, items, { memoryMs: REPLAY.memoryMs });
    const title = 'Acme Robotics recalls 50,000 Glide robot vacuums';

    it('settles stories saved in arrival order into canonical ones: first copy, story_topics and quarter-hour counts', () => {
      const { store, save, feedA, feedB, topicId } = setup();
      // the later copy arrives first; saved without clustering, each copy is a story of its own
      save(feedB, [item('late', { title: `${title} - Daily Ledger`, publishedAt: T, sentiment: -0.5 })]);
      save(feedA, [item('early', { title, publishedAt: T - 2 * HOUR, sentiment: 0.25 })]);
      expect(store.db.prepare('SELECT replay_from FROM story_state').pluck().get()).toBe(T - 2 * HOUR);
      expect(store.bucketCounts(topicId, 0, T + 1, HOUR).reduce((n, b) => n + b.count, 0)).toBe(2);

      const summary = store.replayStories(replayer, REPLAY);
      expect(summary).toMatchObject({ from: T - 2 * HOUR, items: 2, moved: 1, storiesCreated: 0, storiesDropped: 1, firstsChanged: 1 });
      expect(store.db.prepare('SELECT replay_from, generation FROM story_state').get()).toEqual({ replay_from: null, generation: 1 });
      const stories = store.db.prepare('SELECT id, title, first_at AS firstAt, last_at AS lastAt FROM stories').all() as { id: number }[];
      expect(stories).toEqual([{ id: stories[0]!.id, title, firstAt: T - 2 * HOUR, lastAt: T }]);
      expect(new Set(store.itemsBetween(topicId, 0, T + 1).map((i) => i.storyId))).toEqual(new Set([stories[0]!.id]));
      expect(store.db.prepare('SELECT story_id, topic_id, first_at FROM story_topics').raw().all()).toEqual([[stories[0]!.id, topicId, T - 2 * HOUR]]);
      expect(store.bucketCounts(topicId, 0, T + 1, HOUR).reduce((n, b) => n + b.count, 0)).toBe(1);
      // the early copy's tone is the story's
      expect(store.bucketCounts(topicId, T - 2 * HOUR, T + HOUR, HOUR)).toEqual([
        { start: T - 2 * HOUR, count: 1, items: 1, scored: 1, sentimentSum: 0.25, sentimentSumSq: 0.0625 },
        { start: T, count: 0, items: 1, scored: 0, sentimentSum: 0, sentimentSumSq: 0 },
      ]);
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.db.pragma('foreign_key_check')).toEqual([]);
      // nothing new: nothing to do
      expect(store.replayStories(replayer, REPLAY)).toBeNull();
    });

    it('tells a story assigner the generation in each save, so it reloads once another fetch has replayed', () => {
      const { store, feedA, topicId } = setup();
      const seen: number[] = [];
      const assigner = { ...NO_STORIES, sync: (g: number) => void seen.push(g) };
      const save = (guid: string) =>
        store.saveFetch({ feedId: feedA, startedAt: T, durationMs: 1, status: 'ok', httpStatus: 200, bytes: 1, error: null, items: [item(guid)] }, new Map([['Acme', topicId]]), assigner);
      save('1');
      store.replayStories(replayer, REPLAY);
      save('2');
      save('2'); // nothing new: nothing to assign
      expect(seen).toEqual([0, 1]);
    });

    it('upgrades a database from before replays: when each story first matched each topic, how far ahead items were published', () => {
      const { file, store, save, feedA, topicId } = setup();
      save(feedA, [item('1', { publishedAt: T - HOUR }), item('2', { publishedAt: T + 3 * HOUR })]); // fetched at T
      // back to schema 8 (undoing 16, 14, 13, 11, 10, then 9; 12 and 15 create only what is missing)
      store.db.exec(`
        DROP TABLE item_accounts; DROP TABLE account_contacts; DROP TABLE accounts; DROP TABLE account_state; ALTER TABLE items DROP COLUMN author_email;
        DROP TABLE topic_quarter_weeks; DROP TABLE engine_states; DROP TRIGGER topic_quarters_insert; DROP TRIGGER topic_quarters_update; DROP TRIGGER topic_quarters_move; DROP TRIGGER topic_quarters_delete;
        DROP INDEX items_canonical_url_feed; CREATE UNIQUE INDEX items_canonical_url ON items(canonical_url) WHERE canonical_url IS NOT NULL;
        ALTER TABLE topic_quarters RENAME TO topic_hours; ALTER TABLE topic_hours RENAME COLUMN slot TO hour;
        ALTER TABLE stories DROP COLUMN follows_id; DROP INDEX items_fetched; DROP TABLE story_state;
        CREATE TABLE st (story_id INTEGER NOT NULL, topic_id INTEGER NOT NULL, PRIMARY KEY (story_id, topic_id)) WITHOUT ROWID;
        INSERT INTO st SELECT story_id, topic_id FROM story_topics; DROP TABLE story_topics; ALTER TABLE st RENAME TO story_topics;`);
      store.db.pragma('user_version = 8');
      store.close();
      const again = Store.open(file);
      expect(again.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(again.db.prepare('SELECT replay_from, max_lead, generation FROM story_state').get()).toEqual({ replay_from: null, max_lead: 3 * HOUR, generation: 0 });
      expect(again.db.prepare('SELECT i.published_at, s.first_at, s.topic_id FROM story_topics s JOIN items i ON i.story_id = s.story_id ORDER BY 1').raw().all()).toEqual([
        [T - HOUR, T - HOUR, topicId],
        [T + 3 * HOUR, T + 3 * HOUR, topicId],
      ]);
      expect(again.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'items_fetched'").pluck().get()).toBe(1);
      again.close();
    });
  });
});
