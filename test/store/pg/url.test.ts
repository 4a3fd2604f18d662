import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { isPostgresUrl, parsePgUrl, redact, redactUrl } from '../../../src/store/pg/url.js';
import { tempDir } from '../../helpers/tmp.js';

const ENV = { HOME: '/nonexistent-home' };

describe('postgres:// URLs', () => {
  it.each([
    ['postgres://u@h/db', true],
    ['postgresql://h', true],
    ['POSTGRES://h', true],
    ['/var/lib/momentscan.db', false],
    ['postgres.db', false],
    ['file:postgres://x', false],
  ])('%s names a PostgreSQL database: %s', (s, want) => {
    expect(isPostgresUrl(s)).toBe(want);
  });

  it('reads host, port, user, database and parameters, with libpq defaults', () => {
    const t = parsePgUrl('postgres://ana%40team@db.example:6543/brand%20watch?sslmode=require&application_name=cron', ENV);
    expect(t).toMatchObject({ host: 'db.example', port: 6543, user: 'ana@team', database: 'brand watch', password: undefined, applicationName: 'cron' });
    expect(t.ssl).toEqual({ rejectUnauthorized: false });
    expect(t.display).toBe('postgres://ana%40team@db.example:6543/brand%20watch');
    const d = parsePgUrl('postgres:///?host=/run/postgresql', { ...ENV, PGUSER: 'cron' });
    expect(d).toMatchObject({ host: '/run/postgresql', port: 5432, user: 'cron', database: 'cron', ssl: false });
    expect(d.display).toBe('postgres://cron@:5432/cron?host=%2Frun%2Fpostgresql');
  });

  it.each([
    ['', { ssl: { rejectUnauthorized: false }, sslFallback: false }],
    ['?sslmode=prefer', { ssl: { rejectUnauthorized: false }, sslFallback: false }],
    ['?sslmode=allow', { ssl: false, sslFallback: { rejectUnauthorized: false } }],
    ['?sslmode=disable', { ssl: false }],
    ['?sslmode=require', { ssl: { rejectUnauthorized: false } }],
    ['?sslmode=verify-ca', { ssl: { rejectUnauthorized: true, checkHost: false } }],
    ['?sslmode=verify-full', { ssl: { rejectUnauthorized: true } }],
    ['?host=/run/postgresql', { ssl: false }],
  ])('sslmode as libpq reads it: postgres://db.example/w%s', (query, want) => {
    const t = parsePgUrl(`postgres://ana@db.example/w${query}`, ENV);
    expect({ ssl: t.ssl, ...(t.sslFallback !== undefined ? { sslFallback: t.sslFallback } : {}) }).toEqual(want);
  });

  it("takes what the URL leaves out from libpq's environment: $PGHOST, $PGPORT (also for postgres://user@/db, a user and no host)", () => {
    const env = { ...ENV, PGHOST: 'db.example', PGPORT: '6543', PGUSER: 'cron', PGDATABASE: 'brands' };
    expect(parsePgUrl('postgres://', env)).toMatchObject({ host: 'db.example', port: 6543, user: 'cron', database: 'brands', display: 'postgres://cron@db.example:6543/brands' });
    expect(parsePgUrl('postgres://ana@/watch', env)).toMatchObject({ host: 'db.example', port: 6543, user: 'ana', database: 'watch', display: 'postgres://ana@db.example:6543/watch' });
    const socket = parsePgUrl('postgres://ana:pw@/watch?sslmode=disable', { ...ENV, PGHOST: '/run/postgresql' });
    expect(socket).toMatchObject({ host: '/run/postgresql', port: 5432, user: 'ana', database: 'watch', password: 'pw', display: 'postgres://ana@:5432/watch?host=%2Frun%2Fpostgresql' });
    // what the URL says wins; without either, localhost:5432 as before
    expect(parsePgUrl('postgres://ana@h:5432/watch?host=/tmp', env)).toMatchObject({ host: '/tmp', port: 5432 });
    expect(parsePgUrl('postgres://ana@/watch', ENV)).toMatchObject({ host: 'localhost', port: 5432 });
  });

  it('never shows the password: not in display, and redact() takes it out of any message', () => {
    const t = parsePgUrl('postgres://ana:s3cr%2Ft@h:5432/db', ENV);
    expect(t.password).toBe('s3cr/t');
    expect(t.passwordFrom).toBe('the URL');
    expect(t.display).not.toContain('s3cr');
    expect(redact('failed for postgres://ana:s3cr%2Ft@h/db: password s3cr/t rejected', t)).toBe('failed for postgres://ana:***@h/db: password *** rejected');
    expect(redactUrl('postgres://ana:pw@h:x/db')).toBe('postgres://ana:***@h:x/db');
  });

  it.each([
    ['postgres://u@h/db?port=99999', /port "99999"/],
    ['postgres://u:hunter2@h:notaport/db', /not a valid PostgreSQL URL/],
    ['postgres://u@h/db?password=hunter2', /password in the URL's parameters/],
    ['postgres://u@h/db?sslmode=maybe', /sslmode "maybe"/],
    ['postgres://u@h/db?colour=red', /unknown parameter "colour"/],
    ['postgres://u@h/a/b', /"a\/b" is not a database name/],
    ['postgres://u@h/db?connect_timeout=soon', /connect_timeout "soon"/],
  ])('%s is a usage error that names what is wrong, the password redacted', (url, message) => {
    let err: unknown;
    try {
      parsePgUrl(url, ENV);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('takes the password from $MOMENTSCAN_DB_PASSWORD_FILE, $PGPASSWORD, then the pgpass file, in that order', () => {
    const dir = tempDir();
    const pgpass = path.join(dir, 'pgpass');
    writeFileSync(pgpass, ['# comment', 'other:5432:*:ana:wrong-host', 'db.example:5432:brand:ana:pw\\:with\\\\colon', '*:*:*:*:fallback'].join('\n'));
    chmodSync(pgpass, 0o600);
    const secret = path.join(dir, 'secret');
    writeFileSync(secret, 'from-file\n');
    const url = 'postgres://ana@db.example/brand';
    expect(parsePgUrl(url, { ...ENV, PGPASSFILE: pgpass })).toMatchObject({ password: 'pw:with\\colon', passwordFrom: `the pgpass file ${pgpass}` });
    expect(parsePgUrl('postgres://bob@db.example/x', { ...ENV, PGPASSFILE: pgpass }).password).toBe('fallback');
    expect(parsePgUrl(`${url}?passfile=${encodeURIComponent(pgpass)}`, ENV).password).toBe('pw:with\\colon');
    expect(parsePgUrl(url, { ...ENV, PGPASSFILE: pgpass, PGPASSWORD: 'env' }).password).toBe('env');
    expect(parsePgUrl(url, { ...ENV, PGPASSFILE: pgpass, PGPASSWORD: 'env', MOMENTSCAN_DB_PASSWORD_FILE: secret }).password).toBe('from-file');
    expect(parsePgUrl(url, ENV).password).toBeUndefined();
    expect(() => parsePgUrl(url, { ...ENV, PGPASSFILE: path.join(dir, 'missing') })).toThrow(/cannot read the pgpass file .*missing: ENOENT/);
    expect(() => parsePgUrl(url, { ...ENV, MOMENTSCAN_DB_PASSWORD_FILE: path.join(dir, 'nope') })).toThrow(/cannot read the password file/);
  });
});
