/**
 * Schema migrations, applied in order by db.ts; `PRAGMA user_version` records how many have run.
 *
 * Frozen: each is literal SQL, never built from constants or queries used at run time, so that a
 * change to those cannot change what an old migration did (a database migrated before and one migrated
 * after would differ). test/store/migrations.test.ts holds each one's SHA-256 and fails when an old
 * one's text changes. A schema change is a new migration at the end of the list.
 */
export const MIGRATIONS: readonly string[] = [
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
  INSERT INTO topic_quarters 
  SELECT topic_id, (published_at / 900000) * 900000, total(story_first), count(*),
         total(story_first AND sentiment IS NOT NULL),
         total(CASE WHEN story_first THEN sentiment END), total(CASE WHEN story_first THEN sentiment * sentiment END)
  FROM item_topics GROUP BY 1, 2;
  DROP TABLE topic_hours;
  `,
  // 11: stories have a bounded life (48 h from their first item): a story that goes on after that is a new
  // story, linked to the one it follows up (NULL: none). Self-contained: only adds a column.
  `
  ALTER TABLE stories ADD COLUMN follows_id INTEGER;
  `,
  // 12: notifications (src/notify/outbox.ts): the delivery outbox, silences, endpoints gone for good.
  // notify_outbox: one row per (moment alert, channel), unique, written before anything is sent, so a crash
  // or two overlapping runs never send an alert twice nor lose one. A run leases the rows it sends (a lease
  // that outlives a killed run expires, and the row is sent again under the same id: at least once, and
  // receivers deduplicate by id). `alert_no` is the moment's alert count when it alerted (1 = it fired,
  // 2+ = it grew) and 0 for "it ended".
  `
  CREATE TABLE IF NOT EXISTS notify_outbox (
    id TEXT PRIMARY KEY,                 -- msg_...: the webhook-id receivers deduplicate by
    moment_id INTEGER NOT NULL REFERENCES moments(id) ON DELETE CASCADE,
    alert_no INTEGER NOT NULL,
    channel TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('moment.detected', 'moment.grew', 'moment.ended')),
    route INTEGER NOT NULL,              -- index of the first route that matched (notify.routes[i])
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,               -- the moment's JSON record as it stood at the alert
    event_at INTEGER NOT NULL,           -- when it alerted (or ended)
    created_at INTEGER NOT NULL,
    not_before INTEGER NOT NULL,         -- groupWait
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'silenced')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    lease_token TEXT,
    last_attempt_at INTEGER,
    http_status INTEGER,
    error TEXT,
    sent_at INTEGER,
    UNIQUE (moment_id, channel, alert_no)
  );
  CREATE INDEX IF NOT EXISTS notify_outbox_due ON notify_outbox(status, next_attempt_at);
  CREATE INDEX IF NOT EXISTS notify_outbox_created ON notify_outbox(created_at);
  CREATE TABLE IF NOT EXISTS notify_silences (
    id INTEGER PRIMARY KEY,
    topic TEXT NOT NULL,                 -- a topic's name, or * for every topic
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    comment TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS notify_gone (
    channel TEXT PRIMARY KEY,            -- a channel whose endpoint answered 410 Gone: not sent to again...
    endpoint TEXT NOT NULL,              -- ...while its endpoint (a hash of the URL) stays the same
    gone_at INTEGER NOT NULL
  );
`,
  // 13: one feed cannot hide another's items by carrying their article URLs: a canonical URL is unique per
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
    week INTEGER NOT NULL,            -- slot / 604800000, truncated
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
    DELETE FROM topic_quarter_weeks WHERE topic_id = NEW.topic_id AND week = NEW.slot / 604800000;
    DELETE FROM engine_states WHERE topic_id = NEW.topic_id AND at > NEW.slot;
  END;
  CREATE TRIGGER topic_quarters_update AFTER UPDATE ON topic_quarters BEGIN
    DELETE FROM topic_quarter_weeks WHERE topic_id = OLD.topic_id AND week = OLD.slot / 604800000;
    DELETE FROM engine_states WHERE topic_id = OLD.topic_id AND at > OLD.slot;
  END;
  CREATE TRIGGER topic_quarters_move AFTER UPDATE OF topic_id, slot ON topic_quarters
    WHEN NEW.topic_id <> OLD.topic_id OR NEW.slot <> OLD.slot BEGIN
    DELETE FROM topic_quarter_weeks WHERE topic_id = NEW.topic_id AND week = NEW.slot / 604800000;
    DELETE FROM engine_states WHERE topic_id = NEW.topic_id AND at > NEW.slot;
  END;
  CREATE TRIGGER topic_quarters_delete AFTER DELETE ON topic_quarters BEGIN
    DELETE FROM topic_quarter_weeks WHERE topic_id = OLD.topic_id AND week = OLD.slot / 604800000;
    DELETE FROM engine_states WHERE topic_id = OLD.topic_id AND at > OLD.slot;
  END;
  `,
  // 15: verdicts on moments. `momentscan watch` lets a person mark a moment real or noise; the feedback work
  //   (issue 17) reads them. One verdict per moment (a changed mind replaces it). The moment's identity and its
  //   JSON as it stood when judged are kept with the verdict, so it says what was judged even if the moments
  //   table is rebuilt or the topic renamed.
  `
  CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    moment_id INTEGER NOT NULL UNIQUE REFERENCES moments(id) ON DELETE CASCADE,
    topic TEXT NOT NULL,
    kind TEXT NOT NULL,
    direction TEXT NOT NULL,
    start_at INTEGER NOT NULL,          -- epoch ms, the moment's start
    verdict TEXT NOT NULL CHECK (verdict IN ('real', 'noise')),
    score REAL NOT NULL,                -- the moment's score when judged
    detail TEXT NOT NULL,               -- the moment's JSON when judged
    source TEXT NOT NULL DEFAULT 'watch',
    created_at INTEGER NOT NULL         -- epoch ms, when the verdict was given (the real clock)
  );
`,
  // 16: planned events and labels (issue 17).
  // - events: a launch, a campaign, an earnings call — a moment overlapping one (widened by its lead and lag)
  //   is labelled planned. Added by hand (`events add`, uid NULL) or imported from iCalendar (`events import`,
  //   one row per VEVENT UID and topic, so importing the file again replaces its events instead of adding them).
  // - feedback gains the verdict `planned` (a real moment that was expected) and a note: rebuilt, since a
  //   CHECK cannot be altered. Its created_at is when the verdict counts from for threshold learning.
  `
  CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    topic TEXT NOT NULL,                -- a topic's name, or * for every topic
    uid TEXT,                           -- the iCalendar UID it was imported with; NULL when added by hand
    starts_at INTEGER NOT NULL,         -- epoch ms UTC
    ends_at INTEGER NOT NULL,           -- epoch ms UTC, exclusive
    lead_ms INTEGER NOT NULL DEFAULT 0, -- moments this long before it count as planned too
    lag_ms INTEGER NOT NULL DEFAULT 0,  -- ...and this long after it
    note TEXT,
    categories TEXT,                    -- the VEVENT's CATEGORIES, comma-separated
    source TEXT NOT NULL,               -- 'cli', or the file it was imported from
    created_at INTEGER NOT NULL,
    UNIQUE (uid, topic)
  );
  CREATE INDEX IF NOT EXISTS events_span ON events(starts_at, ends_at);
  DROP TABLE IF EXISTS feedback_new;
  CREATE TABLE feedback_new (
    id INTEGER PRIMARY KEY,
    moment_id INTEGER NOT NULL UNIQUE REFERENCES moments(id) ON DELETE CASCADE,
    topic TEXT NOT NULL,
    kind TEXT NOT NULL,
    direction TEXT NOT NULL,
    start_at INTEGER NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('real', 'noise', 'planned')),
    score REAL NOT NULL,
    detail TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'watch',
    created_at INTEGER NOT NULL,
    note TEXT
  );
  INSERT INTO feedback_new (id, moment_id, topic, kind, direction, start_at, verdict, score, detail, source, created_at)
    SELECT id, moment_id, topic, kind, direction, start_at, verdict, score, detail, source, created_at FROM feedback;
  DROP TABLE feedback;
  ALTER TABLE feedback_new RENAME TO feedback;
  CREATE INDEX feedback_topic ON feedback(topic, created_at);
  `,
  // 17: known accounts from the CRM (momentscan accounts import) and which items involve them.
  // - accounts: one per registrable domain (the merge key; the normalised name for one without a domain)
  // - account_contacts: people at an account: their e-mail (the merge key) and social handles
  // - item_accounts: per item, each account it involves, how (match_type) and how surely (confidence)
  // - account_state: the fingerprint of the accounts and rules item_accounts was made with (redone when it differs)
  // - items.author_email: the author's e-mail address where the feed gives one (RSS <author>)
  `
  ALTER TABLE items ADD COLUMN author_email TEXT;
  CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    domain TEXT UNIQUE,
    aliases TEXT NOT NULL DEFAULT '[]',
    handles TEXT NOT NULL DEFAULT '[]',
    external_id TEXT,
    origin TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX accounts_name_key ON accounts(name_key) WHERE domain IS NULL;
  CREATE TABLE account_contacts (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    email TEXT UNIQUE,
    name TEXT,
    handles TEXT NOT NULL DEFAULT '[]',
    external_id TEXT
  );
  CREATE INDEX account_contacts_account ON account_contacts(account_id);
  CREATE TABLE item_accounts (
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    match_type TEXT NOT NULL,
    confidence REAL NOT NULL,
    PRIMARY KEY (item_id, account_id)
  ) WITHOUT ROWID;
  CREATE INDEX item_accounts_account ON item_accounts(account_id, item_id);
  CREATE TABLE account_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL
  );
`,
  // 18: the canonical URL unique per feed (13) by an index that leads with the feed: a fetch's items then
  // go into one place of it, as into (feed_id, guid)'s, where by URL each one went into a leaf page of its
  // own, all over the index (a cold fetch's largest index cost: ~a fifth of its saves' CPU, and pages in
  // every commit). The same rows are unique; nothing looks an article up by its URL across feeds (the
  // story replay puts copies of one URL together in memory).
  `
  DROP INDEX items_canonical_url_feed;
  CREATE UNIQUE INDEX items_feed_canonical_url ON items(feed_id, canonical_url) WHERE canonical_url IS NOT NULL;
  `,
  // 19: what the periods nobody fetched are read from (items.ts topicCoverage), without reading every item of a
  // big history. (1) The gap an overflowing fetch opened starts at the oldest item it brought: items_fetched
  // on (fetched_at) found the fetch's items but read each one's row for its feed and time (a million-item
  // history whose fetches all overflowed: ~1 s a command); on (fetched_at, feed_id, published_at) it is one
  // seek. Still appended at its right edge by a fetch (its items share their fetched_at). (2) feed_topics:
  // which feeds brought at least one item of each topic, kept by a trigger on item_topics in the writer's
  // transaction (a topic's matches made again empty its rows first: topics.ts replaceTopicMatches; a topic or
  // feed removed takes its rows along). Before, that was one pass over every match of each topic and its
  // item (~1 s a command on that history). Filled here from the matches, in the migration's transaction.
  `
  DROP INDEX items_fetched;
  CREATE INDEX items_fetched ON items(fetched_at, feed_id, published_at);
  CREATE TABLE feed_topics (
    topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    PRIMARY KEY (topic_id, feed_id)
  ) WITHOUT ROWID;
  INSERT INTO feed_topics (topic_id, feed_id)
    SELECT DISTINCT t.topic_id, i.feed_id FROM item_topics t JOIN items i ON i.id = t.item_id;
  CREATE TRIGGER item_topics_feed AFTER INSERT ON item_topics BEGIN
    INSERT OR IGNORE INTO feed_topics (topic_id, feed_id) SELECT NEW.topic_id, feed_id FROM items WHERE id = NEW.item_id;
  END;
  `,
];
