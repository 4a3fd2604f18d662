import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/core/errors.js';
import { SyncPg } from '../../../src/store/pg/bridge.js';
import { PgStore } from '../../../src/store/pg/store.js';
import { item, T } from '../contract.js';
import { optionsOf } from '../../helpers/pg.js';
import { startCluster, type Cluster } from '../../helpers/pg-cluster.mjs';

// a server of its own: this test stops it
let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
}, 60_000);
afterAll(() => cluster?.destroy());

describe('a connection dropped mid-transaction', () => {
  it('is a clear one-line error, and nothing of the transaction is saved', () => {
    const url = cluster.url;
    const store = PgStore.open(url);
    const [topic] = store.syncTopics([{ name: 'Acme', definition: 'd' }]);
    const [a, b] = store.ensureFeeds(['https://a.example/rss', 'https://b.example/rss'], T);
    const topics = new Map([['Acme', topic!.id]]);
    const save = (feedId: number, guid: string) =>
      store.saveFetch({ feedId, startedAt: T, durationMs: 1, status: 'ok', httpStatus: 200, bytes: 1, error: null, items: [item(guid)] }, topics);
    let err: unknown;
    try {
      store.together(() => {
        save(a!.id, 'first');
        cluster.stop('fast'); // the server goes away with the transaction open
        save(b!.id, 'second');
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreError);
    const message = (err as StoreError).message;
    expect(message).toMatch(/^postgres:\/\/momentscan_test@127\.0\.0\.1:\d+\/postgres: the connection to the server was lost \(.*\); the transaction in flight was rolled back$/);
    expect(message).not.toContain(cluster.password);
    expect((err as StoreError).hint).toMatch(/nothing was half-saved/);
    // later uses of the store say the same, at once
    expect(() => store.hasItems()).toThrow(/connection to the server was lost/);
    store.close();

    cluster.start();
    const pg = SyncPg.connect(optionsOf(url));
    try {
      expect(pg.query('SELECT count(*) AS items FROM items').rows[0]).toEqual({ items: 0 });
      expect(pg.query('SELECT count(*) AS n FROM fetch_log').rows[0]).toEqual({ n: 0 });
    } finally {
      pg.close();
    }
  });
});
