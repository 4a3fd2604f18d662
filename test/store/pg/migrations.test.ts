import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SyncPg } from '../../../src/store/pg/bridge.js';
import { PG_MIGRATIONS } from '../../../src/store/pg/migrations.js';
import { migratePg } from '../../../src/store/pg/schema.js';
import { PgStore } from '../../../src/store/pg/store.js';
import { parsePgUrl } from '../../../src/store/pg/url.js';
import { freshDatabase, optionsOf } from '../../helpers/pg.js';

/**
 * The SHA-256 of each PostgreSQL migration's text as released (as for SQLite's, test/store/migrations.test.ts):
 * append a line when you append a migration; never edit one.
 */
const RELEASED = [
  '1218a261c1fed0b0ef77464545d2d7d66c16a9c38d7b20bf0ae0ec3b49264ce5', // 1: SQLite's schema 1–15 in PostgreSQL's types, leases, host slots
  'af159b7d54d1340ba68fb09a55c93df16bdb0d6f3ca393912894a83044e68ab5', // 2: planned events and labels (SQLite's 16)
  '373fcb7a82a33d496da3442ca90784ffa9871bf142b8060906a58351cd5b257c', // 3: SQLite's 17: accounts, contacts, item matches
  '8c48ab45b187daa1fb43b3229633feaf8bc0c5951696f8437b8c24060698cca1', // 4: host gates: fetch.hostDelay shared by the workers
  'f7e7e0e28cfadc62c1ed376c8d7c884d7b335fa50c3a2e8a899269030e215b3e', // 5: SQLite's 19: items_fetched with feed and time, feed_topics
];

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('PostgreSQL migrations', () => {
  it('every released migration is still the text it was released with (append new ones, never edit old ones)', () => {
    expect(PG_MIGRATIONS.length).toBeGreaterThanOrEqual(RELEASED.length);
    RELEASED.forEach((hash, i) => {
      expect(sha256(PG_MIGRATIONS[i]!), `PostgreSQL migration ${i + 1} changed: add a new migration at the end instead`).toBe(hash);
    });
    expect(PG_MIGRATIONS.length, "add the new migration's SHA-256 to RELEASED").toBe(RELEASED.length);
  });

  it('sets up an empty database once; the next open finds it set up', () => {
    const url = freshDatabase('schema');
    const stores = [PgStore.open(url), PgStore.open(url)];
    stores.forEach((s) => s.close());
    const pg = SyncPg.connect(optionsOf(url));
    try {
      expect(pg.query('SELECT app, version FROM momentscan_schema').rows).toEqual([{ app: 'momentscan', version: PG_MIGRATIONS.length }]);
    } finally {
      pg.close();
    }
  });

  it('a read-only open of a database never set up says so and creates nothing', () => {
    const url = freshDatabase('schema');
    expect(() => PgStore.open(url, { readonly: true })).toThrow(/no momentscan data yet/);
    const pg = SyncPg.connect(optionsOf(url));
    try {
      expect(pg.query("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'").rows[0]).toEqual({ n: 0 });
    } finally {
      pg.close();
    }
  });

  it('5: a database from before knows which feeds carry each topic, and keeps knowing as matches are written', () => {
    const url = freshDatabase('schema');
    const pg = SyncPg.connect(optionsOf(url));
    try {
      migratePg(pg, parsePgUrl(url), 4);
      pg.query(`INSERT INTO feeds (id, url, created_at) VALUES (1, 'https://a.example/feed', 0), (2, 'https://b.example/feed', 0), (3, 'https://c.example/feed', 0);
                INSERT INTO topics (id, name, definition) VALUES (1, 'Acme', 'a'), (2, 'Beta', 'b');
                INSERT INTO items (id, feed_id, guid, title, published_at, fetched_at) VALUES
                  (1, 1, 'g1', 't', 100, 1000), (2, 1, 'g2', 't', 200, 1000), (3, 1, 'g3', 't', 300, 1000), (4, 2, 'g4', 't', 400, 1000), (5, 3, 'g5', 't', 500, 1000);
                INSERT INTO item_topics (topic_id, published_at, item_id) VALUES (1, 100, 1), (1, 200, 2), (2, 300, 3), (1, 400, 4);`);
      const carrying = () => pg.query<{ t: number; f: number }>('SELECT topic_id AS t, feed_id AS f FROM feed_topics ORDER BY 1, 2').rows.map((r) => [r.t, r.f]);
      migratePg(pg, parsePgUrl(url));
      expect(pg.query('SELECT version FROM momentscan_schema').rows).toEqual([{ version: 5 }]);
      expect(carrying()).toEqual([[1, 1], [1, 2], [2, 1]]);
      // matches written afterwards, several in one statement (c brings two Beta items; a pair already known)
      pg.query("INSERT INTO items (id, feed_id, guid, title, published_at, fetched_at) VALUES (6, 3, 'g6', 't', 600, 2000), (7, 3, 'g7', 't', 700, 2000), (8, 1, 'g8', 't', 800, 2000)");
      pg.query('INSERT INTO item_topics (topic_id, published_at, item_id) VALUES (2, 600, 6), (2, 700, 7), (1, 800, 8)');
      expect(carrying()).toEqual([[1, 1], [1, 2], [2, 1], [2, 3]]);
      pg.query('DELETE FROM topics WHERE id = 1');
      expect(carrying()).toEqual([[2, 1], [2, 3]]);
    } finally {
      pg.close();
    }
  });
});
