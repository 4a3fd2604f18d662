import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations.js';

/**
 * The SHA-256 of each migration's text as released. A database migrated by an older momentscan ran exactly
 * these: a change to one would make databases migrated before and after it differ. Append a line when you
 * append a migration; never edit one.
 */
const RELEASED = [
  '9f24ee2db60236f1152c94f3fdc1ba6b22543ac7878325e574162dd95f8a44b0', // 1: feeds, fetch log, items, topics, matches, moments
  'd928ec01d8936779321ba180ce92552fdc458dbc0c700f8aa0404f1601de574b', // 2: polite fetching and feed health
  'c6545f47003b60ba8c184cb502a0aabb2e35cd0ad528b7e58bff9635ede31def', // 3: sources, languages, stories
  'd7e98138e8db9d396c965433ba3be86340102844d81ad6f9b37844ae7c7a6c9b', // 4: sentiment engine
  '1a47adf52406c309dfa5658b73b56f80bb717e0c8fbd41966e37bbc11bad64ad', // 5: digests
  '55c64b77ba7a98acad5eafb5d5db4d63ead930c2c9ac8b9fdf72710ec4c4e705', // 6: hourly counts
  '2be48096c92448e852936d669d5f3cffa71844b2daa0896de9a6131399985874', // 7: full-text search
  '6ae298c9442066462de0dda23b335f9abe77cee878ffaaa8fa9af27f7b0019b9', // 8: drop items_story
  '37b21de4a516cfdef6d4a7707c22c01a95e75d0ec8464a23f13c5d795284afae', // 9: story replay state
  '2c457f0d896b150cd04af6d09b0e8e9da9eb3b5d5d0d4ad4ba2d11757509cc12', // 10: quarter-hour counts
  'a1265e5ea24f79c6771c6f7c8d450b85fbb9ab6d3cbd4f13cdbf02010ab6129d', // 11: story follow-ups
  '93f20b235e78d9ee835dc9ff91c6572bd57e248871fc1f942da3218bd6276743', // 12: notifications
  '8a9cc04266f819ede27f3fcdd614128eed4ea260ad02089ee8cfde6d6f56cdda', // 13: canonical URL unique per feed
  '89fc65275b66142be8dc9e025df743119ae9e5e7a8576040da5c6c0a37f8f744', // 14: detection caches
  'c7d4c32c29e22c2b6da0167274d869cf79e14c5d2ce7a03b13671f09653dee95', // 15: verdicts on moments (watch)
  'e64815a9c98e899db8b9878ac987e8643e16c7328430ed912dfa0decfc22bc36', // 16: planned events, verdict planned and notes (issue 17)
  'efd6a38e87206075ff9d0fe47b8b61c55841525af1c016d6485ea7723430f6bf', // 17: accounts, contacts, item matches
  'fc6136b84447b456ca629f142df3be164c66048f8e0403808b59a786e384efec', // 18: canonical URL per feed, indexed by feed first
  '2cbad6908221d739deeb82ab22627c111680e9f6d0d02bb8f37abdba24190127', // 19: items_fetched with feed and time, feed_topics
];

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('migrations', () => {
  it('every released migration is still the text it was released with (append new ones, never edit old ones)', () => {
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(RELEASED.length);
    RELEASED.forEach((hash, i) => {
      expect(sha256(MIGRATIONS[i]!), `migration ${i + 1} changed: add a new migration at the end instead`).toBe(hash);
    });
  });

  it('every migration after the released ones has its hash added here', () => {
    // a migration appended without a line above would go unguarded once released
    expect(MIGRATIONS.length, 'add the new migration\'s SHA-256 to RELEASED').toBe(RELEASED.length);
  });

  it('18: a database from before keeps one copy of an article per feed, and every feed its own copy', () => {
    const db = new Database(':memory:');
    migrate(db, 0, 17);
    db.exec("INSERT INTO feeds (id, url, created_at) VALUES (1, 'https://a.example/feed', 0), (2, 'https://b.example/feed', 0)");
    const add = db.prepare(
      'INSERT INTO items (feed_id, guid, title, canonical_url, published_at, fetched_at) VALUES (?, ?, ?, ?, 0, 0) ON CONFLICT DO NOTHING',
    );
    const url = 'https://news.example/story';
    expect(add.run(1, 'g1', 'Story', url).changes).toBe(1);
    expect(add.run(2, 'g1', 'Story', url).changes).toBe(1);
    migrate(db, 17, 18);
    expect(db.pragma('user_version', { simple: true })).toBe(18);
    // the feed's second copy of the article (another guid) is not stored; another feed's is
    expect(add.run(1, 'g2', 'Story again', url).changes).toBe(0);
    expect(add.run(2, 'g3', 'Story', 'https://news.example/other').changes).toBe(1);
    expect(add.run(2, 'g4', 'No URL', null).changes).toBe(1);
    expect(db.prepare('SELECT count(*) FROM items').pluck().get()).toBe(4);
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items' AND sql IS NOT NULL ORDER BY name").pluck().all();
    expect(indexes).toEqual(['items_feed_canonical_url', 'items_fetched']);
  });

  it('19: a database from before knows which feeds carry each topic, keeps knowing as matches are written, and finds a fetch\'s oldest item by the index', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, 0, 18);
    db.exec(`INSERT INTO feeds (id, url, created_at) VALUES (1, 'https://a.example/feed', 0), (2, 'https://b.example/feed', 0), (3, 'https://c.example/feed', 0);
             INSERT INTO topics (id, name, definition) VALUES (1, 'Acme', 'a'), (2, 'Beta', 'b');`);
    const add = db.prepare('INSERT INTO items (id, feed_id, guid, title, published_at, fetched_at) VALUES (?, ?, ?, ?, ?, ?)');
    const match = db.prepare('INSERT INTO item_topics (topic_id, published_at, item_id) VALUES (?, ?, ?)');
    // a: Acme twice and Beta once; b: Acme; c: nothing matched
    [[1, 1, 100], [2, 1, 200], [3, 1, 300], [4, 2, 400], [5, 3, 500]].forEach(([id, feed, at]) => add.run(id, feed, `g${id}`, 't', at, 1000));
    match.run(1, 100, 1);
    match.run(1, 200, 2);
    match.run(2, 300, 3);
    match.run(1, 400, 4);
    const carrying = () => db.prepare('SELECT topic_id, feed_id FROM feed_topics ORDER BY 1, 2').raw().all();
    migrate(db, 18);
    expect(db.pragma('user_version', { simple: true })).toBe(19);
    expect(carrying()).toEqual([[1, 1], [1, 2], [2, 1]]);
    // a match written afterwards (c brings a Beta item) is known at once, in the same statement's transaction
    add.run(6, 3, 'g6', 't', 600, 2000);
    match.run(2, 600, 6);
    expect(carrying()).toEqual([[1, 1], [1, 2], [2, 1], [2, 3]]);
    // a topic removed takes its feeds along; a feed removed, its topics
    db.exec('DELETE FROM topics WHERE id = 1');
    expect(carrying()).toEqual([[2, 1], [2, 3]]);
    db.exec('DELETE FROM feeds WHERE id = 3');
    expect(carrying()).toEqual([[2, 1]]);
    // the oldest item of one feed's fetch: a seek in items_fetched (fetched_at, feed_id, published_at), no row read
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT published_at FROM items WHERE fetched_at = ? AND feed_id = ? ORDER BY published_at LIMIT 5').all(1000, 1) as { detail: string }[];
    expect(plan.map((p) => p.detail).join('; ')).toMatch(/USING COVERING INDEX items_fetched \(fetched_at=\? AND feed_id=\?\)/);
  });
});
