import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../core/errors.js';
import { FEEDBACK_MIGRATION } from './feedback-schema.js';
import { NOTIFY_MIGRATION } from './notify-schema.js';

export type DB = Database.Database;

/** The slot topic_quarters keeps counts by: a quarter of an hour. */
export const QUARTER_MS = 900_000;

/** The span topic_quarter_weeks caches the quarter-hour counts by (one blob per topic and week). */
export const COUNTS_WEEK_MS = 7 * 86_400_000;

/**
 * Recomputes the quarter-hour counts from the matches, rows for topic_quarters (for one topic with a
 * WHERE topic_id = ? on both). Slots are keyed by truncation, like every bucket. Migration 10 runs it:
 * a change to it is a new migration.
 */
export const TOPIC_QUARTERS_SELECT = `
  SELECT topic_id, (published_at / ${QUARTER_MS}) * ${QUARTER_MS}, total(story_first), count(*),
         total(story_first AND sentiment IS NOT NULL),
         total(CASE WHEN story_first THEN sentiment END), total(CASE WHEN story_first THEN sentiment * sentiment END)
  FROM item_topics`;

/** Schema migrations, applied in order; `PRAGMA user_version` records how many have run. */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    title TEXT,
    site_link TEXT,
    etag TEXT,
    last_modified TEXT,
    created_at INTEGER NOT NULL,
    last_fetched_at INTEGER,
    last_success_at INTEGER,
    last_status TEXT,
    last_error TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE fetch_log (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    started_at INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'not-modified', 'failed')),
    http_status INTEGER,
    bytes INTEGER,
    items_seen INTEGER NOT NULL DEFAULT 0,
    items_new INTEGER NOT NULL DEFAULT 0,
    error TEXT
  );
  CREATE INDEX fetch_log_feed ON fetch_log(feed_id, started_at);
  CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    guid TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    link TEXT,
    canonical_url TEXT,
    author TEXT,
    source TEXT,
    source_domain TEXT,
    published_at INTEGER NOT NULL,
    date_estimated INTEGER NOT NULL DEFAULT 0,
    fetched_at INTEGER NOT NULL,
    sentiment REAL,
    UNIQUE (feed_id, guid)
  );
  CREATE UNIQUE INDEX items_canonical_url ON items(canonical_url) WHERE canonical_url IS NOT NULL;
  CREATE TABLE topics (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL
  );
  -- published_at and sentiment are copied here so that per-bucket counts are one covering-index scan.
  CREATE TABLE item_topics (
    topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    published_at INTEGER NOT NULL,
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    sentiment REAL,
    PRIMARY KEY (topic_id, published_at, item_id)
  ) WITHOUT ROWID;
  CREATE TABLE moments (
    id INTEGER PRIMARY KEY,
    topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    direction TEXT NOT NULL,
    start_at INTEGER NOT NULL,
    peak_at INTEGER NOT NULL,
    end_at INTEGER NOT NULL,
    score REAL NOT NULL,
    detail TEXT NOT NULL,
    first_seen_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    UNIQUE (topic_id, kind, direction, start_at)
  );
  `,
  // 2: polite fetching and feed health
  `
  ALTER TABLE feeds ADD COLUMN fetch_url TEXT;       -- where the feed moved (permanent redirect), if it did
  ALTER TABLE feeds ADD COLUMN next_due_at INTEGER;  -- not fetched again before this (interval, max-age, ttl, Retry-After)
  ALTER TABLE feeds ADD COLUMN retired_at INTEGER;   -- 410 Gone: no longer fetched
  ALTER TABLE fetch_log ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE fetch_log ADD COLUMN overflow INTEGER NOT NULL DEFAULT 0; -- only unseen items: the feed may drop items between fetches
  ALTER TABLE fetch_log ADD COLUMN notice TEXT;
  `,
  // 3: sources, languages, one story counted once
  `
  ALTER TABLE feeds ADD COLUMN kind TEXT NOT NULL DEFAULT 'rss';  -- google-news, reddit, hackernews, mastodon, rss...
  ALTER TABLE items ADD COLUMN language TEXT;                      -- ISO 639-1, null when it could not be told
  CREATE TABLE stories (
    id INTEGER PRIMARY KEY,
    signature TEXT NOT NULL,      -- normalised title tokens: what near-duplicates are matched on
    title TEXT NOT NULL,          -- the first copy's title
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL
  );
  CREATE INDEX stories_last_at ON stories(last_at);
  ALTER TABLE items ADD COLUMN story_id INTEGER REFERENCES stories(id);
  CREATE INDEX items_story ON items(story_id);
  -- which stories a topic has already counted: the first copy of a story in a topic counts for volume
  CREATE TABLE story_topics (
    story_id INTEGER NOT NULL,
    topic_id INTEGER NOT NULL,
    PRIMARY KEY (story_id, topic_id)
  ) WITHOUT ROWID;
  ALTER TABLE item_topics ADD COLUMN story_first INTEGER NOT NULL DEFAULT 1;
  `,
  // 4: which sentiment engine scored each item, so `momentscan rescore` knows what to redo
  `
  ALTER TABLE items ADD COLUMN sentiment_engine TEXT;
  `,
  // 5: digests sent, so `digest --since last` knows where the previous one ended
  `
  CREATE TABLE digests (
    id INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
    period_start INTEGER NOT NULL,
    period_end INTEGER NOT NULL,
    sent INTEGER NOT NULL DEFAULT 0,   -- 1 when it went out by email
    recipients TEXT,
    moments INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX digests_end ON digests(period_end);
  `,
  // 6: hourly counts per topic, kept up to date at ingest, so detection over months reads a few
  // thousand rows per topic instead of every item
  `
  CREATE TABLE topic_hours (
    topic_id INTEGER NOT NULL,
    hour INTEGER NOT NULL,            -- epoch ms of the hour's start, UTC
    stories INTEGER NOT NULL,         -- first copies of stories (what volume counts)
    items INTEGER NOT NULL,           -- every copy
    scored INTEGER NOT NULL,          -- first copies with a sentiment
    sentiment_sum REAL NOT NULL,
    sentiment_sq REAL NOT NULL,
    PRIMARY KEY (topic_id, hour)
  ) WITHOUT ROWID;
  DELETE FROM topic_hours;
  INSERT INTO topic_hours
    SELECT topic_id, (published_at / 3600000) * 3600000, total(story_first), count(*),
           total(story_first AND sentiment IS NOT NULL),
           total(CASE WHEN story_first THEN sentiment END), total(CASE WHEN story_first THEN sentiment * sentiment END)
    FROM item_topics GROUP BY 1, 2;
  `,
  // 7: full-text search over titles and summaries (filled on first search, then kept up by item id)
  `
  CREATE VIRTUAL TABLE items_fts USING fts5(title, summary, content='items', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
  CREATE TABLE fts_state (indexed_to INTEGER NOT NULL);
  INSERT INTO fts_state VALUES (0);
  `,
  // 8: items.story_id is written once, with the item, and never looked up by: its index only cost
  // writes (a random page per stored item)
  `
  DROP INDEX items_story;
  `,
  // 9: stories that do not depend on the order feeds arrive in. A fetch stores items with a provisional
  // story, notes the earliest of them, and at its end replays story assignment from there in canonical
  // order (Store.replayStories). That needs the items published in a time range: they are found by when
  // they were fetched (an index appended to at its right edge, nearly free to keep; one on published_at
  // is written all over by a first fetch of weeks of items, and made the benchmark's first fetch take
  // twice as long) and how far ahead of its fetch an item was ever published (max_lead); when each story
  // first matched each topic; and where the replay has to start.
  `
  CREATE INDEX items_fetched ON items(fetched_at);
  CREATE TABLE story_topics_new (
    story_id INTEGER NOT NULL,
    topic_id INTEGER NOT NULL,
    first_at INTEGER NOT NULL,    -- published_at of the story's first item in the topic
    PRIMARY KEY (story_id, topic_id)
  ) WITHOUT ROWID;
  INSERT INTO story_topics_new (story_id, topic_id, first_at)
    SELECT i.story_id, m.topic_id, min(m.published_at) FROM item_topics m JOIN items i ON i.id = m.item_id
    WHERE i.story_id IS NOT NULL GROUP BY 1, 2;
  DROP TABLE story_topics;
  ALTER TABLE story_topics_new RENAME TO story_topics;
  CREATE TABLE story_state (
    replay_from INTEGER,                    -- earliest published_at of items whose story is provisional; NULL: none
    max_lead INTEGER NOT NULL DEFAULT 0,    -- the most any item's published_at is after its fetched_at
    generation INTEGER NOT NULL DEFAULT 0   -- bumped by every replay: writers with stories in memory reload them
  );
  INSERT INTO story_state (replay_from, max_lead, generation)
    VALUES (NULL, (SELECT max(0, coalesce(max(published_at - fetched_at), 0)) FROM items), 0);
  `,
  // 10: the per-topic counts by quarter hour instead of by hour, so that detection's default 15-minute
  // buckets (and any multiple: 1h, 6h, 1d) are rolled up from them rather than grouped from every match.
  // Rebuilt from the matches, in the migration's transaction.
  `
  CREATE TABLE topic_quarters (
    topic_id INTEGER NOT NULL,
    slot INTEGER NOT NULL,            -- epoch ms of the quarter hour's start, UTC
    stories INTEGER NOT NULL,         -- first copies of stories (what volume counts)
    items INTEGER NOT NULL,           -- every copy
    scored INTEGER NOT NULL,          -- first copies with a sentiment
    sentiment_sum REAL NOT NULL,
    sentiment_sq REAL NOT NULL,
    PRIMARY KEY (topic_id, slot)
  ) WITHOUT ROWID;
  INSERT INTO topic_quarters ${TOPIC_QUARTERS_SELECT} GROUP BY 1, 2;
  DROP TABLE topic_hours;
  `,
  // stories have a bounded life (48 h from their first item): a story that goes on after that is a new
  // story, linked to the one it follows up (NULL: none). Self-contained: only adds a column.
  `
  ALTER TABLE stories ADD COLUMN follows_id INTEGER;
  `,
  // notifications (src/notify/outbox.ts): the delivery outbox, silences, endpoints gone for good
  NOTIFY_MIGRATION,
  // one feed cannot hide another's items by carrying their article URLs: a canonical URL is unique per
  // feed, not across feeds (each feed's copy is stored, and the story replay puts copies of one URL in
  // one story). The index leads with the URL, so it also finds an article's copies from every feed.
  `
  DROP INDEX items_canonical_url;
  CREATE UNIQUE INDEX items_canonical_url_feed ON items(canonical_url, feed_id) WHERE canonical_url IS NOT NULL;
  `,
  // 14: caches for detection, both kept by triggers on topic_quarters, in the writer's transaction.
  // - topic_quarter_weeks: the quarter-hour counts again, one blob per topic and week, for detection to read
  //   in one go (a row per quarter costs more to read than the engine spends on it). Filled when read
  //   (Store.packedBucketCounts); a week is emptied whenever any of its quarters is written.
  // - engine_states: the engine's state before the bucket starting at `at` (saved by a run, see
  //   detectResumable), for later runs with the same key (engine version, settings, engine start) to resume
  //   from instead of replaying from the start. Dropped whenever counts before `at` are written.
  `
  CREATE TABLE topic_quarter_weeks (
    topic_id INTEGER NOT NULL,
    week INTEGER NOT NULL,            -- slot / ${COUNTS_WEEK_MS}, truncated
    data BLOB NOT NULL,               -- the week's rows of topic_quarters in slot order, as float64 (little-endian):
                                      -- slot, stories, items, scored, sentiment_sum, sentiment_sq
    PRIMARY KEY (topic_id, week)
  );
  CREATE TABLE engine_states (
    topic_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    at INTEGER NOT NULL,              -- epoch ms: the state before this bucket
    state BLOB NOT NULL,
    PRIMARY KEY (topic_id, key, at)
  );
  CREATE TRIGGER topic_quarters_insert AFTER INSERT ON topic_quarters BEGIN
    DELETE FROM topic_quarter_weeks WHERE topic_id = NEW.topic_id AND week = NEW.slot / ${COUNTS_WEEK_MS};
    DELETE FROM engine_states WHERE topic_id = NEW.topic_id AND at > NEW.slot;
  END;
  CREATE TRIGGER topic_quarters_update AFTER UPDATE ON topic_quarters BEGIN
    DELETE FROM topic_quarter_weeks WHERE topic_id = OLD.topic_id AND week = OLD.slot / ${COUNTS_WEEK_MS};
    DELETE FROM engine_states WHERE topic_id = OLD.topic_id AND at > OLD.slot;
  END;
  CREATE TRIGGER topic_quarters_move AFTER UPDATE OF topic_id, slot ON topic_quarters
    WHEN NEW.topic_id <> OLD.topic_id OR NEW.slot <> OLD.slot BEGIN
    DELETE FROM topic_quarter_weeks WHERE topic_id = NEW.topic_id AND week = NEW.slot / ${COUNTS_WEEK_MS};
    DELETE FROM engine_states WHERE topic_id = NEW.topic_id AND at > NEW.slot;
  END;
  CREATE TRIGGER topic_quarters_delete AFTER DELETE ON topic_quarters BEGIN
    DELETE FROM topic_quarter_weeks WHERE topic_id = OLD.topic_id AND week = OLD.slot / ${COUNTS_WEEK_MS};
    DELETE FROM engine_states WHERE topic_id = OLD.topic_id AND at > OLD.slot;
  END;
  `,
  // verdicts on moments, real or noise, given in momentscan watch (src/store/feedback-schema.ts)
  FEEDBACK_MIGRATION,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface OpenOptions {
  /** Open without creating or migrating (commands that only read). */
  readonly?: boolean;
  busyTimeoutMs?: number;
  /** Check every page before writing even when the file is large and was closed cleanly (`status`). */
  fullCheck?: boolean;
}

/**
 * Opens (creating if needed) the SQLite file: WAL, busy timeout, foreign keys, migrations.
 * A file that is not a momentscan database, is damaged, or has a newer schema is never written to.
 */
export function openDatabase(file: string, options: OpenOptions = {}): DB {
  const exists = fileSize(file);
  if (exists === null && options.readonly) {
    throw new StoreError(`${file}: no database yet`, { hint: 'run momentscan fetch first, or point --db at your database' });
  }
  if (exists !== null && exists > 0) checkHeader(file);
  if (exists === null) {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
    } catch (err) {
      throw new StoreError(`${path.dirname(file)}: cannot create the database folder (${(err as NodeJS.ErrnoException).code})`, {
        hint: 'check the path and permissions, or choose another with --db',
      });
    }
  }
  let db: DB;
  try {
    db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (err) {
    throw wrapSqliteError(err, file);
  }
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 15_000}`);
    // Whose file it is, before any pragma that writes (journal_mode = WAL rewrites the header): a foreign
    // file or one from a newer momentscan must keep every byte.
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > SCHEMA_VERSION) {
      throw new StoreError(`${file}: database schema version ${current} is newer than this momentscan understands (${SCHEMA_VERSION})`, {
        hint: 'upgrade momentscan; the file was left untouched',
      });
    }
    if (current > 0) {
      const hasFeeds = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'feeds'").get();
      if (!hasFeeds) throw notOurs(file);
    } else if (exists !== null && exists > 0) {
      const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
      if (tables.n > 0) throw notOurs(file);
    }
    // A damaged file is never written to, wherever the damage is (a fetch touches only a few pages and
    // would carry on over it): quick_check reads every page, about 150 ms for 200 MB. Files up to
    // CHECK_ALWAYS_BYTES are checked on every writable open; larger ones when the last run did not
    // close cleanly (its write-ahead log is still there) and by `momentscan status` — a check on every
    // open would cost a large file's cron runs and `moments` about 0.7 s per GB each.
    if (!options.readonly && exists !== null && exists > 0 && (options.fullCheck || exists <= CHECK_ALWAYS_BYTES || (fileSize(`${file}-wal`) ?? 0) > 0)) {
      checkIntegrity(db, file);
    }
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // Checkpoint less often: each commit rewrites index pages into the WAL, and every checkpoint copies
      // them again; with 64 MB between checkpoints a page rewritten by many commits is copied once (a big
      // fetch saves about a tenth of its database time). The WAL is emptied when the last connection closes.
      db.pragma('wal_autocheckpoint = 16000');
      // keep the indexes' pages in memory across a run's many small transactions
      db.pragma('cache_size = -65536');
    }
    db.pragma('foreign_keys = ON');
    if (current < SCHEMA_VERSION) {
      if (options.readonly) {
        throw new StoreError(`${file}: database needs an upgrade`, { hint: 'run momentscan fetch once to upgrade it' });
      }
      migrate(db, current);
    }
  } catch (err) {
    db.close();
    throw err instanceof StoreError ? err : wrapSqliteError(err, file);
  }
  return db;
}

/**
 * Applies the migrations from the database's version up to `to`, in one immediate transaction. `to` is
 * the current schema but for tests, which build a database as an older momentscan left it.
 */
export function migrate(db: DB, from: number, to = MIGRATIONS.length): void {
  const run = db.transaction(() => {
    // Re-read inside the write lock: another process may have migrated meanwhile.
    const now = db.pragma('user_version', { simple: true }) as number;
    for (let v = Math.max(from, now); v < Math.min(to, MIGRATIONS.length); v++) {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }
  });
  run.immediate();
}

/** Files up to this size are checked for damage on every writable open (about 25 ms at most). */
export const CHECK_ALWAYS_BYTES = 32 * 1024 * 1024;

function checkIntegrity(db: DB, file: string): void {
  const problems = db.pragma('quick_check(3)', { simple: false }) as { quick_check: string }[];
  const first = problems[0]?.quick_check ?? 'ok';
  if (first === 'ok') return;
  throw new StoreError(`${file}: database is damaged (${first.replace(/\s+/g, ' ').slice(0, 200)})`, {
    hint: 'it was left as it was; keep a copy of the file; sqlite3 FILE ".recover" can salvage its contents',
  });
}

function fileSize(file: string): number | null {
  try {
    const st = statSync(file);
    if (st.isDirectory()) {
      throw new StoreError(`${file}: is a folder, not a database file`, { hint: 'give a file path with --db' });
    }
    return st.size;
  } catch (err) {
    if (err instanceof StoreError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StoreError(`${file}: cannot read the database (${(err as NodeJS.ErrnoException).code})`, { hint: 'check its permissions' });
  }
}

function checkHeader(file: string): void {
  const buf = Buffer.alloc(16);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    readSync(fd, buf, 0, 16, 0);
  } catch (err) {
    throw new StoreError(`${file}: cannot read the database (${(err as NodeJS.ErrnoException).code})`, { hint: 'check its permissions' });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (buf.toString('latin1') !== 'SQLite format 3\0') throw notOurs(file);
}

function notOurs(file: string): StoreError {
  return new StoreError(`${file}: not a momentscan database`, {
    hint: 'the file was left untouched; point --db at a momentscan database or at a new path',
  });
}

/** Maps SQLite's error codes to one-line errors that say what to do. */
export function wrapSqliteError(err: unknown, file: string): StoreError {
  const code = (err as { code?: string }).code ?? '';
  const msg = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY')) {
    return new StoreError(`${file}: database is busy (another momentscan is writing)`, { hint: 'try again in a moment', cause: err });
  }
  if (code === 'SQLITE_NOTADB') return notOurs(file);
  if (code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT')) {
    return new StoreError(`${file}: database is damaged (${msg})`, {
      hint: 'keep a copy of the file; sqlite3 FILE ".recover" can salvage its contents',
      cause: err,
    });
  }
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY')) {
    return new StoreError(`${file}: cannot open the database for writing (${msg})`, { hint: 'check the file and folder permissions', cause: err });
  }
  if (code === 'SQLITE_FULL') return new StoreError(`${file}: disk full`, { hint: 'free some space and run again', cause: err });
  return new StoreError(`${file}: database error: ${msg}`, { cause: err });
}
