import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SyncPg } from '../../../src/store/pg/bridge.js';
import { PG_MIGRATIONS } from '../../../src/store/pg/migrations.js';
import { PgStore } from '../../../src/store/pg/store.js';
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
});
