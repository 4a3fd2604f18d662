import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copySqliteToPg } from '../../src/store/copy.js';
import { PgStore } from '../../src/store/pg/store.js';
import { SqliteStore } from '../../src/store/store.js';
import { freshDatabase } from '../helpers/pg.js';
import { tempDir } from '../helpers/tmp.js';
import { T, item } from './contract.js';

describe('db migrate copies one moment of the SQLite history', () => {
  it('a fetch writing to the file meanwhile is not seen half-way: the copy is of the history as it was, every count checked', async () => {
    const file = path.join(tempDir(), 'm.db');
    const from = SqliteStore.open(file);
    const [topic] = from.syncTopics([{ name: 'Acme', definition: 'd1' }]);
    const [feed] = from.ensureFeeds(['https://a.example/rss'], T);
    from.saveFetch({ feedId: feed!.id, startedAt: T, durationMs: 5, status: 'ok', httpStatus: 200, bytes: 100, error: null, etag: null, items: [item('1'), item('2')] }, new Map([['Acme', topic!.id]]));
    const to = PgStore.open(freshDatabase('copy'));
    // another process (a fetch) adds a feed and its item once the copy has read the feeds
    const other = SqliteStore.open(file);
    try {
      const report = await copySqliteToPg(from, to, (table) => {
        if (table !== 'feeds') return;
        const [b] = other.ensureFeeds(['https://b.example/rss'], T);
        other.saveFetch({ feedId: b!.id, startedAt: T, durationMs: 5, status: 'ok', httpStatus: 200, bytes: 100, error: null, etag: null, items: [item('3')] }, new Map([['Acme', topic!.id]]));
      });
      expect(other.db.prepare('SELECT count(*) FROM items').pluck().get()).toBe(3);
      expect(report.tables.find((t) => t.table === 'feeds')!.rows).toBe(1);
      expect(report.tables.find((t) => t.table === 'items')!.rows).toBe(2);
      expect(to.pg.query('SELECT count(*) AS n FROM items').rows[0]).toEqual({ n: 2 });
    } finally {
      other.close();
      to.close();
      from.close();
    }
  });
});
