/**
 * `postgres://` database URLs: what `--db`, `MOMENTSCAN_DB` and the config's `database:` take to select the
 * PostgreSQL store. The password never appears in anything printed: `display` leaves it out, and
 * `redact` takes it out of any message (a server error, a stack) before it is shown.
 *
 *   postgres://[user[:password]@][host][:port][/database][?param=value&…]
 *
 * Parameters, as libpq names them: host (a unix-socket folder when it starts with /), port, user, dbname,
 * passfile, sslmode (disable, prefer, require, verify-ca, verify-full), connect_timeout (seconds),
 * application_name. What the URL leaves out comes from $PGHOST, $PGPORT, $PGUSER, $PGDATABASE and $PGSSLMODE,
 * as for psql (`postgres://user@/db`: a user and no host). The password, when the URL has none, comes from the file named by
 * $MOMENTSCAN_DB_PASSWORD_FILE (the whole file is the password: a container secret), then $PGPASSWORD,
 * then the pgpass file (`passfile=`, else $PGPASSFILE, else ~/.pgpass; lines host:port:database:user:password).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { isPostgresUrl } from '../../core/paths.js';

export interface PgTarget {
  host: string;
  port: number;
  user: string;
  database: string;
  password: string | undefined;
  /** Where the password came from, for messages ("the URL", "$PGPASSFILE /path"…), or null when none. */
  passwordFrom: string | null;
  /** With no password: the pgpass file that was read and had no line for this connection (for messages), else null. */
  pgpassUnmatched?: string | null;
  /** TLS first: none, or checked against the system's authorities (`checkHost`: its name too) or not at all. */
  ssl: PgSsl;
  /** When the first try fails, the other (libpq's sslmode=prefer: without TLS; allow: with it), else none. */
  sslFallback?: PgSsl;
  timeoutMs: number;
  applicationName: string;
  /** The URL without its password: what messages name the server by. */
  display: string;
}

export { isPostgresUrl };

const KNOWN = new Set(['host', 'port', 'user', 'dbname', 'passfile', 'sslmode', 'connect_timeout', 'application_name']);
const SSLMODES = new Set(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']);

/** Parses a postgres:// URL (UsageError naming what is wrong, with the password left out). */
export function parsePgUrl(raw: string, env: NodeJS.ProcessEnv = process.env): PgTarget {
  const text = raw.trim();
  // libpq's postgres://user@/db (a user, no host: $PGHOST or the default), which WHATWG URLs refuse: read
  // with a stand-in host, then taken as no host
  const hostless = /^postgres(?:ql)?:\/\/[^/?#]*@(?=[/?#]|$)/i.exec(text)?.[0];
  let u: URL;
  try {
    u = new URL(hostless ? `${hostless}localhost${text.slice(hostless.length)}` : text);
  } catch {
    throw new UsageError(`${redactUrl(text)}: not a valid PostgreSQL URL`, {
      hint: 'write it as postgres://user@host:5432/database (percent-encode special characters in the user name)',
    });
  }
  const q = u.searchParams;
  for (const key of q.keys()) {
    if (key === 'password') {
      throw new UsageError(`${redactUrl(text)}: a password in the URL's parameters would be shown wherever the URL is`, {
        hint: 'put it in a pgpass file ($PGPASSFILE) or the file named by $MOMENTSCAN_DB_PASSWORD_FILE',
      });
    }
    if (!KNOWN.has(key)) {
      throw new UsageError(`${redactUrl(text)}: unknown parameter "${key}"`, { hint: `the URL takes ${[...KNOWN].join(', ')}` });
    }
  }
  const dec = (s: string, what: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new UsageError(`${redactUrl(text)}: the ${what} is not valid percent-encoding`, { hint: 'encode special characters as %XX' });
    }
  };
  // what the URL leaves out comes from libpq's environment, as psql would take it
  const host = q.get('host') ?? (u.hostname && !hostless ? dec(u.hostname.replace(/^\[(.*)\]$/, '$1'), 'host') : env.PGHOST || 'localhost');
  const portText = q.get('port') ?? (u.port || env.PGPORT || '5432');
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`${redactUrl(text)}: port "${portText}" is not a port number`, { hint: 'use a number from 1 to 65535 (PostgreSQL listens on 5432 by default)' });
  }
  const user = q.get('user') ?? (u.username ? dec(u.username, 'user name') : env.PGUSER || os.userInfo().username);
  const database = q.get('dbname') ?? (u.pathname.length > 1 ? dec(u.pathname.slice(1), 'database name') : env.PGDATABASE || user);
  if (database.includes('/')) {
    throw new UsageError(`${redactUrl(text)}: "${database}" is not a database name`, { hint: 'write it as postgres://user@host:5432/database' });
  }
  const sslmode = q.get('sslmode') ?? env.PGSSLMODE ?? 'prefer';
  if (!SSLMODES.has(sslmode)) {
    throw new UsageError(`${redactUrl(text)}: sslmode "${sslmode}" is not one PostgreSQL knows`, { hint: `use one of ${[...SSLMODES].join(', ')}` });
  }
  const timeoutText = q.get('connect_timeout');
  const timeoutS = timeoutText === null ? 30 : Number(timeoutText);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) {
    throw new UsageError(`${redactUrl(text)}: connect_timeout "${timeoutText}" is not a number of seconds`, { hint: 'e.g. connect_timeout=10' });
  }

  const display = displayUrl(host, port, user, database);
  let password: string | undefined;
  let passwordFrom: string | null = null;
  let pgpassUnmatched: string | null = null;
  if (u.password) {
    password = dec(u.password, 'password');
    passwordFrom = 'the URL';
  } else if (env.MOMENTSCAN_DB_PASSWORD_FILE) {
    const file = env.MOMENTSCAN_DB_PASSWORD_FILE;
    password = readPasswordFile(file, display).replace(/\r?\n$/, '');
    passwordFrom = `$MOMENTSCAN_DB_PASSWORD_FILE (${file})`;
  } else if (env.PGPASSWORD) {
    password = env.PGPASSWORD;
    passwordFrom = '$PGPASSWORD';
  } else {
    const passfile = q.get('passfile') ?? env.PGPASSFILE ?? path.join(env.HOME || os.homedir(), '.pgpass');
    const explicit = q.has('passfile') || Boolean(env.PGPASSFILE);
    const found = lookupPgpass(passfile, explicit, display, { host, port, database, user });
    if (typeof found === 'string') {
      password = found;
      passwordFrom = `the pgpass file ${passfile}`;
    } else if (found === null) {
      pgpassUnmatched = passfile;
    }
  }
  return {
    host,
    port,
    user,
    database,
    password,
    passwordFrom,
    pgpassUnmatched,
    ...sslOf(sslmode, host),
    timeoutMs: timeoutS * 1000,
    applicationName: q.get('application_name') ?? 'momentscan',
    display,
  };
}

function displayUrl(host: string, port: number, user: string, database: string): string {
  const h = host.startsWith('/') ? '' : host.includes(':') ? `[${host}]` : host;
  const socket = host.startsWith('/') ? `?host=${encodeURIComponent(host)}` : '';
  return `postgres://${encodeURIComponent(user)}@${h}:${port}/${encodeURIComponent(database)}${socket}`;
}

/** The URL with any password in it replaced by *** (for a URL too broken to parse). */
export function redactUrl(text: string): string {
  return text.replace(/^(postgres(?:ql)?:\/\/[^:/?#@]*):[^@/?#]*@/i, '$1:***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/** A message with the password taken out wherever it appears (server messages can echo what they were sent). */
export function redact(message: string, target: Pick<PgTarget, 'password'>): string {
  let m = message;
  const pw = target.password;
  if (pw && pw.length > 0) {
    for (const form of new Set([pw, encodeURIComponent(pw)])) m = m.split(form).join('***');
  }
  return redactUrl(m);
}

function readPasswordFile(file: string, display: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${display}: cannot read the password file ${file} ($MOMENTSCAN_DB_PASSWORD_FILE): ${(err as NodeJS.ErrnoException).code}`, {
      hint: 'check the path and its permissions',
    });
  }
}

/** The password for a connection from a pgpass file (libpq's format and matching); null when the file has no line for it, undefined when there is no file. */
export function lookupPgpass(
  file: string,
  explicit: boolean,
  display: string,
  c: { host: string; port: number; database: string; user: string },
): string | null | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`${display}: cannot read the pgpass file ${file}: ${(err as NodeJS.ErrnoException).code}`, {
      hint: 'check $PGPASSFILE (or the URL\'s passfile=) and the file\'s permissions',
    });
  }
  // libpq matches "localhost" for unix-socket connections
  const host = c.host.startsWith('/') ? 'localhost' : c.host;
  const want = [host, String(c.port), c.database, c.user];
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const fields = splitPgpass(line);
    if (fields.length < 5) continue;
    if (want.every((w, i) => fields[i] === '*' || fields[i] === w)) return fields.slice(4).join(':');
  }
  return null;
}

/** Splits a pgpass line at its unescaped colons (\: and \\ are a colon and a backslash). */
function splitPgpass(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
    } else if (ch === ':' && out.length < 4) {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out;
}

export type PgSsl = false | { rejectUnauthorized: boolean; checkHost?: boolean };

/**
 * libpq's sslmodes: disable (no TLS), allow (without TLS, then with it if that fails), prefer (the default:
 * with TLS unchecked, then without it if the server has none), require (TLS, the certificate unchecked),
 * verify-ca (the certificate checked against the authorities, not the host name), verify-full (both).
 * A unix socket is not tried with TLS but when the mode asks for it (require, verify-…), as before.
 */
function sslOf(sslmode: string, host: string): { ssl: PgSsl; sslFallback?: PgSsl } {
  const unchecked = { rejectUnauthorized: false };
  const socket = host.startsWith('/');
  switch (sslmode) {
    case 'disable':
      return { ssl: false };
    case 'allow':
      return socket ? { ssl: false } : { ssl: false, sslFallback: unchecked };
    case 'prefer':
      return socket ? { ssl: false } : { ssl: unchecked, sslFallback: false };
    case 'require':
      return { ssl: unchecked };
    case 'verify-ca':
      return { ssl: { rejectUnauthorized: true, checkHost: false } };
    default:
      return { ssl: { rejectUnauthorized: true } };
  }
}
