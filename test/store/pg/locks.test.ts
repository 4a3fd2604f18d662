import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/core/errors.js';
import { SyncPg } from '../../../src/store/pg/bridge.js';
import { WRITER_LOCK } from '../../../src/store/pg/db.js';
import { PgStore } from '../../../src/store/pg/store.js';
import { item, T } from '../contract.js';
import { freshDatabase, optionsOf } from '../../helpers/pg.js';

const pgPath = createRequire(import.meta.url).resolve('pg');

/**
 * Another process holds `sql`'s locks, from when it says "held", for `ms` or until release() (10 s at most; this thread
 * blocks on the store meanwhile, so the holder cannot be one of its connections).
 */
async function holder(url: string, sql: string, ms: number | null): Promise<{ done: Promise<number>; release: () => void }> {
  const script = `
    const { Client } = require(${JSON.stringify(pgPath)});
    const c = new Client(${JSON.stringify(optionsOf(url))});
    (async () => {
      await c.connect();
      await c.query('BEGIN');
      await c.query(${JSON.stringify(sql)});
      console.log('held');
      await new Promise((r) => ${ms === null ? "(process.stdin.on('end', r).resume(), setTimeout(r, 10_000).unref())" : `setTimeout(r, ${ms})`});
      await c.query('COMMIT');
      await c.end();
    })().catch((e) => { console.error(e.message); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => (String(d).includes('held') ? resolve() : undefined));
    void done.then((code) => reject(new Error(`the lock holder ended (${code}) before holding the lock`)));
  });
  return { done, release: () => child.stdin.end() };
}

function setUp(url: string, lockTimeoutMs: number) {
  const store = PgStore.open(url, { busyTimeoutMs: lockTimeoutMs });
  const [topic] = store.syncTopics([{ name: 'Acme', definition: 'd' }]);
  const [feed] = store.ensureFeeds(['https://a.example/rss'], T);
  const save = (guid: string) =>
    store.saveFetch({ feedId: feed!.id, startedAt: T, durationMs: 1, status: 'ok', httpStatus: 200, bytes: 1, error: null, items: [item(guid)] }, new Map([['Acme', topic!.id]]));
  return { store, save };
}

function itemCount(url: string): number {
  const pg = SyncPg.connect(optionsOf(url));
  try {
    return pg.query<{ n: number }>('SELECT count(*) AS n FROM items').rows[0]!.n;
  } finally {
    pg.close();
  }
}

describe('a lock another session holds on PostgreSQL', () => {
  it('a table locked by another session (a psql transaction left open) is "database is busy" after the lock timeout, not a wait without end; nothing half-saved', async () => {
    const url = freshDatabase('locks');
    const { store, save } = setUp(url, 300);
    try {
      save('before');
      const { done, release } = await holder(url, 'LOCK TABLE items IN ACCESS EXCLUSIVE MODE', null);
      let err: unknown;
      try {
        save('during');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).message).toMatch(/^postgres:\/\/[^@]+@127\.0\.0\.1:\d+\/locks_\w+: database is busy: another session holds a lock momentscan needs \(canceling statement due to lock timeout\)$/);
      expect((err as StoreError).hint).toMatch(/^try again when it is done: a psql session left in a transaction \(COMMIT or ROLLBACK it\)/);
      expect((err as StoreError).exitCode).toBe(1);
      release();
      expect(await done).toBe(0);
      // the store goes on once the lock is gone; what failed was not half-saved
      save('after');
      expect(itemCount(url)).toBe(2);
    } finally {
      store.close();
    }
  });

  it("another momentscan's writing transaction (the writer lock) is waited for past the lock timeout, as workers wait for each other's saves", async () => {
    const url = freshDatabase('locks');
    const { store, save } = setUp(url, 300);
    try {
      const { done } = await holder(url, `SELECT pg_advisory_xact_lock(${WRITER_LOCK})`, 1_500);
      save('waited');
      expect(await done).toBe(0);
      expect(itemCount(url)).toBe(1);
    } finally {
      store.close();
    }
  });
});
