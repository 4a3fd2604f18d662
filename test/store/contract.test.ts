import { expect } from 'vitest';
import path from 'node:path';
import { PgDb } from '../../src/store/pg/db.js';
import { PgStore } from '../../src/store/pg/store.js';
import { Store } from '../../src/store/store.js';
import { freshDatabase } from '../helpers/pg.js';
import { tempDir } from '../helpers/tmp.js';
import { storeContract } from './contract.js';

storeContract({
  name: 'SQLite',
  open() {
    const store = Store.open(path.join(tempDir(), 'sub', 'm.db'));
    return { store, sql: store.db };
  },
  reopen(store) {
    return Store.open(store.file);
  },
  failInserting(sql, guid) {
    sql.exec(`CREATE TRIGGER fail BEFORE INSERT ON items WHEN NEW.guid = '${guid}' BEGIN SELECT RAISE(FAIL, 'disk I/O error'); END`);
  },
  danglingReferences(sql) {
    expect(sql.pragma('foreign_keys', { simple: true })).toBe(1);
    return sql.pragma('foreign_key_check') as unknown[];
  },
});

/** Each PostgreSQL store's URL, password included (a store names itself without it). */
const urls = new WeakMap<object, string>();

storeContract({
  name: 'PostgreSQL',
  open() {
    const url = freshDatabase('contract');
    const store = PgStore.open(url);
    urls.set(store, url);
    return { store, sql: new PgDb(store.pg, false) };
  },
  reopen(store) {
    return PgStore.open(urls.get(store)!);
  },
  failInserting(sql, guid) {
    sql.exec(`CREATE FUNCTION fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk I/O error' USING ERRCODE = '58030'; END $$`);
    sql.exec(`CREATE TRIGGER fail BEFORE INSERT ON items FOR EACH ROW WHEN (NEW.guid = '${guid}') EXECUTE FUNCTION fail()`);
  },
  danglingReferences() {
    // PostgreSQL checks every foreign key, always: none can dangle
    return [];
  },
});
