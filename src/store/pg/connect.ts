/**
 * Connecting to PostgreSQL: the URL's target, the synchronous connection, and every way that can fail as
 * one line naming the server (never its password) and what to do.
 */
import { StoreError } from '../../core/errors.js';
import { PgError, SyncPg } from './bridge.js';
import { redact, type PgTarget } from './url.js';

/** The oldest server momentscan runs on (ON CONFLICT, SKIP LOCKED, FORCE in DROP DATABASE, gen_random_uuid). */
export const MIN_SERVER_VERSION = 13;

/** How long a statement waits for a lock another session holds, as SQLite's busy timeout (store/db.ts). */
export const LOCK_TIMEOUT_MS = 15_000;

/** Connects and checks the server's version; StoreError otherwise. */
export function connectPg(target: PgTarget, o: { lockTimeoutMs?: number } = {}): SyncPg {
  let pg: SyncPg;
  try {
    pg = SyncPg.connect({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      timeoutMs: target.timeoutMs,
      applicationName: target.applicationName,
      ssl: target.ssl,
      ...(target.sslFallback !== undefined ? { sslFallback: target.sslFallback } : {}),
      lockTimeoutMs: o.lockTimeoutMs ?? LOCK_TIMEOUT_MS,
    });
  } catch (err) {
    throw pgStoreError(err, target);
  }
  try {
    const v = pg.query<{ n: string; text: string }>("SELECT current_setting('server_version_num') AS n, current_setting('server_version') AS text").rows[0]!;
    const major = Math.floor(Number(v.n) / 10000);
    if (major < MIN_SERVER_VERSION) {
      throw new StoreError(`${target.display}: PostgreSQL ${v.text} is too old: momentscan needs PostgreSQL ${MIN_SERVER_VERSION} or newer`, {
        hint: 'upgrade the server, or point --db at a newer one; nothing was written',
      });
    }
  } catch (err) {
    pg.close();
    throw err instanceof StoreError ? err : pgStoreError(err, target);
  }
  return pg;
}

/** A PostgreSQL failure as a one-line StoreError naming the server, the password taken out. */
export function pgStoreError(err: unknown, target: PgTarget): StoreError {
  if (err instanceof StoreError) return err;
  const code = err instanceof PgError ? err.code : (err as { code?: string })?.code;
  const raw = err instanceof Error ? err.message : String(err);
  const msg = redact(raw, target).replace(/\s+/g, ' ').trim();
  const at = target.host.startsWith('/') ? `the socket in ${target.host}` : `${target.host}:${target.port}`;
  const where = target.display;
  const mk = (what: string, hint: string) => new StoreError(`${where}: ${what}`, { hint, cause: err });
  // with no password found, pg's SCRAM client gives up before the server can say no
  if (target.password === undefined && /client password must be a string/.test(raw)) {
    const host = target.host.startsWith('/') ? 'localhost' : target.host;
    return mk(
      `the server asks for a password for user "${target.user}" and none was given${target.pgpassUnmatched ? ` (no line of the pgpass file ${target.pgpassUnmatched} is for ${host}:${target.port}:${target.database}:${target.user})` : ''}`,
      'put it in a pgpass file ($PGPASSFILE or ~/.pgpass, mode 0600), in a file named by $MOMENTSCAN_DB_PASSWORD_FILE, or in $PGPASSWORD',
    );
  }
  if (/does not support SSL connections/i.test(raw)) {
    return mk('the server does not accept SSL connections, and the URL\'s sslmode asks for one', 'use sslmode=disable (or prefer) for this server, or turn ssl on in its postgresql.conf');
  }
  // the server's certificate, checked here (sslmode=verify-ca, verify-full): the server's log knows nothing of it
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) {
    return mk(
      `the server's certificate was not accepted (${msg})`,
      "sslmode=verify-ca and verify-full check it against the system's certificate authorities: name yours with NODE_EXTRA_CA_CERTS=FILE (its PEM), make the URL's host a name the certificate holds, or use sslmode=require (encrypted, not checked)",
    );
  }
  switch (code) {
    case 'ECONNREFUSED':
      return mk(`connection refused by ${at}`, 'is PostgreSQL running there? check the host and port in the URL');
    case 'ENOENT':
      return mk(`no PostgreSQL socket in ${target.host}`, 'is PostgreSQL running? check the URL\'s host= folder');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return mk(`unknown host ${target.host}`, 'check the host name in the URL');
    case 'ETIMEDOUT':
    case 'TIMEOUT':
      return mk(`no answer from ${at} (${msg})`, 'check that the server is up and reachable, or raise connect_timeout= in the URL');
    case 'ECONNRESET':
    case 'EPIPE':
    case '57P01':
    case '57P02':
    case '57P03':
    case '08000':
    case '08003':
    case '08006':
    case 'CLOSED':
    case 'WORKER':
      return mk(`the connection to the server was lost (${msg}); the transaction in flight was rolled back`, 'check the server, then run again: nothing was half-saved');
    case '28P01':
    case '28000':
      // pg_hba.conf has no line for this host, user and database (over TLS or not): no password was asked for
      if (/no pg_hba\.conf entry/i.test(msg)) {
        return mk(
          `the server does not accept this connection (${msg})`,
          /no encryption/i.test(msg)
            ? 'it takes this host only over TLS: use sslmode=require (or prefer, the default, or allow) in the URL'
            : `its pg_hba.conf needs a line for this host, user "${target.user}" and database "${target.database}": ask its admin (then SELECT pg_reload_conf())`,
        );
      }
      return mk(
        `authentication failed for user "${target.user}"${target.passwordFrom ? ` (password from ${target.passwordFrom})` : ' (no password given)'}`,
        'check the user and the password: in a pgpass file ($PGPASSFILE or ~/.pgpass), $MOMENTSCAN_DB_PASSWORD_FILE or $PGPASSWORD',
      );
    case '3D000':
      return mk(`database "${target.database}" does not exist`, `create it (createdb ${target.database}, or CREATE DATABASE) and run again`);
    case '42501': {
      // a table or sequence of a set-up database: a role that may read it, not write it (a dashboard's)
      const what = /permission denied for (table|sequence) ("?)([\w.]+)\2/.exec(msg);
      if (what) {
        const u = quoteIdent(target.user);
        return mk(
          `user "${target.user}" may not write ${what[1]} ${what[3]} (${msg})`,
          `this command writes: grant ${u} INSERT, UPDATE, DELETE on momentscan's tables and USAGE on its sequences (GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${u}; GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${u}), or run it as a user that may write`,
        );
      }
      return mk(`permission denied (${msg})`, `grant user "${target.user}" the rights momentscan needs on database "${target.database}" (CREATE on its schema to set it up)`);
    }
    case '53300':
      return mk('the server has too many connections', 'try again later, or raise max_connections on the server');
    case '53100':
      return mk('the server is out of disk space', 'free some space on the server and run again');
    case '55P03':
      return mk(
        `database is busy: another session holds a lock momentscan needs (${msg})`,
        'try again when it is done: a psql session left in a transaction (COMMIT or ROLLBACK it), a VACUUM FULL or ALTER TABLE; pg_stat_activity shows who waits on whom',
      );
    case '40001':
    case '40P01':
      return mk(`a conflicting transaction (${msg})`, 'run again');
    default:
      return mk(`database error: ${msg}${code ? ` [${code}]` : ''}`, 'see the server log for details');
  }
}

/** A role name as SQL spells it: bare when it is a plain lower-case name, else in double quotes. */
function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
