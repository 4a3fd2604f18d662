import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Bucket, EnrichedItem } from '../../src/core/types.js';
import { ReplayStream } from '../../src/enrich/stories.js';
import { COUNTS_WEEK_MS, QUARTER_MS, SCHEMA_VERSION, migrate } from '../../src/store/db.js';
import { NO_STORIES, SqliteStore, Store, type StoryAssigner, type StoryReplayer } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';
import { rng } from '../helpers/rng.js';

// The per-topic counts by quarter hour (topic_quarters): Store.bucketCounts gives what grouping the
// matches (item_topics) gives, for buckets that are whole quarters (rolled up from the counts) and for
// those that are not (grouped from the matches), over any range, however the counts were written:
// at ingest, by the story replay, by re-matching a topic, by a rebuild, by the migration from schema 9.
// Sentiments are multiples of 1/16, so sums are exact in any order and the comparisons are exact too.

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 1);
const SIZES = [15 * MIN, HOUR, 6 * HOUR, DAY, 45 * MIN, 10 * MIN, 7 * MIN, 1000];
const REPLAY = { windowMs: 48 * HOUR, memoryMs: 30 * DAY };
const replayer: StoryReplayer = (known) => new ReplayStream(known, { memoryMs: REPLAY.memoryMs });
const TOPICS = ['Acme', 'Globex', 'Initech'];
const HEADLINES = [
  'Acme Robotics recalls 50,000 Glide robot vacuums',
  'Globex opens its first Lisbon data centre',
  'Initech cuts 300 jobs in restructuring',
  'Acme and Globex settle patent dispute over lidar sensors',
  'Regulator fines Initech over late filings',
  'Whitfield named chief executive of Globex',
];

/** Items over `days` from `start`: a few headlines retold by several outlets, some on quarter boundaries. */
function items(r: () => number, n: number, start: number, days: number, prefix: string): EnrichedItem[] {
  return Array.from({ length: n }, (_, i) => {
    const edge = r() < 0.15;
    const publishedAt = edge ? start + Math.floor(r() * days * 96) * QUARTER_MS - (r() < 0.5 ? 1 : 0) : start + Math.floor(r() * days * DAY);
    const headline = HEADLINES[Math.floor(r() * HEADLINES.length)]!;
    const outlet = ['Daily Ledger', 'Wire', 'Tech Brief'][Math.floor(r() * 3)]!;
    const topics = TOPICS.filter(() => r() < 0.6);
    return {
      guid: `${prefix}${i}`,
      title: r() < 0.5 ? headline : `${headline} - ${outlet}`,
      summary: '',
      link: null,
      canonicalUrl: `https://news.example/${prefix}${i}`,
      author: null,
      source: outlet,
      sourceDomain: null,
      publishedAt,
      dateEstimated: false,
      sentiment: r() < 0.2 ? null : Math.round((r() * 2 - 1) * 16) / 16,
      language: 'en',
      topics: topics.length > 0 ? topics : ['Acme'],
    };
  });
}

/** Provisional stories at ingest: same title, same story (forgotten when a replay has changed them). */
function byTitle(): StoryAssigner {
  const ids = new Map<string, number>();
  let generation = -1;
  return {
    find: (it) => ids.get(it.title) ?? null,
    signature: (it) => it.title.toLowerCase(),
    stored: (id, it) => void ids.set(it.title, id),
    covers: () => false,
    sync: (g) => {
      if (g !== generation) ids.clear();
      generation = g;
    },
  };
}

/** What grouping the matches gives: the reference. */
function grouped(db: Database.Database, topicId: number, from: number, to: number, bucketMs: number): Bucket[] {
  return db
    .prepare(
      `SELECT (published_at / ${bucketMs}) * ${bucketMs} AS start, total(story_first) AS count, count(*) AS items,
              total(story_first AND sentiment IS NOT NULL) AS scored,
              total(CASE WHEN story_first THEN sentiment END) AS sentimentSum,
              total(CASE WHEN story_first THEN sentiment * sentiment END) AS sentimentSumSq
       FROM item_topics WHERE topic_id = ? AND published_at >= ? AND published_at < ? GROUP BY 1 ORDER BY 1`,
    )
    .all(topicId, from, to) as Bucket[];
}

/** topic_quarters holds exactly what the matches add up to, slot by slot. */
function expectCountsKept(db: Database.Database): void {
  const kept = db.prepare('SELECT topic_id, slot, stories, items, scored, sentiment_sum, sentiment_sq FROM topic_quarters WHERE items > 0 ORDER BY 1, 2').raw().all();
  const want = db
    .prepare(
      `SELECT topic_id, (published_at / ${QUARTER_MS}) * ${QUARTER_MS}, total(story_first), count(*), total(story_first AND sentiment IS NOT NULL),
              total(CASE WHEN story_first THEN sentiment END), total(CASE WHEN story_first THEN sentiment * sentiment END)
       FROM item_topics GROUP BY 1, 2 ORDER BY 1, 2`,
    )
    .raw()
    .all();
  expect(kept).toEqual(want);
  expect(db.prepare('SELECT count(*) FROM topic_quarters WHERE items = 0').pluck().get()).toBe(0);
  expectWeeksKept(db);
}

/** Every week cached in topic_quarter_weeks holds exactly that week's rows of topic_quarters; returns how many are. */
function expectWeeksKept(db: Database.Database): number {
  const weeks = db.prepare('SELECT topic_id, week, data FROM topic_quarter_weeks ORDER BY 1, 2').raw().all() as [number, number, Buffer][];
  const rows = db.prepare('SELECT slot, stories, items, scored, sentiment_sum, sentiment_sq FROM topic_quarters WHERE topic_id = ? AND slot >= ? AND slot < ? ORDER BY slot').raw();
  for (const [t, w, data] of weeks) {
    const cached = Array.from(new Float64Array(new Uint8Array(data).buffer));
    expect(cached, `topic ${t}, week ${w}`).toEqual((rows.all(t, w * COUNTS_WEEK_MS, (w + 1) * COUNTS_WEEK_MS) as number[][]).flat());
  }
  return weeks.length;
}

/** bucketCounts = grouping the matches, for every size, over aligned and unaligned ranges. */
function expectBucketsAsGrouped(store: SqliteStore, topicIds: number[], seed: number, start: number, days: number): void {
  const r = rng(seed);
  const span = (days + 2) * DAY;
  const ranges: [number, number][] = [[-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], [start - DAY, start + span]];
  for (let k = 0; k < 12; k++) {
    const a = start - DAY + Math.floor(r() * span);
    const b = a + 1 + Math.floor(r() * (span / 2));
    ranges.push([a, b]); // any ms
    ranges.push([a - (a % QUARTER_MS), b]); // from a quarter's start, to inside one
    ranges.push([a - (a % DAY), b - (b % HOUR) + 1]); // an evaluation just after an hour
  }
  let compared = 0;
  for (const t of topicIds) {
    for (const size of SIZES) {
      for (const [k, [from, to]] of ranges.entries()) {
        const want = grouped(store.db, t, from, to, size);
        expect(store.bucketCounts(t, from, to, size), `topic ${t}, ${size / MIN} min buckets over [${from}, ${to})`).toEqual(want);
        // the same numbers read into memory a worker thread shares (what a two-thread evaluation asks
        // for), on a few of the ranges: the whole one, and one of each kind
        if (k < 5) {
          const shared = store.packedBucketCounts(t, from, to, size, true);
          expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
          expect(Array.from(shared)).toEqual(Array.from(store.packedBucketCounts(t, from, to, size)));
        }
        compared += want.length;
      }
    }
  }
  expect(compared).toBeGreaterThan(1000);
  // what was read was cached (the next write must empty what it changes: expectCountsKept checks that)
  expect(expectWeeksKept(store.db)).toBeGreaterThan(0);
}

function setup(assigner: StoryAssigner = byTitle()) {
  const file = path.join(tempDir(), 'm.db');
  const store = Store.open(file);
  const topics = store.syncTopics(TOPICS.map((name) => ({ name, definition: `d-${name}` })));
  const topicIds = new Map(topics.map((t) => [t.name, t.id]));
  const feeds = store.ensureFeeds(['https://a.example/rss', 'https://b.example/rss', 'https://c.example/rss'], T0);
  const save = (feed: number, list: EnrichedItem[], startedAt = T0 + 20 * DAY) =>
    store.saveFetch(
      { feedId: feeds[feed]!.id, startedAt, durationMs: 1, status: 'ok', httpStatus: 200, bytes: 1, error: null, items: list },
      topicIds,
      assigner,
    );
  return { file, store, ids: [...topicIds.values()], save };
}

describe('quarter-hour counts per topic', () => {
  it.each([
    [1, 'provisional stories by title'],
    [2, 'provisional stories by title'],
    [3, 'provisional stories by title'],
    [4, "no story until the replay (a fetch's saves)"],
  ])('bucketCounts is what grouping the matches gives, after ingest, replay, re-matching and a rebuild (seed %i, %s)', (seed, saved) => {
    const r = rng(seed);
    const { store, ids, save } = setup(saved.startsWith('no story') ? { ...NO_STORIES, pending: true } : byTitle());
    // three feeds, saved in an order that is not the items' (provisional stories, then a replay)
    const batch = items(r, 400, T0 + 3 * DAY, 10, 'n');
    save(2, batch.slice(0, 150));
    save(0, batch.slice(150, 300));
    save(1, batch.slice(300));
    expectCountsKept(store.db);
    expectBucketsAsGrouped(store, ids, seed * 10 + 1, T0, 14);

    expect(store.replayStories(replayer, REPLAY)).not.toBeNull();
    expect(store.db.prepare('SELECT count(*) FROM item_topics WHERE story_first = 0').pluck().get()).toBeGreaterThan(50);
    expectCountsKept(store.db);
    expectBucketsAsGrouped(store, ids, seed * 10 + 2, T0, 14);

    // a later fetch brings older items: the replay rewrites the counts from their hour on
    save(0, items(r, 150, T0, 6, 'o'));
    expect(store.replayStories(replayer, REPLAY)!.from).toBeLessThan(T0 + 3 * DAY);
    expectCountsKept(store.db);
    expectBucketsAsGrouped(store, ids, seed * 10 + 3, T0, 14);

    // re-matching a topic: half its items
    const matched = [...store.itemTexts()].flat().filter((m) => m.id % 2 === 0);
    store.replaceTopicMatches(ids[1]!, 'd-Globex-2', matched);
    expectCountsKept(store.db);
    expectBucketsAsGrouped(store, ids, seed * 10 + 4, T0, 14);

    // rescored sentiments, then the rebuild rescore does
    store.db.prepare("UPDATE item_topics SET sentiment = CASE WHEN sentiment IS NULL THEN 0.25 WHEN item_id % 3 = 0 THEN NULL ELSE -sentiment END").run();
    store.rebuildTopicCounts();
    expectCountsKept(store.db);
    expectBucketsAsGrouped(store, ids, seed * 10 + 5, T0, 14);
    store.close();
  });

  it('around 1970, where slots are keyed by truncation (slot 0 holds the quarters either side of it)', () => {
    const { store, ids, save } = setup();
    const near = [-HOUR - 1, -HOUR, -20 * MIN, -QUARTER_MS, -QUARTER_MS + 1, -1, 0, 1, 5 * MIN, QUARTER_MS - 1, QUARTER_MS, 20 * MIN, HOUR];
    const list = near.map((at, i) => ({ ...items(rng(i), 1, 0, 1, `z${i}`)[0]!, publishedAt: at, topics: ['Acme'] }));
    save(0, list, 2 * HOUR);
    expectCountsKept(store.db);
    expect(store.replayStories(replayer, REPLAY)!.from).toBeLessThan(-HOUR);
    expectCountsKept(store.db);
    // replay from an item saved just after 1970 (pending in the first hour)
    save(1, [{ ...list[0]!, guid: 'late', canonicalUrl: 'https://news.example/late', publishedAt: 7 * MIN }], 2 * HOUR);
    expect(store.replayStories(replayer, REPLAY)!.from).toBeLessThan(0);
    expectCountsKept(store.db);
    for (const size of SIZES) {
      for (const [from, to] of [[-2 * HOUR, 2 * HOUR], [-QUARTER_MS, QUARTER_MS], [0, HOUR], [1, QUARTER_MS + 1], [-HOUR, 0], [-DAY, DAY]] as const) {
        expect(store.bucketCounts(ids[0]!, from, to, size), `${size / MIN} min over [${from}, ${to})`).toEqual(grouped(store.db, ids[0]!, from, to, size));
      }
    }
    store.close();
  });
});

describe('the counts cached by week (topic_quarter_weeks)', () => {
  const week = (t: number) => Math.trunc(t / COUNTS_WEEK_MS);

  it('another connection writing to a cached week empties it in its own transaction; a read-only connection reads without caching', () => {
    const r = rng(7);
    const { file, store, ids, save } = setup();
    save(0, items(r, 300, T0, 14, 'a'));
    const acme = ids[0]!;
    const from = T0 - DAY;
    const to = T0 + 15 * DAY;
    expect(store.bucketCounts(acme, from, to, HOUR)).toEqual(grouped(store.db, acme, from, to, HOUR));
    const cachedWeeks = store.db.prepare('SELECT week FROM topic_quarter_weeks WHERE topic_id = ? ORDER BY week').pluck();
    expect(cachedWeeks.all(acme)).toEqual(Array.from({ length: week(T0 + 14 * DAY) - week(T0) + 1 }, (_, i) => week(T0) + i));

    // a late item for Acme, saved by another momentscan (another connection) into the first cached week
    const other = Store.open(file);
    const late: EnrichedItem = { ...items(r, 1, T0, 1, 'late')[0]!, publishedAt: T0 + 2 * HOUR + 7 * MIN, sentiment: 0.5, topics: ['Acme'] };
    const topicIds = new Map(other.syncTopics(TOPICS.map((name) => ({ name, definition: `d-${name}` }))).map((t) => [t.name, t.id]));
    const feed = other.ensureFeeds(['https://a.example/rss'], T0)[0]!;
    const before = store.bucketCounts(acme, from, to, HOUR).find((b) => b.start === T0 + 2 * HOUR);
    other.saveFetch({ feedId: feed.id, startedAt: T0 + 21 * DAY, durationMs: 1, status: 'ok', httpStatus: 200, bytes: 1, error: null, items: [late] }, topicIds, byTitle());
    other.close();
    expect(cachedWeeks.all(acme)).not.toContain(week(late.publishedAt));
    expectWeeksKept(store.db);
    const after = store.bucketCounts(acme, from, to, HOUR);
    expect(after).toEqual(grouped(store.db, acme, from, to, HOUR));
    expect(after.find((b) => b.start === T0 + 2 * HOUR)!.items).toBe((before?.items ?? 0) + 1);
    expect(cachedWeeks.all(acme)).toContain(week(late.publishedAt));
    store.close();

    // read-only: the weeks not cached are read from topic_quarters, and nothing is written
    const rw = Store.open(file);
    rw.db.prepare('DELETE FROM topic_quarter_weeks').run();
    rw.close();
    const ro = Store.open(file, { readonly: true });
    for (const size of [15 * MIN, HOUR, DAY]) expect(ro.bucketCounts(acme, from, to, size)).toEqual(grouped(ro.db, acme, from, to, size));
    expect(ro.db.prepare('SELECT count(*) FROM topic_quarter_weeks').pluck().get()).toBe(0);
    ro.close();
  });

  it('saving engine states keeps, per topic, the latest state of each key and the three keys saved last', () => {
    const { store, ids } = setup();
    const [acme, globex] = [ids[0]!, ids[1]!];
    const state = (n: number) => new Uint8Array([n]);
    const kept = (topic: number) => store.db.prepare('SELECT key, at FROM engine_states WHERE topic_id = ? ORDER BY rowid').raw().all(topic);
    const save = (list: { topicId: number; key: string; at: number }[]) => expect(store.saveEngineStates(list.map((s, i) => ({ ...s, state: state(i) })), store.dataVersion())).toBe(true);
    save([{ topicId: acme, key: 'a', at: T0 }, { topicId: globex, key: 'a', at: T0 }]);
    save([{ topicId: acme, key: 'a', at: T0 + DAY }, { topicId: acme, key: 'b', at: T0 }, { topicId: acme, key: 'c', at: T0 }]);
    expect(kept(acme)).toEqual([['a', T0 + DAY], ['b', T0], ['c', T0]]);
    save([{ topicId: acme, key: 'd', at: T0 }]);
    expect(kept(acme)).toEqual([['b', T0], ['c', T0], ['d', T0]]);
    save([{ topicId: acme, key: 'b', at: T0 + DAY }, { topicId: acme, key: 'e', at: T0 }]);
    expect(kept(acme)).toEqual([['d', T0], ['b', T0 + DAY], ['e', T0]]);
    expect(kept(globex)).toEqual([['a', T0]]);
    // counts written by another connection since they were read: nothing saved
    const readAt = store.dataVersion();
    const other = new Database(store.db.name);
    other.prepare('DELETE FROM engine_states WHERE topic_id = ?').run(globex);
    other.close();
    expect(store.saveEngineStates([{ topicId: globex, key: 'a', at: T0, state: state(1) }], readAt)).toBe(false);
    expect(kept(globex)).toEqual([]);
    store.close();
  });

  it('a quarter moved to another week empties both weeks, and drops the engine states after either', () => {
    const { store, ids, save } = setup();
    save(0, items(rng(5), 200, T0, 21, 'm'));
    const acme = ids[0]!;
    store.bucketCounts(acme, T0 - DAY, T0 + 22 * DAY, HOUR);
    const weeksCached = () => store.db.prepare('SELECT count(*) FROM topic_quarter_weeks WHERE topic_id = ?').pluck().get(acme) as number;
    const all = weeksCached();
    expect(all).toBeGreaterThanOrEqual(3);
    const put = store.db.prepare("INSERT INTO engine_states (topic_id, key, at, state) VALUES (?, 'k', ?, x'00')");
    put.run(acme, T0 + 12 * DAY);
    const firstSlot = store.db.prepare('SELECT min(slot) FROM topic_quarters WHERE topic_id = ?').pluck().get(acme) as number;
    // to an empty quarter two weeks later (not a write momentscan makes: the triggers cover it anyway)
    store.db.prepare('UPDATE topic_quarters SET slot = ? WHERE topic_id = ? AND slot = ?').run(firstSlot + 2 * COUNTS_WEEK_MS + QUARTER_MS, acme, firstSlot);
    expectWeeksKept(store.db);
    expect(weeksCached()).toBeLessThanOrEqual(all - 1);
    expect(store.db.prepare('SELECT count(*) FROM engine_states').pluck().get()).toBe(0);
    store.close();
  });

  it('a range of years caches only the weeks between the first and the last quarter with counts', () => {
    const { store, ids, save } = setup();
    save(0, items(rng(3), 50, T0 + 3 * DAY, 9, 'y'));
    const acme = ids[0]!;
    expect(store.bucketCounts(acme, 0, T0 + 3650 * DAY, DAY)).toEqual(grouped(store.db, acme, 0, T0 + 3650 * DAY, DAY));
    const [lo, hi] = store.db.prepare('SELECT min(slot), max(slot) FROM topic_quarters WHERE topic_id = ?').raw().get(acme) as [number, number];
    expect(store.db.prepare('SELECT count(*) FROM topic_quarter_weeks WHERE topic_id = ?').pluck().get(acme)).toBe(week(hi) - week(lo) + 1);
    store.close();
  });
});

describe('migration to schema 10 (hourly counts to quarter-hour counts)', () => {
  /** A schema-9 database, as the previous momentscan made it, with matches and their hourly counts. */
  function schema9(file: string): void {
    const db = new Database(file);
    migrate(db, 0, 9);
    expect(db.pragma('user_version', { simple: true })).toBe(9);
    db.prepare("INSERT INTO feeds (id, url, created_at) VALUES (1, 'https://a.example/rss', 0)").run();
    db.prepare("INSERT INTO topics (id, name, definition) VALUES (1, 'Acme', 'd1'), (2, 'Globex', 'd2')").run();
    const item = db.prepare("INSERT INTO items (id, feed_id, guid, title, published_at, fetched_at, sentiment) VALUES (?, 1, ?, 't', ?, ?, ?)");
    const match = db.prepare('INSERT INTO item_topics (topic_id, published_at, item_id, sentiment, story_first) VALUES (?, ?, ?, ?, ?)');
    const r = rng(7);
    db.transaction(() => {
      for (let i = 1; i <= 2000; i++) {
        const at = T0 + Math.floor(r() * 20 * DAY);
        const s = r() < 0.2 ? null : Math.round((r() * 2 - 1) * 16) / 16;
        item.run(i, `g${i}`, at, T0 + 21 * DAY, s);
        match.run(1 + (i % 2), at, i, s, r() < 0.7 ? 1 : 0);
      }
    })();
    db.exec(`INSERT INTO topic_hours
      SELECT topic_id, (published_at / 3600000) * 3600000, total(story_first), count(*), total(story_first AND sentiment IS NOT NULL),
             total(CASE WHEN story_first THEN sentiment END), total(CASE WHEN story_first THEN sentiment * sentiment END)
      FROM item_topics GROUP BY 1, 2`);
    db.close();
  }

  it('rebuilds the counts by quarter hour from the matches, and drops the hourly ones', () => {
    const file = path.join(tempDir(), 'm.db');
    schema9(file);
    const store = Store.open(file);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(10);
    expect(store.db.prepare("SELECT name FROM sqlite_master WHERE name IN ('topic_hours', 'topic_quarters')").pluck().all()).toEqual(['topic_quarters']);
    expect(store.db.prepare('SELECT count(*) FROM topic_quarters').pluck().get()).toBeGreaterThan(1000);
    expectCountsKept(store.db);
    expectBucketsAsGrouped(store, [1, 2], 8, T0, 20);
    store.close();
  });

  it('a migration that fails leaves the schema-9 database as it was', () => {
    const file = path.join(tempDir(), 'm.db');
    schema9(file);
    const db = new Database(file);
    db.exec('CREATE TABLE topic_quarters (x)'); // in the way of the migration's table
    db.close();
    expect(() => Store.open(file)).toThrow(/topic_quarters already exists/);
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(9);
    expect(after.prepare('SELECT sum(items) FROM topic_hours').pluck().get()).toBe(2000);
    after.close();
  });
});
