/**
 * A synchronous PostgreSQL connection: node-postgres runs in a worker thread, and this thread blocks on
 * each request (Atomics.wait) until the worker has posted its answer (receiveMessageOnPort). The store's
 * interface is synchronous (better-sqlite3's shape); this keeps it so for the PostgreSQL backend.
 *
 * A request is a batch of statements, run in order; a batch marked `tx` runs in its own transaction. An
 * error inside a transaction rolls it back in the worker before the answer comes back, so nothing is
 * ever left half-saved, whatever this thread does next. Every error carries the server's SQLSTATE.
 */
import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { END, endWorker } from '../../core/worker-end.js';

/** One statement and its parameters ($1, $2…). */
export interface Statement {
  sql: string;
  params?: readonly unknown[];
  /** Prepared on the server under this name, once per connection (one name per text). */
  name?: string;
  /** Rows as arrays of their columns. */
  rowMode?: 'array';
}

export interface QueryResult<R = Record<string, unknown>> {
  rows: R[];
  rowCount: number;
}

export interface ConnectOptions {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  /** Gives up on a server that does not accept the connection within this long. */
  timeoutMs?: number;
  /**
   * Gives up on a request the server has not answered within this long (10 minutes unless given: a big
   * statement may rightly take minutes; a server that vanished is noticed sooner, by the socket's keepalive).
   */
  requestTimeoutMs?: number;
  /** Shown to the server (pg_stat_activity) */
  applicationName?: string;
  /**
   * Gives up (SQLSTATE 55P03) on a statement that has waited this long for a lock another session holds:
   * a psql session left in a transaction, a VACUUM FULL. No limit unless given. Waits for the advisory
   * locks of `locked()` and of the store's writing transactions (momentscan's own, which move on) have none.
   */
  lockTimeoutMs?: number;
  /** TLS (`checkHost: false`: the certificate checked, not the host name it is for: sslmode=verify-ca). */
  ssl?: false | { rejectUnauthorized: boolean; checkHost?: boolean };
  /**
   * Tried when the first connection fails: without TLS when the server has none (sslmode=prefer), with it
   * when the server refused a connection without (allow).
   */
  sslFallback?: false | { rejectUnauthorized: boolean; checkHost?: boolean };
}

/** A PostgreSQL error, with the server's SQLSTATE (or a node error code such as ECONNREFUSED). */
export class PgError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    /** The transaction in flight was rolled back (or the connection is gone, which rolls it back too). */
    readonly rolledBack: boolean,
    /** The connection can no longer be used. */
    readonly fatal: boolean,
  ) {
    super(message);
    this.name = 'PgError';
  }
}

type Request = { op: 'connect'; options: ConnectOptions } | { op: 'run'; batch: Statement[]; tx: boolean } | { op: 'end' };
type Answer =
  | { ok: true; results: QueryResult[] }
  | { ok: false; message: string; code: string | undefined; rolledBack: boolean; fatal: boolean };

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 600_000;

/**
 * BEGIN and the wait for an advisory lock, with no lock timeout for that wait (the lock is momentscan's own,
 * held by a process that moves on: another worker's save, a migration), then the session's own lock timeout
 * again for the rest of the transaction (a table another session has locked).
 */
export function advisoryLockStatements(lock: string): Statement[] {
  return [
    { sql: 'BEGIN' },
    { sql: 'SET LOCAL lock_timeout = 0' },
    { sql: 'SELECT pg_advisory_xact_lock($1)', params: [lock] },
    // (DEFAULT: the session's own, given when it connected)
    { sql: 'SET LOCAL lock_timeout TO DEFAULT' },
  ];
}

/** The synchronous connection: one worker thread holding one node-postgres client. */
export class SyncPg {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private closed = false;
  private broken: PgError | undefined;
  private readonly timeoutMs: number;

  private constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
    const channel = new MessageChannel();
    this.port = channel.port2;
    const pgPath = createRequire(import.meta.url).resolve('pg');
    this.worker = new Worker(`(${workerMain.toString()})(require, require('node:worker_threads'))`, {
      eval: true,
      // (what it needs to end settled, core/worker-end.ts, which it cannot import as this module does)
      workerData: { pgPath, flag: this.flag, port: channel.port1, end: END, endUrl: new URL('../../core/worker-end.js', import.meta.url).href },
      transferList: [channel.port1],
    });
    // the worker never keeps the process alive, and its own failure is reported on the next request
    this.worker.unref();
    this.worker.on('error', (err) => {
      this.broken ??= new PgError(`connection thread failed: ${err.message}`, 'WORKER', true, true);
    });
  }

  /** Connects, or throws PgError (ECONNREFUSED, 28P01 bad password, 3D000 no such database…). */
  static connect(options: ConnectOptions): SyncPg {
    const pg = new SyncPg(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
    try {
      pg.request({ op: 'connect', options }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    } catch (err) {
      pg.close();
      throw err;
    }
    return pg;
  }

  /** Runs one statement. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): QueryResult<R> {
    return this.request({ op: 'run', batch: [{ sql, params }], tx: false })[0] as QueryResult<R>;
  }

  /** Runs statements in order in one round trip; `tx`: in one transaction of their own, all or none. */
  batch(statements: Statement[], tx = false): QueryResult[] {
    if (statements.length === 0) return [];
    return this.request({ op: 'run', batch: statements, tx });
  }

  /**
   * Runs `fn` in one transaction holding the advisory lock `lock` (a bigint, as text): committed when it
   * returns, rolled back when it throws.
   */
  locked<T>(lock: string, fn: () => T): T {
    this.batch(advisoryLockStatements(lock));
    let result: T;
    try {
      result = fn();
    } catch (err) {
      try {
        this.query('ROLLBACK');
      } catch {
        // rolled back already (an error does that here), or the connection is gone
      }
      throw err;
    }
    this.query('COMMIT');
    return result;
  }

  get isOpen(): boolean {
    return !this.closed && !this.broken;
  }

  /** Closes the connection (an open transaction is rolled back by the server). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.broken) {
      try {
        this.send({ op: 'end' }, 2_000);
      } catch {
        // gone already: terminating the thread closes its socket
      }
    }
    this.port.close();
    void endWorker(this.worker);
  }

  private request(req: Request, timeoutMs = this.timeoutMs): QueryResult[] {
    if (this.closed) throw new PgError('connection closed', 'CLOSED', true, true);
    if (this.broken) throw this.broken;
    // connecting is bounded by node-postgres itself (connectionTimeoutMillis); this is a last resort
    const answer = this.send(req, req.op === 'connect' ? timeoutMs + 5_000 : timeoutMs);
    if (answer.ok) return answer.results;
    const err = new PgError(answer.message, answer.code, answer.rolledBack, answer.fatal);
    if (answer.fatal) this.broken = err;
    throw err;
  }

  private send(req: Request, timeoutMs: number): Answer {
    Atomics.store(this.flag, 0, 0);
    this.worker.postMessage(req);
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const m = receiveMessageOnPort(this.port);
      if (m) return m.message as Answer;
      if (this.broken) throw this.broken;
      const left = deadline - performance.now();
      if (left <= 0) {
        const seconds = Math.round(timeoutMs / 100) / 10;
        this.broken = new PgError(`no answer from the server within ${seconds} s`, 'TIMEOUT', true, true);
        void endWorker(this.worker);
        throw this.broken;
      }
      // woken when the answer is posted; the short slices notice a thread that died without answering
      Atomics.wait(this.flag, 0, 0, Math.min(left, 250));
    }
  }
}

/**
 * The worker thread's code (run from its source text, so it needs no file of its own next to the
 * compiled module): one node-postgres client, requests answered one at a time, in order.
 * It must not refer to anything outside itself.
 */
function workerMain(req: NodeJS.Require, wt: typeof import('node:worker_threads')): void {
  const { pgPath, flag, port, end, endUrl } = wt.workerData as { pgPath: string; flag: Int32Array; port: MessagePort; end: string; endUrl: string };
  const pg = req(pgPath) as typeof import('pg');
  // bigint columns (timestamps in ms, counts) as numbers: every one we store fits in 2^53
  pg.types.setTypeParser(20, (v: string) => Number(v));
  // numeric (sums) as numbers too
  pg.types.setTypeParser(1700, (v: string) => Number(v));
  // booleans as 1 and 0, as SQLite gives them
  pg.types.setTypeParser(16, (v: string) => (v === 't' ? 1 : 0));
  let client: import('pg').Client | undefined;
  let dead: { message: string; code: string | undefined } | undefined;

  const answer = (a: unknown): void => {
    port.postMessage(a);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  };
  const describe = (err: unknown): { message: string; code: string | undefined } => {
    const e = err as { message?: string; code?: unknown; errors?: { message?: string; code?: unknown }[] };
    // a refused connection to "localhost" is an AggregateError over both addresses: take the first
    const first = !e.message && Array.isArray(e.errors) && e.errors[0] ? e.errors[0] : e;
    return { message: String(first.message ?? err), code: first.code === undefined ? undefined : String(first.code) };
  };

  /** One connection attempt, with this TLS (or none). */
  const open = async (o: Record<string, unknown>, ssl: false | Record<string, unknown>): Promise<import('pg').Client> => {
    const c = new pg.Client({
      host: o.host as string | undefined,
      port: o.port as number | undefined,
      user: o.user as string | undefined,
      password: o.password as string | undefined,
      database: o.database as string | undefined,
      application_name: (o.applicationName as string | undefined) ?? 'momentscan',
      ssl,
      connectionTimeoutMillis: (o.timeoutMs as number | undefined) ?? 30_000,
      // (a startup parameter: no round trip of its own)
      ...(o.lockTimeoutMs ? { lock_timeout: o.lockTimeoutMs as number } : {}),
      // the connection would be given up on if the server vanished mid-request
      keepAlive: true,
    });
    c.on('error', (err) => {
      if (client === c) dead ??= describe(err);
    });
    await c.connect();
    return c;
  };

  const run = async (msg: { op: string; options?: Record<string, unknown>; batch?: { sql: string; params?: unknown[]; name?: string; rowMode?: 'array' }[]; tx?: boolean }): Promise<unknown> => {
    if (msg.op === 'connect') {
      const o = msg.options!;
      type Ssl = false | { rejectUnauthorized: boolean; checkHost?: boolean } | undefined;
      const tlsOf = (s: Ssl) => (s ? { rejectUnauthorized: s.rejectUnauthorized, ...(s.checkHost === false ? { checkServerIdentity: () => undefined } : {}) } : false);
      const first = (o.ssl as Ssl) ?? false;
      try {
        client = await open(o, tlsOf(first));
      } catch (err) {
        const fallback = o.sslFallback as Ssl | false | undefined;
        if (fallback === undefined) throw err;
        // prefer: the server has no TLS; allow: the server refused the connection without it (SQLSTATE 28000)
        const retry = first ? /does not support SSL/i.test(describe(err).message) : /^28/.test(describe(err).code ?? '');
        if (!retry) throw err;
        client = await open(o, tlsOf(fallback));
      }
      return { ok: true, results: [] };
    }
    if (msg.op === 'end') {
      const c = client;
      client = undefined;
      if (c) await c.end().catch(() => undefined);
      return { ok: true, results: [] };
    }
    if (dead) return { ok: false, ...dead, rolledBack: true, fatal: true };
    if (!client) return { ok: false, message: 'not connected', code: 'CLOSED', rolledBack: true, fatal: true };
    const c = client;
    const results: { rows: unknown[]; rowCount: number }[] = [];
    let inTx = false;
    try {
      if (msg.tx) {
        await c.query('BEGIN');
        inTx = true;
      }
      for (const s of msg.batch!) {
        const config = { text: s.sql, values: s.params as unknown[] | undefined, name: s.name, rowMode: s.rowMode };
        const r = await c.query(config as import('pg').QueryConfig);
        // a multi-statement text (no parameters) answers with one result per statement: keep the last
        const last = Array.isArray(r) ? r[r.length - 1] : r;
        results.push({ rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0 });
      }
      if (inTx) {
        inTx = false;
        await c.query('COMMIT');
      }
      return { ok: true, results };
    } catch (err) {
      const d = describe(err);
      const fatal = Boolean(dead) || !d.code || !/^[0-9A-Z]{5}$/.test(d.code) || d.code.startsWith('57P') || d.code.startsWith('08');
      let rolledBack = fatal;
      if (!fatal) {
        // a transaction (ours, or one the caller opened with BEGIN) is aborted by any error: end it here
        // (the status may still be the one from before the failed statement: 'T' counts as well as 'E')
        const status = (c as unknown as { getTransactionStatus(): string | null }).getTransactionStatus();
        const open = inTx || status === 'T' || status === 'E';
        if (open) {
          await c.query('ROLLBACK').catch(() => undefined);
          rolledBack = true;
        }
      }
      return { ok: false, ...d, rolledBack, fatal };
    }
  };

  let queue: Promise<void> = Promise.resolve();
  wt.parentPort!.on('message', (msg) => {
    if (msg === end) {
      // settled first where the built module is there (not when run from the TypeScript sources); in this
      // worker thread process.exit ends the thread only, and it writes nothing to stdout
      void import(endUrl).then((m: typeof import('../../core/worker-end.js')) => m.exitSettled(), () => process.exit(0));
      return;
    }
    queue = queue.then(async () => {
      let a: unknown;
      try {
        a = await run(msg);
      } catch (err) {
        const d = describe(err);
        a = { ok: false, ...d, rolledBack: true, fatal: msg.op === 'connect' || Boolean(dead) };
      }
      answer(a);
    });
  });
}
