import { describe, expect, it } from 'vitest';
import { PgError, SyncPg } from '../../../src/store/pg/bridge.js';
import { freshDatabase, optionsOf } from '../../helpers/pg.js';

describe('the synchronous PostgreSQL connection (a real server)', () => {
  it('runs statements with parameters and gives bigint and numeric as numbers', () => {
    const pg = SyncPg.connect(optionsOf(freshDatabase()));
    try {
      pg.query('CREATE TABLE t (id bigserial PRIMARY KEY, at bigint NOT NULL, name text, blob bytea)');
      const at = Date.UTC(2026, 10, 20, 9);
      const r = pg.query<{ id: number }>('INSERT INTO t (at, name, blob) VALUES ($1, $2, $3), ($1, $4, NULL) RETURNING id', [at, 'é ☃', new Uint8Array([1, 2, 255]), 'b']);
      expect(r.rows.map((x) => x.id)).toEqual([1, 2]);
      expect(r.rowCount).toBe(2);
      const row = pg.query<{ at: number; name: string; blob: Uint8Array; n: number; s: number }>(
        'SELECT at, name, blob, count(*) OVER () AS n, sum(at) OVER () AS s FROM t ORDER BY id LIMIT 1',
      ).rows[0]!;
      expect(row.at).toBe(at);
      expect(row.name).toBe('é ☃');
      expect([...row.blob]).toEqual([1, 2, 255]);
      expect(row.n).toBe(2);
      expect(row.s).toBe(2 * at);
    } finally {
      pg.close();
    }
  });

  it('a batch marked as a transaction is all or nothing, and the error carries the SQLSTATE', () => {
    const pg = SyncPg.connect(optionsOf(freshDatabase()));
    try {
      pg.query('CREATE TABLE t (id int PRIMARY KEY)');
      let err: unknown;
      try {
        pg.batch([{ sql: 'INSERT INTO t VALUES (1)' }, { sql: 'INSERT INTO t VALUES (2)' }, { sql: 'INSERT INTO t VALUES (1)' }], true);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PgError);
      expect((err as PgError).code).toBe('23505');
      expect((err as PgError).rolledBack).toBe(true);
      expect(pg.query('SELECT count(*)::int AS n FROM t').rows[0]).toEqual({ n: 0 });
      // the connection is still usable
      pg.batch([{ sql: 'INSERT INTO t VALUES (1)' }, { sql: 'INSERT INTO t VALUES (2)' }], true);
      expect(pg.query('SELECT count(*) AS n FROM t').rows[0]).toEqual({ n: 2 });
    } finally {
      pg.close();
    }
  });

  it('an error inside a transaction the caller opened rolls it back in the worker', () => {
    const url = freshDatabase();
    const pg = SyncPg.connect(optionsOf(url));
    const other = SyncPg.connect(optionsOf(url));
    try {
      pg.query('CREATE TABLE t (id int PRIMARY KEY)');
      pg.query('BEGIN');
      pg.query('INSERT INTO t VALUES (1)');
      expect(() => pg.query('INSERT INTO t VALUES (1)')).toThrow(PgError);
      // not left "in failed transaction": the next statement runs, outside any transaction
      expect(pg.query('SELECT count(*) AS n FROM t').rows[0]).toEqual({ n: 0 });
      expect(other.query('SELECT count(*) AS n FROM t').rows[0]).toEqual({ n: 0 });
    } finally {
      pg.close();
      other.close();
    }
  });

  it('refused connections, bad passwords and missing databases fail with their codes', () => {
    const o = optionsOf(freshDatabase());
    const codeOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(PgError);
        return (e as PgError).code;
      }
      return 'no error';
    };
    expect(codeOf(() => SyncPg.connect({ ...o, password: 'wrong' }))).toBe('28P01');
    expect(codeOf(() => SyncPg.connect({ ...o, database: 'no_such_db' }))).toBe('3D000');
    expect(codeOf(() => SyncPg.connect({ ...o, port: 1 }))).toBe('ECONNREFUSED');
  });

  it('gives up on a request the server does not answer in time, and the connection is then closed', () => {
    const pg = SyncPg.connect({ ...optionsOf(freshDatabase()), requestTimeoutMs: 1_000 });
    try {
      let err: unknown;
      const t0 = performance.now();
      try {
        pg.query('SELECT pg_sleep(5)');
      } catch (e) {
        err = e;
      }
      expect((err as PgError).code).toBe('TIMEOUT');
      expect(performance.now() - t0).toBeLessThan(4_000);
      expect(() => pg.query('SELECT 1')).toThrow(/no answer from the server within 1 s/);
    } finally {
      pg.close();
    }
  });
});
