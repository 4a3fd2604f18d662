import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/core/errors.js';
import type { EnrichedItem } from '../../src/core/types.js';
import { item, T } from './contract.js';
import { SCHEMA_VERSION } from '../../src/store/db.js';
import { ReplayStream } from '../../src/enrich/stories.js';
import { NO_STORIES, Store, type StoryReplayer } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';

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

  it('read through a memory map (moments), sees what another connection commits afterwards, as before', () => {
    const { file, store, save, feedA, topicId } = setup();
    save(feedA, Array.from({ length: 200 }, (_, i) => item(`a${i}`, { title: `Acme first ${i}`, publishedAt: T - (i + 1) * 1000, summary: 'x'.repeat(300) })));
    store.db.pragma('wal_checkpoint(TRUNCATE)'); // the rows in the database file itself, where the map reads them
    store.mapReads(1 << 30);
    expect(store.db.pragma('mmap_size', { simple: true })).toBe(1 << 30);
    expect(store.titlesBetween(topicId, 0, T, 3)).toEqual(['Acme first 0', 'Acme first 1', 'Acme first 2']);
    // a fetch in another process adds items and grows the file while the mapped connection stays open
    const other = Store.open(file);
    other.saveFetch(
      { feedId: feedA, startedAt: T, durationMs: 5, status: 'ok', httpStatus: 200, bytes: 100, error: null, etag: null, items: Array.from({ length: 200 }, (_, i) => item(`b${i}`, { title: `Acme later ${i}`, publishedAt: T + (i + 1) * 1000, summary: 'y'.repeat(300) })) },
      new Map([['Acme', topicId]]),
    );
    other.db.pragma('wal_checkpoint(TRUNCATE)');
    other.close();
    expect(store.titlesBetween(topicId, 0, T + 1_000_000, 2)).toEqual(['Acme later 199', 'Acme later 198']);
    expect(store.itemsBetween(topicId, 0, T + 1_000_000, 1000)).toHaveLength(400);
    expect(store.bucketCounts(topicId, 0, T + 1_000_000, 1000).reduce((n, b) => n + b.count, 0)).toBe(400);
    store.close();
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
    const replayer: StoryReplayer = (known) => new ReplayStream(known, { memoryMs: REPLAY.memoryMs });
    const title = 'Acme Robotics recalls 50,000 Glide robot vacuums';
    it('upgrades a database from before replays: when each story first matched each topic, how far ahead items were published', () => {
      const { file, store, save, feedA, topicId } = setup();
      save(feedA, [item('1', { publishedAt: T - HOUR }), item('2', { publishedAt: T + 3 * HOUR })]); // fetched at T
      // back to schema 8 (undoing 19, 18, 17, 14, 13, 11, 10, then 9; 12 and 15, the notifications and verdicts, and 16, planned events, create only what is missing)
      store.db.exec(`
        DROP TRIGGER item_topics_feed; DROP TABLE feed_topics;
        DROP TABLE item_accounts; DROP TABLE account_contacts; DROP TABLE accounts; DROP TABLE account_state; ALTER TABLE items DROP COLUMN author_email;
        DROP TABLE topic_quarter_weeks; DROP TABLE engine_states; DROP TRIGGER topic_quarters_insert; DROP TRIGGER topic_quarters_update; DROP TRIGGER topic_quarters_move; DROP TRIGGER topic_quarters_delete;
        DROP INDEX items_feed_canonical_url; CREATE UNIQUE INDEX items_canonical_url ON items(canonical_url) WHERE canonical_url IS NOT NULL;
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
