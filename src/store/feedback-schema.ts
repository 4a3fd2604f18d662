/**
 * Verdicts on moments (one migration, in its own file so that it moves as one piece): `momentscan watch`
 * lets a person mark a moment real or noise; the feedback work (issue 17) reads them. One verdict per
 * moment (a changed mind replaces it). The moment's identity (topic, kind, direction, start) and its JSON
 * as it stood when judged are kept with the verdict, so it says what was judged even if the moments
 * table is rebuilt or the topic renamed.
 */
export const FEEDBACK_MIGRATION = `
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
`;
