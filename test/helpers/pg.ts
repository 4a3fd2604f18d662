/**
 * PostgreSQL databases for tests, on the server test/pg-setup.ts started: each call makes a new empty
 * database (dropped when the file's tests are done) and returns its URL.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { SyncPg } from '../../src/store/pg/bridge.js';

/** The server's superuser URL (to the `postgres` database); throws why when there is no server. */
export function pgServerUrl(): string {
  const error = inject('pgError');
  if (error) throw new Error(`no PostgreSQL server for the tests: ${error}`);
  return inject('pgUrl');
}

/** Connection options from a test server URL (the tests' own parsing, independent of the product's). */
export function optionsOf(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  };
}

const made: string[] = [];
afterAll(() => {
  if (made.length === 0) return;
  const admin = SyncPg.connect(optionsOf(pgServerUrl()));
  try {
    for (const name of made.splice(0)) admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    admin.close();
  }
});

/** A new, empty database on the test server: its URL. */
export function freshDatabase(prefix = 't'): string {
  const server = pgServerUrl();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = SyncPg.connect(optionsOf(server));
  try {
    admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    admin.close();
  }
  made.push(name);
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}
