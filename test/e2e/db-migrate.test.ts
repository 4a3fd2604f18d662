import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SyncPg } from '../../src/store/pg/bridge.js';
import { COPIED_TABLES } from '../../src/store/copy.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { freshDatabase, optionsOf } from '../helpers/pg.js';
import { tempDir } from '../helpers/tmp.js';
import { startCli } from '../helpers/spawn.js';
import { WRITER_LOCK } from '../../src/store/pg/db.js';

const CONFIG = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');
const AS_OF = ['--as-of', '2026-11-20T12:00:00Z'];

/** A home with a SQLite file to come (the sample's config), a new PostgreSQL database, and a CLI run on either. */
function setUp() {
  const home = tempDir();
  const url = freshDatabase('migrate');
  const on = (db: string, args: string[]) => runCli([...args, '--config', CONFIG, '--db', db], { home });
  return { home, file: path.join(home, 'sample.db'), url, on };
}

describe('db migrate: a SQLite history into PostgreSQL', () => {
  it('copies the sample (feeds, items, stories, moments, digests, silences) with every count checked; the commands then say the same on both', () => {
    const { home, file, url, on } = setUp();
    expect(on(file, ['fetch', '--quiet', '--concurrency', '1']).status).toBe(0);
    expect(on(file, ['moments', '--json', '--since', '3d', ...AS_OF]).status).toBe(0); // records the moments
    expect(on(file, ['digest', '--since', '24h', ...AS_OF]).status).toBe(0); // records a digest
    expect(on(file, ['silence', 'add', 'Globex', '--for', '1d']).status).toBe(0);
    // and the feedback loop's and the CRM's tables: an account, a planned event, a label
    expect(on(file, ['accounts', 'import', path.join(import.meta.dirname, '../../fixtures/accounts/hubspot-companies.csv')]).status).toBe(0);
    expect(on(file, ['events', 'add', 'Globex', '--from', '2026-11-19T00:00:00Z', '--to', '2026-11-19T06:00:00Z', '--note', 'launch']).status).toBe(0);
    const momentId = (JSON.parse(on(file, ['moments', '--json', '--since', '3d', ...AS_OF]).stdout) as { id: number }[])[0]!.id;
    expect(on(file, ['label', String(momentId), 'real', '--note', 'worth it', '--at', '2026-11-20T00:00:00Z']).status).toBe(0);
    // every table of the history is copied; what is left out is rebuilt from it (caches, the search index, and
    // feed_topics, made from the copied matches by item_topics' trigger)
    const tables = new Database(file, { readonly: true }).prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'items_fts%'").pluck().all() as string[];
    expect(tables.filter((t) => !(COPIED_TABLES as readonly string[]).includes(t)).sort()).toEqual(['engine_states', 'feed_topics', 'fts_state', 'topic_quarter_weeks']);

    const r = runCli(['db', 'migrate', '--from', file, '--to', url], { home });
    expect(r.stderr).toContain('momentscan: db migrate: story_state: 1 row\n'); // not "1 rows"
    expect(r.stderr).toMatch(new RegExp(`db migrate: \\d+ rows in ${COPIED_TABLES.length} tables copied to postgres://momentscan_test@127\\.0\\.0\\.1:\\d+/migrate_\\w+; counts checked on both sides\n$`));
    expect(r.stderr).not.toContain(new URL(url).password);
    expect(r.status).toBe(0);

    const sqlite = new Database(file, { readonly: true });
    const pg = SyncPg.connect(optionsOf(url));
    try {
      for (const table of COPIED_TABLES) {
        const want = sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
        expect(pg.query(`SELECT count(*) AS n FROM ${table}`).rows[0], table).toEqual({ n: want });
      }
      for (const t of ['items', 'moments', 'digests', 'notify_silences', 'accounts', 'events', 'feedback']) expect((pg.query(`SELECT count(*) AS n FROM ${t}`).rows[0] as { n: number }).n, t).toBeGreaterThan(0);
      // the same output from either store
      for (const args of [
        ['moments', '--json', '--since', '3d', ...AS_OF],
        ['items', '--json', '--limit', '50', ...AS_OF],
        ['topics', '--json'],
        ['silence', 'list', '--json'],
        ['accounts', 'list', '--json'],
        ['events', 'list', '--json'],
        ['quality', '--json', '--since', '7d', ...AS_OF],
        ['timeline', 'Northwind Airlines', '--csv', '--bucket', '6h', ...AS_OF],
      ]) {
        const a = on(file, args);
        const b = on(url, args);
        expect(b.status, b.stderr).toBe(0);
        expect(b.stdout, args.join(' ')).toBe(a.stdout);
      }
      // new rows take new ids after the copied ones
      expect(on(url, ['silence', 'add', 'Initech', '--for', '1h']).status).toBe(0);
      expect(pg.query("SELECT id > (SELECT min(id) FROM notify_silences) AS later FROM notify_silences WHERE topic = 'Initech'").rows[0]).toEqual({ later: 1 });

      // a database holding data already is refused, and left as it was
      const before = pg.query('SELECT count(*) AS n FROM items').rows[0];
      const again = runCli(['db', 'migrate', '--from', file, '--to', url], { home });
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/: already holds momentscan data \(feeds: \d+ rows, fetch_log: \d+ rows, stories: \d+ rows, and \d+ more tables\) — migrate into a new, empty database/);
      expect(pg.query('SELECT count(*) AS n FROM items').rows[0]).toEqual(before);
    } finally {
      sqlite.close();
      pg.close();
    }
  }, 300_000); // a dozen CLI runs

  it('a target holding only a silence and an event (added there before the move) is refused in one line naming them, and left as it was', () => {
    const { home, file, url, on } = setUp();
    expect(on(file, ['silence', 'add', 'Globex', '--for', '1d']).status).toBe(0);
    expect(on(file, ['events', 'add', 'Globex', '--from', '2026-11-19T00:00:00Z', '--note', 'launch']).status).toBe(0);
    // the team's database, where someone already silenced a topic and planned an event
    expect(on(url, ['silence', 'add', '*', '--for', '2h']).status).toBe(0);
    expect(on(url, ['events', 'add', 'Globex', '--from', '2026-11-01T00:00:00Z', '--note', 'theirs']).status).toBe(0);
    const r = runCli(['db', 'migrate', '--from', file, '--to', url], { home });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^momentscan: error: postgres:\/\/momentscan_test@127\.0\.0\.1:\d+\/migrate_\w+: already holds momentscan data \(notify_silences: 1 row, events: 1 row\) — migrate into a new, empty database \(createdb momentscan\), so that nothing is mixed or overwritten\n$/);
    const events = JSON.parse(on(url, ['events', 'list', '--json']).stdout) as { note: string }[];
    expect(events.map((e) => e.note)).toEqual(['theirs']);
  }, 60_000);

  it("into a database a command has opened already (README's team steps: 'momentscan status' to check the connection, then db migrate)", () => {
    const { home, file, url, on } = setUp();
    expect(on(file, ['silence', 'add', 'Globex', '--for', '1d']).status).toBe(0);
    expect(on(url, ['status', '--no-smtp-check']).status).toBe(0); // sets the schema up, and writes the config's topics
    const r = runCli(['db', 'migrate', '--from', file, '--to', url], { home });
    expect(r.status, r.stderr).toBe(0);
    expect(on(url, ['topics', '--json']).stdout).toBe(on(file, ['topics', '--json']).stdout);
    expect(on(url, ['silence', 'list', '--json']).stdout).toBe(on(file, ['silence', 'list', '--json']).stdout);
  }, 60_000);

  it('--quiet: nothing on stderr when it went well (a cron job or script moving a history)', () => {
    const { home, file, url, on } = setUp();
    expect(on(file, ['silence', 'add', 'Globex', '--for', '1d']).status).toBe(0);
    const r = runCli(['db', 'migrate', '--quiet', '--from', file, '--to', url], { home });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('an empty file given as --from is refused: nothing set up in it, nothing copied into PostgreSQL', () => {
    const home = tempDir();
    const empty = path.join(home, 'empty.db');
    writeFileSync(empty, '');
    const url = freshDatabase('migrate');
    const r = runCli(['db', 'migrate', '--from', empty, '--to', url], { home });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`momentscan: error: ${empty}: an empty file, not a momentscan database — check the path given to --from; nothing was copied or written\n`);
    expect(statSync(empty).size).toBe(0);
    const pg = SyncPg.connect(optionsOf(url));
    try {
      expect(pg.query("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'").rows[0]).toEqual({ n: 0 });
    } finally {
      pg.close();
    }
  });

  it.each([
    [['--from', 'a.db'], /give --from \(a SQLite file\) and --to/],
    [['--from', 'a.db', '--to', 'b.db'], /--to takes a postgres:\/\/ URL, not "b.db"/],
    [['--from', 'postgres://x/y', '--to', 'postgres://x/z'], /--from and --to are both postgres:\/\/ URLs: one of them is a SQLite file — to copy between two servers, use pg_dump and pg_restore/],
  ])('db migrate %j is a usage error', (args, message) => {
    const r = runCli(['db', 'migrate', ...args], { home: tempDir() });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

/**
 * A db migrate started while `holder` (in a transaction) holds a lock it needs, sent SIGINT once it waits
 * for that lock (pg_locks: `lock`, not granted), the lock then given up: how it ended.
 */
async function interrupted(args: string[], home: string, holder: SyncPg, lock: string, signal: NodeJS.Signals = 'SIGINT') {
  const run = startCli(['db', 'migrate', ...args], { home });
  const waiting = () => (holder.query(`SELECT count(*) AS n FROM pg_locks WHERE ${lock} AND NOT granted`).rows[0] as { n: number }).n;
  for (let i = 0; i < 600 && waiting() === 0; i++) await new Promise((r) => setTimeout(r, 50));
  expect(waiting()).toBe(1);
  run.child.kill(signal);
  holder.query('COMMIT');
  return run.exited;
}

describe('db migrate interrupted', () => {
  it('Ctrl-C (SIGTERM, SIGHUP) says in one line that nothing was written, exit 130 (143, 129), and the target stays empty: it may be run again', async () => {
    const { home, file, url, on } = setUp();
    expect(on(file, ['fetch', '--quiet', '--concurrency', '1']).status).toBe(0);
    // another momentscan's save holds the writer lock: the migrate waits for it, and is interrupted meanwhile
    const holder = SyncPg.connect(optionsOf(url));
    try {
      expect(on(url, ['status', '--no-smtp-check']).status).toBe(0); // the schema set up
      holder.query('BEGIN');
      holder.query(`SELECT pg_advisory_xact_lock(${WRITER_LOCK})`);
      const r = await interrupted(['--from', file, '--to', url], home, holder, "locktype = 'advisory'");
      // (a table or two may be said copied before the signal is seen: they are rolled back with the rest)
      expect(r.stderr).toMatch(/^(momentscan: db migrate: \w+: \d+ rows?\n){0,3}momentscan: error: interrupted: db migrate stopped before it committed: nothing was written to postgres:\/\/momentscan_test@127\.0\.0\.1:\d+\/migrate_\w+ — run it again to copy the history\n$/);
      expect(r.status).toBe(130);
      expect(holder.query('SELECT count(*) AS n FROM items').rows[0]).toEqual({ n: 0 });
      // SIGTERM (cron, systemd, kill) and SIGHUP (the terminal closed) likewise, each named, exit 143 and 129
      // (they ended the process without a word)
      for (const [signal, status] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
        holder.query('BEGIN');
        holder.query(`SELECT pg_advisory_xact_lock(${WRITER_LOCK})`);
        const s = await interrupted(['--from', file, '--to', url], home, holder, "locktype = 'advisory'", signal);
        expect(s.stderr, signal).toMatch(new RegExp(`^(momentscan: db migrate: \\w+: \\d+ rows?\n){0,3}momentscan: error: interrupted by ${signal}: db migrate stopped before it committed: nothing was written to postgres://momentscan_test@127\\.0\\.0\\.1:\\d+/migrate_\\w+ — run it again to copy the history\n$`));
        expect(s.status, signal).toBe(status);
        expect(holder.query('SELECT count(*) AS n FROM items').rows[0]).toEqual({ n: 0 });
      }
      // and it goes through when run again
      expect(runCli(['db', 'migrate', '--from', file, '--to', url, '--quiet'], { home }).status).toBe(0);
      expect((holder.query('SELECT count(*) AS n FROM items').rows[0] as { n: number }).n).toBeGreaterThan(0);
    } finally {
      holder.close();
    }
  }, 120_000);
});

describe('db migrate: a PostgreSQL history back into a SQLite file', () => {
  it('copies every table with its ids, counts checked; the commands then say the same on both; a file holding data is refused; Ctrl-C leaves no file', async () => {
    const { home, file, url, on } = setUp();
    // the team's history: fetched, moments and a digest recorded, a silence, an event, an account, a label
    expect(on(url, ['fetch', '--quiet', '--concurrency', '1']).status).toBe(0);
    expect(on(url, ['digest', '--since', '24h', ...AS_OF]).status).toBe(0);
    expect(on(url, ['silence', 'add', 'Globex', '--for', '1d']).status).toBe(0);
    expect(on(url, ['accounts', 'import', path.join(import.meta.dirname, '../../fixtures/accounts/hubspot-companies.csv')]).status).toBe(0);
    expect(on(url, ['events', 'add', 'Globex', '--from', '2026-11-19T00:00:00Z', '--to', '2026-11-19T06:00:00Z', '--note', 'launch']).status).toBe(0);
    const momentId = (JSON.parse(on(url, ['moments', '--json', '--since', '3d', ...AS_OF]).stdout) as { id: number }[])[0]!.id;
    expect(on(url, ['label', String(momentId), 'real', '--note', 'worth it', '--at', '2026-11-20T00:00:00Z']).status).toBe(0);

    const r = runCli(['db', 'migrate', '--from', url, '--to', file], { home });
    expect(r.stderr).toMatch(new RegExp(`db migrate: \\d+ rows in ${COPIED_TABLES.length} tables copied to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; counts checked on both sides\n$`));
    expect(r.status).toBe(0);
    const sqlite = new Database(file, { readonly: true });
    const pg = SyncPg.connect(optionsOf(url));
    try {
      for (const table of COPIED_TABLES) {
        const want = (pg.query(`SELECT count(*) AS n FROM ${table}`).rows[0] as { n: number }).n;
        expect(sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get(), table).toBe(want);
      }
      expect((pg.query('SELECT count(*) AS n FROM items').rows[0] as { n: number }).n).toBeGreaterThan(1000);
    } finally {
      sqlite.close();
      pg.close();
    }
    for (const cmd of [['moments', '--json', '--since', '3d', ...AS_OF], ['items', '--json', '--search', 'recall*', '--since', '30d'], ['silence', 'list', '--json'], ['events', 'list', '--json'], ['accounts', 'list', '--json'], ['topics', '--json']]) {
      const [a, b] = [url, file].map((db) => on(db, cmd));
      expect(b!.status, cmd.join(' ')).toBe(0);
      expect(b!.stdout, cmd.join(' ')).toBe(a!.stdout);
    }
    // once more into the same file: refused, the file as it was
    const again = runCli(['db', 'migrate', '--from', url, '--to', file], { home });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^momentscan: error: .*sample\.db: already holds momentscan data \(feeds: \d+ rows, fetch_log: \d+ rows, stories: \d+ rows, and \d+ more\) — migrate into a new file/);
    // Ctrl-C while the copy is under way (held up by a psql session's lock on the last table it reads, given
    // up once the signal is sent): nothing is written, and the file it was making is not left behind
    const fresh = path.join(home, 'laptop.db');
    const holder = SyncPg.connect(optionsOf(url));
    try {
      holder.query('BEGIN');
      holder.query('LOCK TABLE account_state IN ACCESS EXCLUSIVE MODE');
      const stopped = await interrupted(['--from', url, '--to', fresh], home, holder, "relation = 'account_state'::regclass");
      expect(stopped.stderr).toMatch(/momentscan: error: interrupted: db migrate stopped before it committed: nothing was written to .*laptop\.db — run it again to copy the history\n$/);
      expect(stopped.status).toBe(130);
      expect(existsSync(fresh)).toBe(false);
    } finally {
      holder.close();
    }
  }, 180_000);
});
