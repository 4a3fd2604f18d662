/**
 * The notification tables (one migration, kept in its own file so that it moves as one piece).
 *
 * notify_outbox: one row per (moment alert, channel), unique, written before anything is sent, so a crash
 * or two overlapping runs never send an alert twice nor lose one. A run leases the rows it sends (a lease
 * that outlives a killed run expires, and the row is sent again under the same id: at least once, and
 * receivers deduplicate by id). `alert_no` is the moment's alert count when it alerted (1 = it fired,
 * 2+ = it grew) and 0 for "it ended".
 */
export const NOTIFY_MIGRATION = `
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
`;
